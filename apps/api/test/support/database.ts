// A fresh, migrated database per test file on the machine's PostgreSQL (127.0.0.1:5432 or
// $TEST_DATABASE_URL), so test files never share rows. Migrations run once into a template
// database (named after a hash of the migrations); each test database is a copy of it (~50 ms).
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { applyMigrations, migrationsDir } from '../../src/db/migrate';
import { readMigrations } from '../../src/db/schema-engine';

const baseUrl = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const TEMPLATE_PREFIX = 'undub_tpl_';

function urlFor(database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: urlFor('postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function migrationsHash(): Promise<string> {
  const list = await readMigrations(migrationsDir);
  const hash = createHash('sha256');
  for (const dir of list.migrationDirectories) {
    hash.update(dir.path).update(dir.migrationFile.content.value);
  }
  return hash.digest('hex').slice(0, 16);
}

const TEST_PREFIX = 'undub_test_';
const ABANDONED_AFTER_MS = 6 * 3600_000;

/** Test databases left by runs that were killed before dropping them (the name carries the time). */
async function dropAbandoned(admin: pg.Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE '${TEST_PREFIX}%'`,
  );
  for (const { datname } of rows) {
    const created = parseInt(datname.slice(TEST_PREFIX.length).split('_')[0], 36);
    if (Date.now() - created > ABANDONED_AFTER_MS)
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
}

let template: Promise<string> | undefined;

/** Creates the template database for the current migrations unless it exists; replaces stale ones. */
function ensureTemplate(): Promise<string> {
  template ??= (async () => {
    const name = TEMPLATE_PREFIX + (await migrationsHash());
    await withAdmin(async (admin) => {
      // Test files start in parallel processes: one builds the template, the others wait.
      await admin.query(`SELECT pg_advisory_lock(hashtext('undub test template'))`);
      try {
        const { rows } = await admin.query<{ datname: string }>(
          `SELECT datname FROM pg_database WHERE datname LIKE '${TEMPLATE_PREFIX}%'`,
        );
        for (const { datname } of rows)
          if (datname !== name) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
        await dropAbandoned(admin);
        if (rows.some((r) => r.datname === name)) return;
        const building = `${name}_building`;
        await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
        await admin.query(`CREATE DATABASE "${building}"`);
        await applyMigrations(urlFor(building));
        await admin.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
      } finally {
        await admin.query(`SELECT pg_advisory_unlock(hashtext('undub test template'))`);
      }
    });
    return name;
  })();
  return template;
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const source = await ensureTemplate();
  const name = `${TEST_PREFIX}${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}" TEMPLATE "${source}"`));
  return {
    url: urlFor(name),
    drop: () =>
      withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  };
}
