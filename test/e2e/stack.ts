// The whole product as `npm start` runs it (`undub start`: API, workers, dashboard) on a fresh database
// of the machine's PostgreSQL, for the end-to-end test and the dashboard benchmark.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const repoRoot = path.resolve(import.meta.dirname, '../..');
const undubBin = path.join(repoRoot, 'apps/api/bin/undub.mjs');
const dashboardDir = path.join(repoRoot, 'apps/dashboard');
const pgBase = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface Stack {
  apiUrl: string;
  dashboardUrl: string;
  databaseUrl: string;
  /** UNDUB_DATA_DIR of the running product (its media store lives there). */
  dataDir: string;
  /** Files here can be ingested by path (UNDUB_INGEST_DIR). */
  ingestDir: string;
  /** An admin API key of the tenant, and the moderator who signs in to the dashboard. */
  adminKey: string;
  moderator: { email: string; password: string };
  /** A GraphQL call with a bearer token ('' for none). */
  gql<T>(token: string, query: string, variables?: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** `next build` when there is no build or the sources changed since (builds cost ~1 min of CPU). */
export async function ensureDashboardBuild(log: (m: string) => void): Promise<void> {
  const buildId = path.join(dashboardDir, '.next', 'BUILD_ID');
  const sources = Math.max(
    newestMtime(path.join(dashboardDir, 'src')),
    ...['next.config.ts', 'package.json'].map((f) => statSync(path.join(dashboardDir, f)).mtimeMs),
  );
  if (existsSync(buildId) && statSync(buildId).mtimeMs > sources) return;
  log('building the dashboard (next build)…');
  await run(
    'nice',
    [
      '-n',
      '10',
      process.execPath,
      createRequire(path.join(dashboardDir, 'package.json')).resolve('next/dist/bin/next'),
      'build',
    ],
    {
      cwd: dashboardDir,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
}

function databaseUrl(name: string): string {
  const u = new URL(pgBase);
  u.pathname = `/${name}`;
  return u.toString();
}

async function waitFor(
  what: string,
  ms: number,
  probe: () => Promise<boolean>,
  child: ChildProcess,
): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null)
      throw new Error(`undub start exited (${child.exitCode}) before ${what} was up`);
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} was not up within ${ms / 1000} s`);
}

export interface StackOptions {
  workers: number;
  /** Extra settings (UNDUB_* variables). */
  env?: Record<string, string>;
  /** Where `undub start`'s output goes. */
  logFile: string;
  log?: (m: string) => void;
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const log = opts.log ?? (() => {});
  await ensureDashboardBuild(log);
  const name = `undub_e2e_${process.pid}_${Date.now().toString(36)}`;
  const pg = new URL(pgBase);
  const pgArgs = ['-h', pg.hostname, '-p', pg.port || '5432', '-U', pg.username || 'postgres'];
  await run('createdb', [...pgArgs, name]);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'undub-e2e-'));
  const ingestDir = path.join(dataDir, 'ingest');
  await mkdir(ingestDir);
  const [apiPort, dashboardPort] = [await freePort(), await freePort()];
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl(name),
    UNDUB_DATA_DIR: dataDir,
    UNDUB_INGEST_DIR: ingestDir,
    UNDUB_API_PORT: String(apiPort),
    UNDUB_DASHBOARD_PORT: String(dashboardPort),
    UNDUB_DASHBOARD: 'prod',
    UNDUB_WORKERS: String(opts.workers),
    UNDUB_RATE_LIMIT_PER_SECOND: '1000',
    UNDUB_RATE_LIMIT_BURST: '1000',
    ...opts.env,
  };
  const undub = (...args: string[]) =>
    run(process.execPath, [undubBin, '--json', ...args], { env, cwd: repoRoot }).then(
      (r) => JSON.parse(r.stdout),
      (err: { stdout?: string; message: string }) => {
        throw new Error(`undub ${args.slice(0, 2).join(' ')} failed: ${err.stdout?.trim() || err.message}`);
      },
    );

  await mkdir(path.dirname(opts.logFile), { recursive: true });
  const out = createWriteStream(opts.logFile);
  // Its own process group, so nothing it started outlives the test.
  const child = spawn(process.execPath, [undubBin, 'start'], { env, cwd: repoRoot, detached: true });
  child.stdout.pipe(out);
  child.stderr.pipe(out);

  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const dashboardUrl = `http://127.0.0.1:${dashboardPort}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 45_000);
      await exited;
      clearTimeout(timer);
    }
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // the group is gone already
    }
    await run('dropdb', [...pgArgs, '--force', '--if-exists', name]).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    log(`undub start: API ${apiUrl}, dashboard ${dashboardUrl}, database ${name}`);
    const health = async () => {
      const res = await fetch(`${apiUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ health { ok } }' }),
      });
      return ((await res.json()) as { data?: { health?: { ok?: boolean } } }).data?.health?.ok === true;
    };
    await waitFor('the API', 120_000, health, child);
    await waitFor('the dashboard', 60_000, async () => (await fetch(`${dashboardUrl}/signin`)).ok, child);
    const admin = await undub(
      'admin',
      'seed',
      '--tenant',
      'e2e',
      '--email',
      'admin@e2e.test',
      '--password',
      'admin-password',
    );
    const moderator = { email: 'moderator@e2e.test', password: 'moderator-password' };
    await undub(
      'admin',
      'seed',
      '--tenant',
      'e2e',
      '--email',
      moderator.email,
      '--password',
      moderator.password,
      '--role',
      'moderator',
      '--name',
      'Mo Derator',
    );
    const gql = async <T>(
      token: string,
      query: string,
      variables: Record<string, unknown> = {},
    ): Promise<T> => {
      const res = await fetch(`${apiUrl}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
      if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
      return body.data as T;
    };
    return {
      apiUrl,
      dashboardUrl,
      databaseUrl: env.DATABASE_URL,
      dataDir,
      ingestDir,
      adminKey: admin.apiKey,
      moderator,
      gql,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
