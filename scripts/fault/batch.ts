// A batch of uploads against real worker processes, on a PostgreSQL of its own: an embedded cluster in
// a scratch folder (so restarting it disturbs no one else), a small catalog from the development
// benchmark, uploads submitted through the same service function the API uses, and `undub worker`
// children that can be killed and restarted. Used by the fault test and the throughput benchmark.
import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { PgBoss } from 'pg-boss';
import { addMusic, addOriginal, ensureDefaultTenant } from '../../apps/api/src/catalog';
import { loadConfig, type Config } from '../../apps/api/src/config';
import { openDatabase, type Database } from '../../apps/api/src/db';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../apps/api/src/db/embedded';
import { cancelJob, enqueueJob, openBoss } from '../../apps/api/src/queue';
import type { Caller } from '../../apps/api/src/services/caller';
import type { ServiceDeps } from '../../apps/api/src/services/deps';
import { submitUpload, type SubmitResult } from '../../apps/api/src/services/uploads';
import { createStorage } from '../../apps/api/src/storage';
import type { Manifest, Upload as BenchUpload } from '../../bench/src/manifest';

const run = promisify(execFile);
export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const UNDUB_BIN = path.join(REPO_ROOT, 'apps/api/bin/undub.mjs');

/** Queue settings for short batches: a dead worker's job is noticed in ~10 s instead of 30. */
export const BATCH_QUEUE_ENV: Record<string, string> = {
  UNDUB_JOB_HEARTBEAT_SECONDS: '10',
  UNDUB_QUEUE_MONITOR_SECONDS: '2',
  UNDUB_JOB_RETRY_DELAY_SECONDS: '1',
  UNDUB_QUEUE_POLL_SECONDS: '0.5',
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** An embedded cluster in `dir`/pg that the caller owns and may restart. */
export class ScratchPostgres {
  private server: EmbeddedPostgres | null = null;
  url = '';
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async start(dir: string): Promise<ScratchPostgres> {
    const pg = new ScratchPostgres(dir, await freePort());
    await pg.up();
    return pg;
  }

  private async up(): Promise<void> {
    this.server = await startEmbeddedPostgres(this.dir, this.port);
    this.url = this.server.url;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.up();
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = null;
  }
}

export interface BatchServices {
  config: Config;
  db: Database;
  boss: PgBoss;
  deps: ServiceDeps;
  caller: Caller;
  /** The environment of worker processes (database, data folder, queue settings). */
  workerEnv: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export async function openBatchServices(
  url: string,
  dataDir: string,
  env: Record<string, string> = {},
): Promise<BatchServices> {
  const workerEnv = {
    ...process.env,
    ...BATCH_QUEUE_ENV,
    ...env,
    DATABASE_URL: url,
    UNDUB_DATA_DIR: dataDir,
  };
  const config = loadConfig(workerEnv);
  const db = await openDatabase(config);
  const boss = await openBoss(url, config, 'batch');
  const storage = createStorage(config);
  const deps: ServiceDeps = {
    db,
    prisma: db.prisma,
    config,
    storage,
    jobs: {
      enqueue: (input) => enqueueJob(db, boss, config, input),
      cancel: (id) => cancelJob(db, boss, id),
    },
  };
  const tenantId = await ensureDefaultTenant(db);
  const caller: Caller = {
    tenantId,
    role: 'admin',
    userId: null,
    apiKeyId: null,
    sessionId: null,
    actor: 'batch:submitter',
    rateKey: 'batch',
  };
  return {
    config,
    db,
    boss,
    deps,
    caller,
    workerEnv,
    async close() {
      await boss.stop({ graceful: false, timeout: 1000 }).catch(() => {});
      await db.close();
    },
  };
}

export async function loadManifest(dataDir: string): Promise<Manifest> {
  return JSON.parse(await readFile(path.join(dataDir, 'manifest.json'), 'utf8')) as Manifest;
}

/**
 * `count` benchmark uploads with audio, drawn from as few originals as possible (so the catalog to
 * index stays small), with the catalog items they need.
 */
export function pickBatch(manifest: Manifest, count: number) {
  const byOriginal = new Map<string, BenchUpload[]>();
  for (const u of manifest.uploads) {
    if (!u.hasAudio || !u.originalId) continue;
    byOriginal.set(u.originalId, [...(byOriginal.get(u.originalId) ?? []), u]);
  }
  const catalogOriginals = new Set(manifest.originals.filter((o) => o.inCatalog).map((o) => o.id));
  const groups = [...byOriginal.entries()].sort(
    (a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]),
  );
  const uploads: BenchUpload[] = [];
  for (const [, us] of groups) {
    if (uploads.length >= count) break;
    uploads.push(...us.slice(0, count - uploads.length));
  }
  const originals = manifest.originals.filter(
    (o) => catalogOriginals.has(o.id) && uploads.some((u) => u.originalId === o.id),
  );
  const musicIds = new Set(uploads.map((u) => u.musicId));
  const music = manifest.music.filter((m) => m.inCatalog && musicIds.has(m.id));
  return { uploads, originals, music };
}

export async function indexCatalog(
  services: BatchServices,
  dataDir: string,
  batch: ReturnType<typeof pickBatch>,
  log: (line: string) => void,
): Promise<void> {
  const opts = {
    storage: services.deps.storage,
    maxDurationSeconds: services.config.maxDurationSeconds,
    tenantId: services.caller.tenantId,
  };
  for (const m of batch.music)
    await addMusic(services.db, path.join(dataDir, m.file), { externalId: m.id, title: m.id }, opts);
  for (const o of batch.originals)
    await addOriginal(services.db, path.join(dataDir, o.video), { externalId: o.id, title: o.title }, opts);
  log(`catalog: ${batch.music.length} music tracks, ${batch.originals.length} original works`);
}

/** The first `seconds` of a video, stream-copied (no re-encode: cheap, and still the upload's own bytes). */
export async function clip(src: string, out: string, seconds: number): Promise<string> {
  await mkdir(path.dirname(out), { recursive: true });
  await run('ffmpeg', [
    '-loglevel',
    'error',
    '-y',
    '-i',
    src,
    '-t',
    String(seconds),
    '-c',
    'copy',
    '-movflags',
    '+faststart',
    out,
  ]);
  return out;
}

export interface Submission {
  file: string;
  result?: SubmitResult;
  error?: { code: string; message: string };
}

/** Submits a file the way the API's upload mutation does (a request stream and its file name). */
export async function submitFile(
  services: BatchServices,
  file: string,
  externalReference?: string,
): Promise<Submission> {
  try {
    const source = { open: () => createReadStream(file), fileName: path.basename(file) };
    const result = await submitUpload(services.deps, services.caller, source, externalReference);
    return { file, result };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return {
      file,
      error: { code: typeof code === 'string' ? code : 'INTERNAL', message: (err as Error).message },
    };
  }
}

/** `undub worker` children, restarted when they die (unless stopping). */
export class WorkerPool {
  private readonly children = new Map<number, ChildProcess>();
  private stopping = false;
  kills = 0;
  restarts = 0;
  readonly log: string[] = [];

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly size: number,
  ) {}

  start(): void {
    for (let slot = 0; slot < this.size; slot++) this.spawnSlot(slot);
  }

  private spawnSlot(slot: number): void {
    const child = spawn('nice', ['-n', '10', process.execPath, UNDUB_BIN, 'worker'], {
      cwd: REPO_ROOT,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.set(slot, child);
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n'))
        if (line.trim()) this.log.push(`[w${slot}:${child.pid}] ${line}`);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.once('exit', (code, signal) => {
      this.log.push(`[w${slot}:${child.pid}] exited ${signal ?? code}`);
      if (this.stopping || this.children.get(slot) !== child) return;
      // Restarted after a pause, as a supervisor would.
      setTimeout(() => {
        if (this.stopping) return;
        this.restarts++;
        this.spawnSlot(slot);
      }, 1000);
    });
  }

  /** Process ids of the live workers. */
  pids(): number[] {
    return [...this.children.values()].flatMap((c) =>
      c.pid && c.exitCode === null && c.signalCode === null ? [c.pid] : [],
    );
  }

  /** SIGKILLs one of `pids` chosen at random (it is restarted by the exit handler). */
  killRandom(random: () => number, pids = this.pids()): number | undefined {
    const pid = pids[Math.floor(random() * pids.length)];
    const child = [...this.children.values()].find((c) => c.pid === pid);
    if (!child || child.exitCode !== null || child.signalCode !== null) return undefined;
    child.kill('SIGKILL');
    this.kills++;
    return pid;
  }

  /** Ends every worker at once (the test is being interrupted). */
  killAll(): void {
    this.stopping = true;
    for (const pid of this.pids()) process.kill(pid, 'SIGKILL');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const force = setTimeout(() => child.kill('SIGKILL'), 20_000);
            child.once('exit', () => {
              clearTimeout(force);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  }
}

/** Process ids of the workers running a job now (the Job row's workerId is `host:pid`). */
export async function busyWorkerPids(services: BatchServices): Promise<number[]> {
  try {
    const running = await services.db.prisma.job.findMany({
      where: { status: 'running' },
      select: { workerId: true },
    });
    return running.flatMap((j) => (j.workerId ? [Number(j.workerId.split(':').pop())] : []));
  } catch {
    return [];
  }
}

/** Job rows of a batch still waiting or running (0 when the batch is done); null while the database is unreachable. */
export async function unfinishedJobs(services: BatchServices, jobIds: string[]): Promise<number | null> {
  try {
    return await services.db.prisma.job.count({
      where: { id: { in: jobIds }, status: { in: ['queued', 'running'] } },
    });
  } catch {
    return null;
  }
}

/** Seeded random numbers (mulberry32), so a run's kill schedule can be repeated. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The machine line of the fault reports: cores, CPU model and the load average now. */
export function machineLine(): string {
  const load = os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load average at end ${load}`;
}
