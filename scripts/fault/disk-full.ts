// Disk-full fault test (this machine only; needs root to mount a tmpfs): the media store of the data
// directory lives on a small tmpfs that is filled to the last byte twice, once while uploads arrive and
// once while workers write their stems; then the operator frees space. Checks that refused uploads got
// STORAGE_FULL and left nothing behind, that jobs hit by the full volume were retried and ended with
// exactly one verdict, and that nothing was lost or duplicated. Writes docs/benchmarks/faults-disk-full.{json,md}.
//
//   npx tsx scripts/fault/disk-full.ts [--uploads 8] [--seconds 4] [--volume-mb 1024] [--full-seconds 15]
import { execFileSync } from 'node:child_process';
import { open, mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { verifyAuditChain } from '../../apps/api/src/audit';
import { markdownTable } from '../../bench/src/score';
import {
  clip,
  indexCatalog,
  loadManifest,
  machineLine,
  openBatchServices,
  pickBatch,
  REPO_ROOT,
  ScratchPostgres,
  sleep,
  submitFile,
  unfinishedJobs,
  WorkerPool,
  type Submission,
} from './batch';
import { checkBatch, tally } from './checks';

const { values: args } = parseArgs({
  options: {
    uploads: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '4' },
    'volume-mb': { type: 'string', default: '1024' },
    'full-seconds': { type: 'string', default: '15' },
    data: { type: 'string', default: path.join(REPO_ROOT, '.bench/dev') },
    out: { type: 'string', default: path.join(REPO_ROOT, 'docs/benchmarks') },
  },
});

const t0 = Date.now();
const elapsed = () => Number(((Date.now() - t0) / 1000).toFixed(1));
const events: { at: number; event: string; detail?: string }[] = [];
const event = (name: string, detail?: string) => {
  events.push({ at: elapsed(), event: name, detail });
  process.stderr.write(`[disk-full ${elapsed()}s] ${name}${detail ? `: ${detail}` : ''}\n`);
};

/** Writes zeros into `file` until the volume refuses (ENOSPC); returns the bytes written. */
async function fill(file: string): Promise<number> {
  const handle = await open(file, 'a');
  const block = Buffer.alloc(1 << 16);
  let written = 0;
  try {
    for (;;) {
      try {
        written += (await handle.write(block)).bytesWritten;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOSPC') return written;
        throw err;
      }
    }
  } finally {
    await handle.close().catch(() => {});
  }
}

async function main(): Promise<number> {
  if (process.getuid?.() !== 0) throw new Error('mounting the small volume needs root');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'undub-diskfull-'));
  const dataDir = path.join(dir, 'data');
  await mkdir(dataDir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${args['volume-mb']}m`, 'tmpfs', dataDir]);
  event('volume_mounted', `${args['volume-mb']} MB tmpfs at ${dataDir} (the data directory's media store)`);
  const filler = path.join(dataDir, 'filler');
  const pg = await ScratchPostgres.start(dir);
  const services = await openBatchServices(pg.url, dataDir, { UNDUB_JOB_RETRY_LIMIT: '6' });
  const pool = new WorkerPool(services.workerEnv, 2);
  try {
    const manifest = await loadManifest(args.data);
    const batch = pickBatch(manifest, Number(args.uploads));
    await indexCatalog(services, args.data, batch, (m) => event('catalog', m));
    const clips: string[] = [];
    for (const u of batch.uploads)
      clips.push(
        await clip(path.join(args.data, u.file), path.join(dir, 'in', `${u.id}.mp4`), Number(args.seconds)),
      );
    const half = Math.ceil(clips.length / 2);

    // 1. Full while uploads arrive: each is refused with a code and leaves no row and no file.
    event('volume_filled', `${(await fill(filler)) >> 20} MB of filler`);
    const refused: Submission[] = [];
    for (const file of clips.slice(0, half)) refused.push(await submitFile(services, file));
    const { rows: stray } = await services.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "Upload"`,
    );
    event('submitted_while_full', `${refused.filter((s) => s.error).length}/${half} refused`);

    // 2. Full while workers write their stems: uploads stored, the volume refilled, workers started;
    // after --full-seconds the operator frees the space and the retried jobs finish.
    await unlink(filler);
    const accepted: Submission[] = [];
    for (const file of clips.slice(half)) accepted.push(await submitFile(services, file));
    event('volume_filled', `${(await fill(filler)) >> 20} MB of filler, then workers started`);
    pool.start();
    const jobIds = accepted.flatMap((s) => (s.result?.job ? [s.result.job.id] : []));
    // Full for at least --full-seconds and until a job has met it (first attempts take a while to
    // reach their stems), at most 3 minutes.
    const fullFrom = Date.now();
    const fullErrors = new Set<string>();
    const fullLong = () =>
      Date.now() - fullFrom >= Number(args['full-seconds']) * 1000 &&
      (fullErrors.size > 0 || Date.now() - fullFrom > 180_000);
    while (!fullLong()) {
      // Workers log each failed attempt with its code (`undub worker` stderr).
      for (const line of pool.log) {
        const id = /job (\S+) \(analyze_upload\) attempt \d+ failed: STORAGE_FULL/.exec(line)?.[1];
        if (id && jobIds.includes(id)) fullErrors.add(id);
      }
      await sleep(500);
    }
    await unlink(filler);
    event('space_freed', `${fullErrors.size}/${jobIds.length} jobs had failed an attempt with STORAGE_FULL`);

    // 3. The refused files, submitted again now that there is room.
    const resubmitted: Submission[] = [];
    for (const file of clips.slice(0, half)) resubmitted.push(await submitFile(services, file));
    const allJobs = [...jobIds, ...resubmitted.flatMap((s) => (s.result?.job ? [s.result.job.id] : []))];
    const deadline = Date.now() + 15 * 60_000;
    while ((await unfinishedJobs(services, allJobs)) !== 0 && Date.now() < deadline) await sleep(1000);
    event('batch_finished');
    await pool.stop();

    const check = await checkBatch(
      services,
      [...accepted, ...resubmitted],
      await verifyAuditChain(services.db.prisma),
      dataDir,
    );
    const failures = [...check.failures];
    const notRefused = refused.filter((s) => s.error?.code !== 'STORAGE_FULL');
    if (notRefused.length)
      failures.push(`${notRefused.length} uploads on the full volume were not refused with STORAGE_FULL`);
    if (stray[0].n > 0) failures.push(`${stray[0].n} Upload rows were created while the volume was full`);
    if (fullErrors.size === 0)
      failures.push('no job met the full volume: the test did not exercise the worker path');
    const summary = {
      command: `npx tsx scripts/fault/disk-full.ts ${process.argv.slice(2).join(' ')}`.trim(),
      date: new Date().toISOString(),
      machine: machineLine(),
      passed: failures.length === 0,
      failures,
      refusedWhileFull: tally(refused.map((s) => s.error?.code ?? 'accepted')),
      rowsCreatedWhileFull: stray[0].n,
      jobsThatMetTheFullVolume: fullErrors.size,
      counts: check.counts,
      verdicts: check.verdicts,
      attempts: check.attempts,
      auditChain: check.auditChain,
      events,
    };
    await mkdir(args.out, { recursive: true });
    await writeFile(path.join(args.out, 'faults-disk-full.json'), JSON.stringify(summary, null, 2) + '\n');
    await writeFile(path.join(args.out, 'faults-disk-full.md'), report(summary));
    event(summary.passed ? 'all checks passed' : `FAILED: ${failures.join('; ')}`);
    return summary.passed ? 0 : 1;
  } finally {
    await pool.stop();
    await services.close().catch(() => {});
    await pg.stop().catch(() => {});
    execFileSync('umount', ['-l', dataDir]);
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}

function report(s: {
  command: string;
  date: string;
  machine: string;
  passed: boolean;
  failures: string[];
  refusedWhileFull: Record<string, number>;
  rowsCreatedWhileFull: number;
  jobsThatMetTheFullVolume: number;
  counts: Record<string, number>;
  verdicts: Record<string, number>;
  attempts: Record<string, number>;
  auditChain: { ok: boolean; checked: number; broken: number };
  events: { at: number; event: string; detail?: string }[];
}): string {
  const kv = (o: Record<string, number>) =>
    Object.entries(o)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  return [
    "# undub fault test: the data directory's volume full",
    '',
    `\`${s.command}\` · ${s.date} · ${s.machine}`,
    '',
    `**${s.passed ? 'PASSED' : 'FAILED'}**${s.failures.length ? `: ${s.failures.join('; ')}` : ''}`,
    '',
    markdownTable(
      ['check', 'result'],
      [
        ['uploads submitted while the volume was full', kv(s.refusedWhileFull)],
        ['Upload rows created while it was full', String(s.rowsCreatedWhileFull)],
        [
          'jobs that failed an attempt with STORAGE_FULL while writing stems',
          String(s.jobsThatMetTheFullVolume),
        ],
        [
          'uploads with exactly one verdict after space was freed',
          `${s.counts.goodWithVerdict} / ${s.counts.goodUploads}`,
        ],
        ['uploads with one coded error', String(s.counts.goodWithError)],
        ['inconsistent uploads', String(s.counts.inconsistent)],
        [
          'duplicated jobs / stems / verdicts / audit events',
          `${s.counts.duplicateJobs} / ${s.counts.duplicateStems} / ${s.counts.duplicateVerdicts} / ${s.counts.duplicateAuditEvents}`,
        ],
        [
          'stored files without a row / rows without a file',
          `${s.counts.orphanFiles} / ${s.counts.missingFiles}`,
        ],
        ['partial temp files left', String(s.counts.leftoverTempFiles)],
        ['attempts per job', kv(s.attempts)],
        [
          'audit chain',
          s.auditChain.ok
            ? `verifies (${s.auditChain.checked} events)`
            : `BROKEN at ${s.auditChain.broken} rows`,
        ],
      ],
    ),
    '',
    `Verdicts: ${kv(s.verdicts)}.`,
    '',
    '## Events',
    '',
    markdownTable(
      ['at s', 'event', 'detail'],
      s.events.map((e) => [String(e.at), e.event, e.detail ?? '']),
    ),
    '',
  ].join('\n');
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`disk-full test failed to run: ${(err as Error).stack ?? err}\n`);
    process.exit(2);
  },
);
