// Prisma's schema engine (migrations, diff, introspection) compiled to WebAssembly, driven through
// @prisma/adapter-pg. Prisma's CLI otherwise downloads a native engine binary at run time, which
// fails offline; this module runs in-process (start-up migrations) and behind prisma/schema-engine.mjs
// (the CLI's PRISMA_SCHEMA_ENGINE_BINARY).
import { randomUUID } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { MigrationList, SchemaEngine, SchemaFilter } from '@prisma/schema-engine-wasm';

const require = createRequire(import.meta.url);

export const emptyFilter: SchemaFilter = { externalTables: [], externalEnums: [] };

/** pg connection options from a URL, given one by one: a connectionString would override the
 * shadow database name that the adapter picks, and migrations would run on the real database. */
export function connectionOptions(url: string) {
  const u = new URL(url);
  return {
    host: decodeURIComponent(u.hostname) || '127.0.0.1',
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username) || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    database: decodeURIComponent(u.pathname.slice(1)) || undefined,
  };
}

// Two fixes to @prisma/adapter-pg for the schema engine, made once on its classes:
// - the engine introspects pg_catalog columns of type "char" (OID 18), which the adapter cannot
//   map to a column type; their values are plain text, so they are reported as text (OID 25);
// - executeScript splits migration scripts at every ";", breaking function bodies and strings;
//   PostgreSQL runs a multi-statement script as it is (simple query protocol).
const TEXT_OID = 25;
const CHAR_OID = 18;
let adapterPatched = false;

type Method = (this: AdapterInternals, ...args: never[]) => Promise<unknown>;
interface AdapterInternals {
  client: { query(sql: string): Promise<unknown> };
  onError(err: unknown): never;
}

function ownerOf(instance: object, method: string): Record<string, Method> {
  let proto: Record<string, Method> | null = Object.getPrototypeOf(instance);
  while (proto && !Object.hasOwn(proto, method)) proto = Object.getPrototypeOf(proto);
  if (!proto) throw new Error(`unexpected @prisma/adapter-pg: no ${method}`);
  return proto;
}

function patchAdapter(adapter: object): void {
  if (adapterPatched) return;
  const queryable = ownerOf(adapter, 'performIO');
  const performIO = queryable.performIO;
  queryable.performIO = async function (this: AdapterInternals, ...args: never[]) {
    const result = (await performIO.apply(this, args)) as { fields?: { dataTypeID: number }[] } | undefined;
    for (const field of result?.fields ?? []) if (field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
    return result;
  };
  ownerOf(adapter, 'executeScript').executeScript = async function (this: AdapterInternals, script: string) {
    try {
      await this.client.query(script);
    } catch (err) {
      this.onError(err);
    }
  } as Method;
  adapterPatched = true;
}

class PatchedPrismaPg extends PrismaPg {
  constructor(private readonly poolConfig: pg.PoolConfig) {
    super(poolConfig);
  }

  /** Every connection handed to the engine, disposed of with it. */
  private readonly adapters: { dispose(): Promise<void> }[] = [];

  override async connect() {
    const adapter = await super.connect();
    patchAdapter(adapter);
    this.adapters.push(adapter);
    return adapter;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.adapters.map((adapter) => adapter.dispose().catch(() => {})));
  }

  // The stock version drops the shadow database while its own pool still holds a connection
  // ("is being accessed by other users"); here the pool ends first.
  override async connectToShadowDb() {
    const main = await this.connect();
    const database = `prisma_migrate_shadow_db_${randomUUID()}`;
    await main.executeScript(`CREATE DATABASE "${database}"`);
    const shadow = await new PatchedPrismaPg({ ...this.poolConfig, database }).connect();
    const disposeShadow = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await disposeShadow();
      await main.executeScript(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await main.dispose();
    };
    return shadow;
  }
}

// Node has WebAssembly; the project's `lib` setting (no DOM) does not declare it.
const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
interface WebAssemblyApi {
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, object>,
  ): Promise<{ instance: { exports: Record<string, unknown> } }>;
}

type WasmModule = typeof import('@prisma/schema-engine-wasm');
let wasmModule: Promise<WasmModule> | undefined;

/** The package targets bundlers (it imports the .wasm file as a module); Node instantiates it here. */
function loadWasm(): Promise<WasmModule> {
  wasmModule ??= (async () => {
    const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const glue = (await import(gluePath)) as WasmModule & { __wbg_set_wasm(exports: unknown): void };
    const bytes = await readFile(path.join(path.dirname(gluePath), 'schema_engine_bg.wasm'));
    // The engine arms 10 s timers (query timeouts) and never clears them; unref'd, they no
    // longer hold a finished process open for those 10 s.
    const imports: Record<string, unknown> = { ...glue };
    for (const name of Object.keys(imports).filter((n) => n.startsWith('__wbg_setTimeout'))) {
      imports[name] = (fn: () => void, ms: number) => setTimeout(fn, ms >>> 0).unref();
    }
    const { instance } = await webAssembly.instantiate(bytes, { './schema_engine_bg.js': imports });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue;
  })();
  return wasmModule;
}

export interface SchemaEngineOptions {
  url: string;
  /** [path, content] of Prisma schema files, for commands that need the data model. */
  datamodels?: [string, string][];
  /** Receives the engine's log lines (JSON). */
  onLog?: (line: string) => void;
}

export interface SchemaEngineHandle {
  engine: SchemaEngine;
  close(): Promise<void>;
}

export async function openSchemaEngine(options: SchemaEngineOptions): Promise<SchemaEngineHandle> {
  const wasm = await loadWasm();
  const factory = new PatchedPrismaPg(connectionOptions(options.url));
  const engine = await wasm.SchemaEngine.new(
    { datamodels: options.datamodels },
    (line: string) => options.onLog?.(line),
    bindMigrationAwareSqlAdapterFactory(factory),
  );
  return {
    engine,
    async close() {
      engine.free();
      await factory.closeAll();
    },
  };
}

/** Reads a migrations folder the way Prisma's CLI does (sorted directories, migration.sql each). */
export async function readMigrations(baseDir: string, shadowDbInitScript = ''): Promise<MigrationList> {
  const lockPath = 'migration_lock.toml';
  const lock = await readFile(path.join(baseDir, lockPath), 'utf8').catch(() => null);
  const entries = await readdir(baseDir, { withFileTypes: true }).catch(() => []);
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  dirs.sort((a, b) => a.localeCompare(b));
  const migrationDirectories = await Promise.all(
    dirs.map(async (dir) => {
      const content = await readFile(path.join(baseDir, dir, 'migration.sql'), 'utf8').then(
        (value) => ({ tag: 'ok' as const, value }),
        (err: Error) => ({ tag: 'error' as const, value: err.message }),
      );
      return { path: dir, migrationFile: { path: 'migration.sql', content } };
    }),
  );
  return { baseDir, lockfile: { path: lockPath, content: lock }, shadowDbInitScript, migrationDirectories };
}

/** Runs one statement on the server's `postgres` database (for CREATE/DROP DATABASE). */
async function onServer(url: string, sql: (database: string) => string): Promise<string> {
  const options = connectionOptions(url);
  const database = options.database ?? 'postgres';
  const client = new pg.Client({ ...options, database: 'postgres' });
  await client.connect();
  try {
    await client.query(sql(`"${database.replaceAll('"', '""')}"`));
  } finally {
    await client.end();
  }
  return database;
}

// The wasm engine lacks the native engine's database-level commands; the CLI needs them for
// `migrate dev` (creating a missing database) and `migrate reset`.
export async function createDatabase(url: string): Promise<{ databaseName: string }> {
  return { databaseName: await onServer(url, (db) => `CREATE DATABASE ${db}`) };
}

export async function dropDatabase(url: string): Promise<void> {
  await onServer(url, (db) => `DROP DATABASE IF EXISTS ${db}`);
}

/** Prisma's error code for a failed connection: P1003 missing database, P1001 unreachable, P1000 auth. */
export async function checkConnection(url: string): Promise<{ code: string; message: string } | null> {
  const client = new pg.Client(connectionOptions(url));
  try {
    await client.connect();
    return null;
  } catch (err) {
    const e = err as Error & { code?: string };
    const code = e.code === '3D000' ? 'P1003' : e.code === '28P01' || e.code === '28000' ? 'P1000' : 'P1001';
    return { code, message: e.message };
  } finally {
    await client.end().catch(() => {});
  }
}
