// What the API keeps in memory must never outlive the database: queue counts are exact right after
// a write by another process (they are kept per queue version), and a key revoked or a session ended
// by another process is refused within the change notification's delay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, startTestApi, type TenantWorld, type TestApi } from './support/api';
import { insertVerdict } from './support/api-fixtures';

let t: TestApi;
let acme: TenantWorld;

beforeAll(async () => {
  t = await startTestApi();
  acme = await t.tenant('acme');
});
afterAll(() => t?.close());

const count = async (filter = '') => {
  const r = await t.gql(acme.keys.moderator, `{ reviewQueue${filter} { totalCount } }`);
  expect(r.errors).toBeUndefined();
  return r.data!.reviewQueue.totalCount as number;
};

async function refusedWithin(token: string, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (codeOf(await t.gql(token, '{ viewer { role } }')) === 'UNAUTHENTICATED') return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

describe('queue counts', () => {
  it('follow verdicts and decisions written outside the API at once', async () => {
    const all = '(filter: { routing: [], status: [] })';
    expect([await count(), await count(all)]).toEqual([0, 0]);
    const { verdict } = await insertVerdict(t.db.prisma, acme.tenantId, { routing: 'review' });
    await insertVerdict(t.db.prisma, acme.tenantId, { routing: 'auto_clear' });
    expect([await count(), await count(all)]).toEqual([1, 2]);
    await t.db.prisma.decision.create({
      data: {
        verdictId: verdict.id,
        moderatorId: acme.moderatorUserId,
        action: 'clear_original',
        reasonCode: 'x',
      },
    });
    expect([await count(), await count(all)]).toEqual([0, 2]);
    await t.db.prisma.verdict.update({ where: { id: verdict.id }, data: { routing: 'auto_flag' } });
    expect(await count('(filter: { routing: [AUTO_FLAG], status: [] })')).toBe(1);
    await t.db.prisma.upload.delete({ where: { id: verdict.uploadId } });
    expect([await count(), await count(all)]).toEqual([0, 1]);
  });
});

describe('authentication kept in memory', () => {
  it('refuses a key revoked by another process', async () => {
    const { apiKey, secret } = (
      await t.gql(
        acme.keys.admin,
        'mutation { createApiKey(name: "p", role: CLIENT) { secret apiKey { id } } }',
      )
    ).data!.createApiKey;
    expect((await t.gql(secret, '{ viewer { role } }')).data?.viewer.role).toBe('CLIENT');
    await t.db.prisma.apiKey.update({ where: { id: apiKey.id }, data: { revokedAt: new Date() } });
    expect(await refusedWithin(secret, 2000)).toBe(true);
  });

  it('refuses a session ended by another process', async () => {
    const { token } = (
      await t.gql(
        null,
        'mutation { signIn(email: "mod@acme.test", password: "moderator-password") { token } }',
      )
    ).data!.signIn;
    expect((await t.gql(token, '{ viewer { role } }')).data?.viewer.role).toBe('MODERATOR');
    await t.db.prisma.session.updateMany({
      where: { userId: acme.moderatorUserId },
      data: { revokedAt: new Date() },
    });
    expect(await refusedWithin(token, 2000)).toBe(true);
  });
});
