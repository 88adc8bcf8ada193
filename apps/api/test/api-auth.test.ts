// Authentication and roles through the real API: sessions, API keys, revocation, role checks,
// rate limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, startTestApi, type TenantWorld, type TestApi } from './support/api';

let t: TestApi;
let acme: TenantWorld;

beforeAll(async () => {
  t = await startTestApi();
  acme = await t.tenant('acme');
});
afterAll(() => t?.close());

describe('API authentication', () => {
  it('answers health without credentials and refuses everything else', async () => {
    expect((await t.gql(null, '{ health { ok } }')).data?.health.ok).toBe(true);
    const r = await t.gql(null, '{ uploads { totalCount } }');
    expect(codeOf(r)).toBe('UNAUTHENTICATED');
    expect(codeOf(await t.gql('undub_not-a-key', '{ viewer { role } }'))).toBe('UNAUTHENTICATED');
    expect(codeOf(await t.gql('garbage', '{ viewer { role } }'))).toBe('UNAUTHENTICATED');
  });

  it('signs a moderator in with a password and out again', async () => {
    const bad = await t.gql(
      null,
      'mutation { signIn(email: "mod@acme.test", password: "wrong-one") { token } }',
    );
    expect(codeOf(bad)).toBe('INVALID_CREDENTIALS');
    const unknown = await t.gql(
      null,
      'mutation { signIn(email: "nobody@acme.test", password: "whatever1") { token } }',
    );
    expect(codeOf(unknown)).toBe('INVALID_CREDENTIALS');

    const ok = await t.gql(
      null,
      'mutation { signIn(email: "MOD@acme.test", password: "moderator-password") { token expiresAt user { email role } } }',
    );
    const token = ok.data?.signIn.token as string;
    expect(ok.data?.signIn.user).toEqual({ email: 'mod@acme.test', role: 'MODERATOR' });
    const viewer = await t.gql(token, '{ viewer { role tenant { name } user { email } apiKey { id } } }');
    expect(viewer.data?.viewer).toEqual({
      role: 'MODERATOR',
      tenant: { name: 'acme' },
      user: { email: 'mod@acme.test' },
      apiKey: null,
    });

    expect((await t.gql(token, 'mutation { signOut }')).data?.signOut).toBe(true);
    expect(codeOf(await t.gql(token, '{ viewer { role } }'))).toBe('UNAUTHENTICATED');
    // Passwords and tokens are not stored in the clear.
    const user = await t.db.prisma.user.findUniqueOrThrow({ where: { email: 'mod@acme.test' } });
    expect(user.passwordHash).toMatch(/^scrypt\$/);
    const sessions = await t.db.prisma.session.findMany({ where: { userId: user.id } });
    expect(sessions.every((s) => s.tokenHash !== token && s.tokenHash.length === 64)).toBe(true);
  });

  it('creates API keys (admins only), shows the secret once, and refuses a revoked key at once', async () => {
    const denied = await t.gql(
      acme.keys.moderator,
      'mutation { createApiKey(name: "x", role: CLIENT) { secret } }',
    );
    expect(codeOf(denied)).toBe('FORBIDDEN');
    const made = await t.gql(
      acme.keys.admin,
      'mutation { createApiKey(name: "platform", role: CLIENT) { secret apiKey { id prefix role } } }',
    );
    const { secret, apiKey } = made.data!.createApiKey;
    expect(secret.startsWith(apiKey.prefix)).toBe(true);
    expect((await t.gql(secret, '{ viewer { role } }')).data?.viewer.role).toBe('CLIENT');
    const stored = await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } });
    expect(stored.secretHash).not.toContain(secret);

    const listed = await t.gql(acme.keys.admin, '{ apiKeys { id name } }');
    expect(listed.data?.apiKeys.map((k: { id: string }) => k.id)).toContain(apiKey.id);

    const revoked = await t.gql(
      acme.keys.admin,
      `mutation { revokeApiKey(id: "${apiKey.id}") { revokedAt } }`,
    );
    expect(revoked.data?.revokeApiKey.revokedAt).toBeTruthy();
    const after = await t.gql(secret, '{ viewer { role } }');
    expect(codeOf(after)).toBe('UNAUTHENTICATED');
    expect(after.errors?.[0].message).toMatch(/revoked/);

    const events = await t.db.prisma.auditEvent.findMany({
      where: { subject: `apikey:${apiKey.id}` },
      orderBy: { seq: 'asc' },
    });
    expect(events.map((e) => e.action)).toEqual(['apikey.created', 'apikey.revoked']);
  });

  it('keeps clients out of moderation: no decisions, review queue, audit log or reports', async () => {
    const c = acme.keys.client;
    const decide = await t.gql(
      c,
      'mutation { decide(verdictId: "x", action: ESCALATE, reasonCode: "r") { id } }',
    );
    expect(codeOf(decide)).toBe('FORBIDDEN');
    expect(codeOf(await t.gql(c, '{ reviewQueue { totalCount } }'))).toBe('FORBIDDEN');
    expect(codeOf(await t.gql(c, '{ auditEvents { totalCount } }'))).toBe('FORBIDDEN');
    expect(codeOf(await t.gql(c, '{ auditChainStatus { ok } }'))).toBe('FORBIDDEN');
    expect(
      codeOf(
        await t.gql(c, '{ report(from: "2020-01-01T00:00:00Z", to: "2030-01-01T00:00:00Z") { uploads } }'),
      ),
    ).toBe('FORBIDDEN');
    expect(codeOf(await t.gql(c, '{ apiKeys { id } }'))).toBe('FORBIDDEN');
    expect(codeOf(await t.gql(c, 'mutation { submitUploadFromPath(path: "a.mp4") { duplicate } }'))).toBe(
      'FORBIDDEN',
    );
    // Clients do read their own tenant's uploads.
    expect((await t.gql(c, '{ uploads { totalCount } }')).data?.uploads.totalCount).toBe(0);
  });
});

describe('API rate limit', () => {
  let slow: TestApi;
  beforeAll(async () => {
    slow = await startTestApi({ rateLimitPerSecond: 1, rateLimitBurst: 3 });
  });
  afterAll(() => slow?.close());

  it('refuses a key beyond its burst with RATE_LIMITED and HTTP 429, other keys unaffected', async () => {
    const world = await slow.tenant('busy');
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await slow.gql(world.keys.client, '{ viewer { role } }'));
    expect(results.slice(0, 3).every((r) => r.data?.viewer.role === 'CLIENT')).toBe(true);
    const limited = results[4];
    expect(limited.status).toBe(429);
    expect(codeOf(limited)).toBe('RATE_LIMITED');
    expect((await slow.gql(world.keys.admin, '{ viewer { role } }')).data?.viewer.role).toBe('ADMIN');
  });
});
