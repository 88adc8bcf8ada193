// The database of the app: DATABASE_URL when set, else the embedded PostgreSQL in <dataDir>/pg;
// pending migrations are applied on open, on either.
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { Config } from '../config';
import { PrismaClient } from '../generated/prisma/client';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded';
import { DbError } from './errors';
import { applyMigrations } from './migrate';
import { connectionOptions, createDatabase } from './schema-engine';

export { DbError, type DbErrorCode } from './errors';
export { pgTransaction } from './pg-transaction';
export { PrismaClient };

export interface Database {
  prisma: PrismaClient;
  pool: pg.Pool;
  url: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Apply pending migrations (default true). Child processes of `undub start` skip it: the parent did it. */
  migrate?: boolean;
}

function checkUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DbError(
      'DB_URL_INVALID',
      'DATABASE_URL is not a valid URL (expected postgresql://user:password@host:port/database)',
    );
  }
  if (parsed.protocol !== 'postgresql:' && parsed.protocol !== 'postgres:')
    throw new DbError(
      'DB_URL_INVALID',
      `DATABASE_URL must start with postgresql:// (got ${parsed.protocol}//)`,
    );
  if (!parsed.hostname) throw new DbError('DB_URL_INVALID', 'DATABASE_URL has no host');
  if (parsed.pathname.length < 2) throw new DbError('DB_URL_INVALID', 'DATABASE_URL names no database');
}

/** Connects once to tell the user early and plainly what is wrong; creates a missing database. */
async function checkReachable(url: string): Promise<void> {
  const options = connectionOptions(url);
  const where = `${options.host}:${options.port}`;
  const client = new pg.Client({ ...options, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '3D000') return void (await createDatabase(url));
    if (code === '28P01' || code === '28000')
      throw new DbError(
        'DB_AUTH_FAILED',
        `the database at ${where} refused the credentials: ${(err as Error).message}`,
      );
    throw new DbError(
      'DB_UNREACHABLE',
      `cannot reach the database at ${where}: ${(err as Error).message || code}`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

export async function openDatabase(config: Config, options: OpenDatabaseOptions = {}): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let url: string;
  if (config.databaseUrl) {
    url = config.databaseUrl;
    checkUrl(url);
  } else {
    embedded = await startEmbeddedPostgres(config.dataDir, config.embeddedDbPort);
    url = embedded.url;
  }
  try {
    await checkReachable(url);
    if (options.migrate !== false) await applyMigrations(url);
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
  const pool = new pg.Pool({ ...connectionOptions(url), max: 10 });
  // An idle client losing its server (database restart) must not crash the process.
  pool.on('error', () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  let closed = false;
  return {
    prisma,
    pool,
    url,
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await pool.end();
      await embedded?.stop();
    },
  };
}
