// Fault test (this machine only, loopback only): a batch of uploads analysed by 2 worker processes
// that are SIGKILLed at random and restarted, with one PostgreSQL restart mid-batch, plus malformed
// and hostile media. Then checks that every upload ended with exactly one verdict or one clear error,
// that nothing was duplicated or lost, and that the audit chain verifies. Writes
// docs/benchmarks/faults.{json,md}; exits non-zero when a check fails.
//
//   npx tsx scripts/fault/run.ts [--uploads 100] [--hostile-sets 12] [--seconds 5] [--workers 2]
//                                [--seed 1] [--timeout-minutes 45] [--kill-every 20-45] [--keep]
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { verifyAuditChain } from '../../apps/api/src/audit';
import {
  busyWorkerPids,
  clip,
  indexCatalog,
  loadManifest,
  machineLine,
  openBatchServices,
  pickBatch,
  REPO_ROOT,
  ScratchPostgres,
  seededRandom,
  sleep,
  submitFile,
  unfinishedJobs,
  WorkerPool,
  type Submission,
} from './batch';
import { makeHostileSet, type HostileFile } from './hostile';
import { checkBatch, type BatchCheck } from './checks';
import { faultReportMarkdown, type FaultSummary } from './report';

const { values: args } = parseArgs({
  options: {
    uploads: { type: 'string', default: '100' },
    'hostile-sets': { type: 'string', default: '12' },
    seconds: { type: 'string', default: '5' },
    workers: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
    'timeout-minutes': { type: 'string', default: '45' },
    'kill-every': { type: 'string', default: '20-45' },
    data: { type: 'string', default: path.join(REPO_ROOT, '.bench/dev') },
    out: { type: 'string', default: path.join(REPO_ROOT, 'docs/benchmarks') },
    keep: { type: 'boolean', default: false },
  },
});

const uploadsWanted = Number(args.uploads);
const hostileSets = Number(args['hostile-sets']);
const seconds = Number(args.seconds);
const workerCount = Number(args.workers);
const random = seededRandom(Number(args.seed));
const [killMin, killMax] = args['kill-every'].split('-').map((x) => Number(x) * 1000);
const nextKillIn = () => killMin + random() * ((killMax ?? killMin) - killMin);
const t0 = Date.now();
const elapsed = () => Number(((Date.now() - t0) / 1000).toFixed(1));
const log = (line: string) => process.stderr.write(`[fault ${elapsed()}s] ${line}\n`);

export interface FaultEvent {
  at: number;
  event: string;
  detail?: string;
}

async function main(): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'undub-fault-'));
  const events: FaultEvent[] = [];
  const event = (name: string, detail?: string) => {
    events.push({ at: elapsed(), event: name, detail });
    log(`${name}${detail ? `: ${detail}` : ''}`);
  };
  const pg = await ScratchPostgres.start(dir);
  event('postgres_started', `embedded cluster in ${dir}/pg on 127.0.0.1:${pg.port}`);
  const retryLimit = '5';
  const services = await openBatchServices(pg.url, dir, { UNDUB_JOB_RETRY_LIMIT: retryLimit });
  const pool = new WorkerPool(services.workerEnv, workerCount);
  // Interrupted (Ctrl-C): take the workers and the cluster down too.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      pool.killAll();
      void pg.stop().finally(() => process.exit(130));
    });
  try {
    const manifest = await loadManifest(args.data);
    const batch = pickBatch(manifest, uploadsWanted);
    await indexCatalog(services, args.data, batch, log);

    const clips: string[] = [];
    for (const u of batch.uploads)
      clips.push(await clip(path.join(args.data, u.file), path.join(dir, 'in', `${u.id}.mp4`), seconds));
    const batchIds = new Set(batch.uploads.map((u) => u.id));
    const hostileSources = manifest.uploads
      .filter((u) => u.hasAudio && !batchIds.has(u.id))
      .slice(0, hostileSets);
    const hostile: HostileFile[] = [];
    for (const u of hostileSources) {
      const base = await clip(
        path.join(args.data, u.file),
        path.join(dir, 'hostile-src', `${u.id}.mp4`),
        seconds,
      );
      await mkdir(path.join(dir, 'hostile'), { recursive: true });
      hostile.push(...(await makeHostileSet(base, path.join(dir, 'hostile'), u.id, random)));
    }
    log(`${clips.length} uploads of ${seconds} s and ${hostile.length} hostile files ready`);

    pool.start();
    event('workers_started', `${workerCount} × undub worker`);
    // Uploads and hostile files interleaved, as they would arrive.
    const queue: { file: string; hostile?: HostileFile }[] = [
      ...clips.map((file) => ({ file })),
      ...hostile.map((h) => ({ file: h.file, hostile: h })),
    ].sort(() => random() - 0.5);
    const submissions: (Submission & { hostile?: HostileFile })[] = [];
    for (const item of queue)
      submissions.push({ ...(await submitFile(services, item.file)), hostile: item.hostile });
    const jobIds = submissions.flatMap((s) => (s.result?.job ? [s.result.job.id] : []));
    event(
      'submitted',
      `${submissions.length} files, ${jobIds.length} jobs queued, ${submissions.filter((s) => s.error).length} refused`,
    );

    // Chaos until every job has ended: every --kill-every seconds, a worker busy with a job is
    // SIGKILLed; Postgres is restarted once when 40% of the jobs are done.
    const deadline = t0 + Number(args['timeout-minutes']) * 60_000;
    let nextKill = Date.now() + nextKillIn();
    let restarted = false;
    for (;;) {
      const left = await unfinishedJobs(services, jobIds);
      if (left === 0) break;
      if (Date.now() > deadline) {
        event('timeout', `${left} jobs unfinished`);
        break;
      }
      if (!restarted && left !== null && left <= jobIds.length * 0.6) {
        restarted = true;
        event('postgres_restart_begin', `${jobIds.length - left}/${jobIds.length} jobs done`);
        await pg.restart();
        event('postgres_restart_end');
      }
      if (Date.now() >= nextKill) {
        const live = new Set(pool.pids());
        const busy = (await busyWorkerPids(services)).filter((pid) => live.has(pid));
        const pid = busy.length ? pool.killRandom(random, busy) : undefined;
        if (pid) {
          event('worker_killed', `pid ${pid} (SIGKILL, busy with a job)`);
          nextKill = Date.now() + nextKillIn();
        }
      }
      await sleep(1000);
    }
    event('batch_finished');
    await pool.stop();

    const check: BatchCheck = await checkBatch(
      services,
      submissions,
      await verifyAuditChain(services.db.prisma),
      dir,
    );
    const summary: FaultSummary = {
      command: `npx tsx scripts/fault/run.ts ${process.argv.slice(2).join(' ')}`.trim(),
      date: new Date().toISOString(),
      machine: machineLine(),
      settings: {
        uploads: clips.length,
        uploadSeconds: seconds,
        hostileFiles: hostile.length,
        workers: workerCount,
        seed: Number(args.seed),
        queue: {
          ...Object.fromEntries(
            Object.entries(services.workerEnv).filter(
              ([k]) => k.startsWith('UNDUB_JOB') || k.startsWith('UNDUB_QUEUE'),
            ),
          ),
        },
        catalog: { music: batch.music.length, originals: batch.originals.length },
      },
      wallSeconds: elapsed(),
      workerKills: pool.kills,
      workerRestarts: pool.restarts,
      postgresRestarts: restarted ? 1 : 0,
      events,
      ...check,
    };
    await mkdir(args.out, { recursive: true });
    await writeFile(path.join(args.out, 'faults.json'), JSON.stringify(summary, null, 2) + '\n');
    await writeFile(path.join(args.out, 'faults.md'), faultReportMarkdown(summary));
    await writeFile(path.join(dir, 'workers.log'), pool.log.join('\n') + '\n');
    log(`report: ${path.join(args.out, 'faults.md')} (worker log: ${dir}/workers.log)`);
    if (!check.passed) log(`worker log, last lines:\n${pool.log.slice(-40).join('\n')}`);
    log(check.passed ? 'all checks passed' : `FAILED: ${check.failures.join('; ')}`);
    return check.passed ? 0 : 1;
  } finally {
    await pool.stop();
    await services.close().catch(() => {});
    await pg.stop().catch(() => {});
    if (!args.keep) await rm(dir, { recursive: true, force: true }).catch(() => {});
    else log(`kept ${dir}`);
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`fault test failed to run: ${(err as Error).stack ?? err}\n`);
    process.exit(2);
  },
);
