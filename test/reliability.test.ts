// The real analysis job under faults: `undub worker` processes on a PostgreSQL cluster of the test's
// own (embedded, so it can be restarted without disturbing anyone), a catalog with the original work,
// and re-uploads of it. A worker SIGKILLed in the middle of an analysis, and the database restarted
// while jobs run, must each leave every upload with exactly one verdict (the right one), nothing
// duplicated or left over, and an intact audit chain. (The 100-upload version with random kills is the
// fault script, scripts/fault/run.ts.)
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMusic, addOriginal } from '../apps/api/src/catalog';
import { verifyAuditChain } from '../apps/api/src/audit';
import {
  busyWorkerPids,
  openBatchServices,
  ScratchPostgres,
  seededRandom,
  sleep,
  submitFile,
  unfinishedJobs,
  WorkerPool,
  type BatchServices,
  type Submission,
} from '../scripts/fault/batch';
import { checkBatch } from '../scripts/fault/checks';
import { makeMedia, type E2eMedia } from './e2e/media';

const log = (m: string) => process.stderr.write(`[reliability] ${m}\n`);

let dir: string;
let pg: ScratchPostgres;
let services: BatchServices;
let pool: WorkerPool;
let media: E2eMedia;
let originalId: string;
let copies = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'undub-reliability-'));
  pg = await ScratchPostgres.start(dir);
  services = await openBatchServices(pg.url, dir, { UNDUB_JOB_RETRY_LIMIT: '5' });
  media = await makeMedia(dir);
  const opts = {
    storage: services.deps.storage,
    maxDurationSeconds: services.config.maxDurationSeconds,
    tenantId: services.caller.tenantId,
  };
  await addMusic(services.db, media.music, { externalId: 'tune', title: 'Tune' }, opts);
  await addOriginal(services.db, media.original, { externalId: 'film', title: 'Film' }, opts);
  originalId = (await services.db.prisma.originalWork.findFirstOrThrow({ where: { externalId: 'film' } })).id;
  pool = new WorkerPool(services.workerEnv, 2);
  pool.start();
}, 240_000);

afterAll(async () => {
  if (!pool || !services) return; // beforeAll failed before they existed
  pool.killAll();
  await services.close().catch(() => {});
  await pg?.stop().catch(() => {});
  await rm(dir, { recursive: true, force: true });
}, 60_000);

/** `n` distinct copies of the upload (a different trailing byte each: same media, another sha256). */
async function submitCopies(n: number): Promise<Submission[]> {
  const bytes = await readFile(media.upload);
  const submissions: Submission[] = [];
  for (let i = 0; i < n; i++) {
    const file = path.join(dir, `copy-${++copies}.mp4`);
    await writeFile(file, Buffer.concat([bytes, Buffer.from([copies])]));
    submissions.push(await submitFile(services, file));
  }
  expect(submissions.filter((s) => s.error)).toEqual([]);
  return submissions;
}

const jobIdsOf = (submissions: Submission[]) => submissions.map((s) => s.result!.job!.id);

/** Waits until a job of the batch is part-way through its analysis; returns the pid of its worker. */
async function midAnalysis(jobIds: string[]): Promise<number> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const running = await services.db.prisma.job.findFirst({
      where: { id: { in: jobIds }, status: 'running', stage: 'analyze', progress: { gt: 0.1 } },
    });
    const pids = await busyWorkerPids(services);
    if (running?.workerId && pids.length) return Number(running.workerId.split(':').pop());
    await sleep(100);
  }
  throw new Error(
    `no job of the batch reached the middle of its analysis:\n${pool.log.slice(-20).join('\n')}`,
  );
}

async function allEnded(jobIds: string[], ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while ((await unfinishedJobs(services, jobIds)) !== 0) {
    if (Date.now() > deadline)
      throw new Error(`jobs unfinished after ${ms / 1000} s:\n${pool.log.slice(-30).join('\n')}`);
    await sleep(500);
  }
}

/** Every upload has one job, one verdict (a re-upload of the film), no duplicates, and the chain verifies. */
async function expectOneVerdictEach(submissions: Submission[]): Promise<number[]> {
  const check = await checkBatch(services, submissions, await verifyAuditChain(services.db.prisma), dir);
  expect(check.failures).toEqual([]);
  expect(check.passed).toBe(true);
  expect(check.outcomes.map((o) => o.outcome)).toEqual(submissions.map(() => 'verdict'));
  const verdicts = await services.db.prisma.verdict.findMany({
    where: { uploadId: { in: submissions.map((s) => s.result!.upload.id) } },
  });
  expect(verdicts.map((v) => [v.verdict, v.originalWorkId])).toEqual(
    submissions.map(() => ['reupload', originalId]),
  );
  return check.outcomes.map((o) => o.attempts ?? 0);
}

describe('analysis jobs under faults', () => {
  it('a worker SIGKILLed in the middle of an analysis: the job is finished by a restarted worker, with one verdict', async () => {
    const submissions = await submitCopies(2);
    const jobIds = jobIdsOf(submissions);
    const victim = await midAnalysis(jobIds);
    const killed = pool.killRandom(seededRandom(1), [victim]);
    expect(killed).toBe(victim);
    log(`killed worker ${victim} mid-analysis`);
    await allEnded(jobIds, 300_000);
    const attempts = await expectOneVerdictEach(submissions);
    // The killed worker's job ran twice; the verdict was still written once.
    expect(Math.max(...attempts)).toBe(2);
    expect(pool.restarts).toBeGreaterThanOrEqual(1);
  }, 420_000);

  it('PostgreSQL restarted while analyses run: no job is lost, each upload gets one verdict', async () => {
    const submissions = await submitCopies(3);
    const jobIds = jobIdsOf(submissions);
    await midAnalysis(jobIds);
    log('restarting PostgreSQL mid-batch');
    await pg.restart();
    await allEnded(jobIds, 300_000);
    await expectOneVerdictEach(submissions);
  }, 420_000);
});
