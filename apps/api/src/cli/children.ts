// Child processes of `undub start`: job workers (restarted when they die) and the dashboard.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import readline from 'node:readline';
import type { Config } from '../config';
import { progress } from './output';

const undubBin = path.resolve(import.meta.dirname, '../../bin/undub.mjs');
const dashboardDir = path.resolve(import.meta.dirname, '../../../dashboard');

/** Forwards a child's output to stderr, each line prefixed with its name. */
function prefixOutput(child: ChildProcess, name: string): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (stream)
      readline.createInterface({ input: stream }).on('line', (line) => progress(`[${name}] ${line}`));
  }
}

/** Asks a child to stop (SIGTERM), then kills it after `graceMs`. */
function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface ChildGroup {
  stop(): Promise<void>;
}

const RESTART_DELAY_MS = 2000;

/** `count` worker processes on `databaseUrl`; one that exits unexpectedly is started again. */
export function startWorkers(count: number, databaseUrl: string): ChildGroup {
  let stopping = false;
  const running = new Set<ChildProcess>();
  const launch = (n: number) => {
    const child = spawn(process.execPath, [undubBin, 'worker'], {
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    running.add(child);
    prefixOutput(child, `worker ${n}`);
    child.on('exit', (code, signal) => {
      running.delete(child);
      if (stopping) return;
      progress(`[worker ${n}] exited (${signal ?? code}); restarting in ${RESTART_DELAY_MS / 1000} s`);
      setTimeout(() => !stopping && launch(n), RESTART_DELAY_MS).unref();
    });
  };
  for (let n = 1; n <= count; n++) launch(n);
  return {
    async stop() {
      stopping = true;
      // Workers finish their running job stage within their own 30 s grace.
      await Promise.all([...running].map((child) => stopChild(child, 35_000)));
    },
  };
}

export interface Dashboard extends ChildGroup {
  url: string | null;
  mode: 'dev' | 'prod' | 'off';
}

/** The Next.js dashboard: built (`next start`) when a build exists, else `next dev`. */
export function startDashboard(config: Config, apiUrl: string): Dashboard {
  const built = existsSync(path.join(dashboardDir, '.next', 'BUILD_ID'));
  const hasApp =
    existsSync(path.join(dashboardDir, 'src', 'app')) || existsSync(path.join(dashboardDir, 'app'));
  const mode =
    !hasApp || config.dashboardMode === 'off'
      ? 'off'
      : config.dashboardMode === 'auto'
        ? built
          ? 'prod'
          : 'dev'
        : config.dashboardMode;
  if (mode === 'off') return { url: null, mode, stop: async () => {} };
  const nextBin = createRequire(path.join(dashboardDir, 'package.json')).resolve('next/dist/bin/next');
  const child = spawn(
    process.execPath,
    [nextBin, mode === 'prod' ? 'start' : 'dev', '-p', String(config.dashboardPort)],
    {
      cwd: dashboardDir,
      env: {
        ...process.env,
        NEXT_TELEMETRY_DISABLED: '1',
        UNDUB_API_URL: apiUrl,
        UNDUB_API_PORT: String(config.apiPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  prefixOutput(child, 'dashboard');
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM')
      progress(`[dashboard] exited (${signal ?? code}); the API keeps running`);
  });
  return { url: `http://localhost:${config.dashboardPort}`, mode, stop: () => stopChild(child, 5000) };
}
