import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db';
import { freePort } from './support/ports';
import { createTestDatabase, type TestDatabase } from './support/database';

describe('openDatabase with DATABASE_URL', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(() => testDb.drop());

  it('connects to a migrated database and queries through Prisma and pg', async () => {
    const db = await openDatabase(loadConfig({ DATABASE_URL: testDb.url }));
    try {
      const tenant = await db.prisma.tenant.create({ data: { name: 'acme' } });
      const { rows } = await db.pool.query(
        'SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL',
      );
      expect(rows[0].n).toBeGreaterThan(0);
      expect(await db.prisma.tenant.findUnique({ where: { id: tenant.id } })).toMatchObject({ name: 'acme' });
    } finally {
      await db.close();
    }
  });

  it('creates the named database when the server lacks it', async () => {
    const url = new URL(testDb.url);
    url.pathname = `${url.pathname}_created`;
    const db = await openDatabase(loadConfig({ DATABASE_URL: url.toString() }));
    try {
      expect(await db.prisma.job.count()).toBe(0);
    } finally {
      await db.close();
      const admin = new pg.Client({ connectionString: testDb.url });
      await admin.connect();
      await admin.query(`DROP DATABASE "${url.pathname.slice(1)}" WITH (FORCE)`);
      await admin.end();
    }
  });
});

describe('openDatabase errors', () => {
  const cases: [string, Record<string, string>, string][] = [
    ['a URL of another scheme', { DATABASE_URL: 'mysql://u@localhost/db' }, 'DB_URL_INVALID'],
    ['a URL without a database', { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432' }, 'DB_URL_INVALID'],
    ['an unreachable server', { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/undub' }, 'DB_UNREACHABLE'],
  ];
  for (const [what, env, code] of cases) {
    it(`reports ${code} for ${what}`, async () => {
      await expect(openDatabase(loadConfig(env))).rejects.toMatchObject({ code });
    });
  }

  it('reports DB_DATA_DIR_UNWRITABLE for a data dir that cannot be created', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'undub-db-'));
    const file = path.join(dir, 'a-file');
    await writeFile(file, '');
    await expect(openDatabase(loadConfig({ UNDUB_DATA_DIR: path.join(file, 'data') }))).rejects.toMatchObject(
      {
        code: 'DB_DATA_DIR_UNWRITABLE',
      },
    );
    await rm(dir, { recursive: true });
  });

  it('reports DB_PORT_IN_USE when the embedded port is taken', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'undub-db-'));
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(
        openDatabase(loadConfig({ UNDUB_DATA_DIR: dir, UNDUB_EMBEDDED_DB_PORT: String(port) })),
      ).rejects.toMatchObject({ code: 'DB_PORT_IN_USE' });
    } finally {
      blocker.close();
      await rm(dir, { recursive: true });
    }
  });
});

describe('embedded PostgreSQL', () => {
  it('initialises in an empty data dir, applies migrations, and keeps data across restarts', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'undub-embedded-'));
    const env = { UNDUB_DATA_DIR: dir, UNDUB_EMBEDDED_DB_PORT: String(await freePort()) };
    try {
      const first = await openDatabase(loadConfig(env));
      await first.prisma.tenant.create({ data: { name: 'kept' } });
      await first.close();
      const second = await openDatabase(loadConfig(env));
      expect(await second.prisma.tenant.findMany({ select: { name: true } })).toEqual([{ name: 'kept' }]);
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
