// `undub start` as a user runs it: the real embedded PostgreSQL in a temporary data dir, the API
// and a worker; and the start-up errors, each one clear line with a code and a non-zero exit.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/ports';

const bin = path.resolve(import.meta.dirname, '../bin/undub.mjs');
const migrationsDir = path.resolve(import.meta.dirname, '../../../prisma/migrations');

/** The environment of a user with no DATABASE_URL, and the given settings. */
function userEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, UNDUB_DASHBOARD: 'off', ...settings };
  if (!('DATABASE_URL' in settings)) delete env.DATABASE_URL;
  return env;
}

function run(args: string[], settings: Record<string, string>) {
  const child = spawn(process.execPath, [bin, ...args], {
    env: userEnv(settings),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

describe('undub start', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'undub-start-'));
    // As root the embedded database runs as user postgres, which must be able to enter the folder.
    await chmod(dir, 0o755);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('starts the embedded database with migrations applied and serves the health query; Ctrl-C stops everything', async () => {
    const dataDir = path.join(dir, 'data');
    const [apiPort, dbPort] = [await freePort(), await freePort()];
    const proc = run(['start'], {
      UNDUB_DATA_DIR: dataDir,
      UNDUB_API_PORT: String(apiPort),
      UNDUB_EMBEDDED_DB_PORT: String(dbPort),
      UNDUB_WORKERS: '1',
    });
    try {
      const deadline = Date.now() + 150_000;
      while (!/Press Ctrl-C/.test(proc.stdout()) || !/worker \S+ ready/.test(proc.stderr())) {
        if (proc.child.exitCode !== null || Date.now() > deadline)
          throw new Error(`not started:\n${proc.stdout()}\n${proc.stderr()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const apiUrl = proc.stdout().match(/API \(GraphQL\)\s+(\S+)/)![1];
      expect(apiUrl).toBe(`http://127.0.0.1:${apiPort}/graphql`);

      const response = await fetch(apiUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ health { ok version } }' }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ data: { health: { ok: true, version: expect.any(String) } } });

      const password = (await readFile(path.join(dataDir, 'pg.password'), 'utf8')).trim();
      const client = new pg.Client({
        host: '127.0.0.1',
        port: dbPort,
        user: 'postgres',
        password,
        database: 'undub',
      });
      await client.connect();
      const { rows } = await client.query(
        `SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL`,
      );
      await client.end();
      const migrations = (await readdir(migrationsDir, { withFileTypes: true })).filter((e) =>
        e.isDirectory(),
      );
      expect(rows[0].n).toBe(migrations.length);
    } finally {
      proc.child.kill('SIGINT');
    }
    expect(await proc.exited).toBe(0);
    expect(proc.stderr()).toContain('stopped');
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  });

  async function expectStartFails(settings: Record<string, string>, code: string) {
    const proc = run(['start'], { UNDUB_API_PORT: String(await freePort()), ...settings });
    expect(await proc.exited).toBe(1);
    const lines = proc.stderr().trim().split('\n');
    expect(lines.at(-1)).toMatch(new RegExp(`^undub: .+ \\(${code}\\)$`));
    expect(proc.stderr()).not.toMatch(/^\s+at /m);
    return lines.at(-1);
  }

  it('ends with one clear line for a corrupt DATABASE_URL', async () => {
    await expectStartFails({ DATABASE_URL: 'postgresql://user@db host:5432/undub' }, 'CONFIG_INVALID');
    await expectStartFails({ DATABASE_URL: 'http://127.0.0.1/undub' }, 'DB_URL_INVALID');
  });

  it('ends with one clear line for an unwritable UNDUB_DATA_DIR', async () => {
    const file = path.join(dir, 'not-a-dir');
    await writeFile(file, '');
    const line = await expectStartFails(
      { UNDUB_DATA_DIR: path.join(file, 'data') },
      'DB_DATA_DIR_UNWRITABLE',
    );
    expect(line).toContain(path.join(file, 'data'));
  });

  it('ends with one clear line when a port is in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = String((blocker.address() as net.AddressInfo).port);
    try {
      await expectStartFails(
        { UNDUB_API_PORT: taken, UNDUB_DATA_DIR: path.join(dir, 'd2') },
        'API_PORT_IN_USE',
      );
      await expectStartFails(
        { UNDUB_EMBEDDED_DB_PORT: taken, UNDUB_DATA_DIR: path.join(dir, 'd3') },
        'DB_PORT_IN_USE',
      );
    } finally {
      blocker.close();
    }
  });

  it('reports errors as JSON on stdout with --json', async () => {
    const proc = run(['--json', 'start'], { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/undub' });
    expect(await proc.exited).toBe(1);
    expect(JSON.parse(proc.stdout())).toEqual({
      error: { code: 'DB_UNREACHABLE', message: expect.stringContaining('127.0.0.1:1') },
    });
  });
});
