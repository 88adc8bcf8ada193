import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEvent, verifyAuditChain } from '../src/audit';
import { loadConfig } from '../src/config';
import { openDatabase, type Database } from '../src/db';
import { createTestDatabase, type TestDatabase } from './support/database';

describe('audit log', () => {
  let testDb: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = await openDatabase(loadConfig({ DATABASE_URL: testDb.url }), { migrate: false });
  });
  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  it('chains appends made concurrently, and a dedupeKey makes a retry a no-op', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        appendAuditEvent(db.prisma, {
          actor: 'test',
          action: 'thing.done',
          subject: `thing:${i}`,
          payload: { i, nested: { b: 1, a: [1, 'x'] } },
        }),
      ),
    );
    const first = await appendAuditEvent(db.prisma, {
      actor: 'w',
      action: 'a',
      subject: 's',
      dedupeKey: 'job:1:x',
    });
    const again = await appendAuditEvent(db.prisma, {
      actor: 'w',
      action: 'a',
      subject: 's',
      dedupeKey: 'job:1:x',
    });
    expect(again.seq).toBe(first.seq);
    expect(await db.prisma.auditEvent.count()).toBe(21);
    expect(await verifyAuditChain(db.prisma)).toEqual({ ok: true, checked: 21, broken: [] });
  });

  it('commits with the caller transaction, or not at all', async () => {
    const before = await db.prisma.auditEvent.count();
    await expect(
      db.prisma.$transaction(async (tx) => {
        await appendAuditEvent(tx, { actor: 'test', action: 'rolled.back', subject: 'x' });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await db.prisma.auditEvent.count()).toBe(before);
  });

  it('refuses ordinary UPDATE and DELETE', async () => {
    await expect(db.pool.query(`UPDATE "AuditEvent" SET actor = 'x'`)).rejects.toThrow(/append-only/);
    await expect(db.pool.query(`DELETE FROM "AuditEvent"`)).rejects.toThrow(/append-only/);
  });

  it('reports exactly the row altered directly in SQL', async () => {
    const rows = await db.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    const target = rows[7];
    const client = await db.pool.connect();
    try {
      // A superuser bypassing the append-only trigger, as an attacker with database access would.
      await client.query(`SET session_replication_role = replica`);
      await client.query(`UPDATE "AuditEvent" SET payload = '{"i": 999}' WHERE seq = $1`, [target.seq]);
      await client.query(`SET session_replication_role = DEFAULT`);
    } finally {
      client.release();
    }
    const report = await verifyAuditChain(db.prisma);
    expect(report.ok).toBe(false);
    expect(report.checked).toBe(rows.length);
    expect(report.broken).toEqual([{ seq: target.seq, reason: 'content_changed' }]);
  });
});
