import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PgBoss } from 'pg-boss';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/config';
import { openDatabase, type Database } from '../src/db';
import { enqueueJob, openBoss } from '../src/queue';
import { createTestDatabase, type TestDatabase } from './support/database';
import { spawnTs, type Child } from './support/processes';
import { TEST_JOB_KIND, type TestJobInput } from './support/test-handler';

const workerScript = path.join(import.meta.dirname, 'support/test-worker.ts');

describe('job queue with worker processes', () => {
  let testDb: TestDatabase;
  let db: Database;
  let boss: PgBoss;
  let config: Config;
  let env: Record<string, string>;
  let dataDir: string;
  let tenantId: string;
  const children: Child[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'undub-queue-'));
    env = {
      DATABASE_URL: testDb.url,
      UNDUB_DATA_DIR: dataDir,
      UNDUB_QUEUE_POLL_SECONDS: '0.5',
      UNDUB_QUEUE_MONITOR_SECONDS: '1',
      UNDUB_JOB_HEARTBEAT_SECONDS: '10',
      UNDUB_JOB_RETRY_DELAY_SECONDS: '1',
    };
    config = loadConfig(env);
    db = await openDatabase(config, { migrate: false });
    boss = await openBoss(db.url, config, 'test');
    tenantId = (await db.prisma.tenant.create({ data: { name: 'queue-test' } })).id;
  });

  // A test that fails half-way must not leave its workers to take the next test's jobs.
  afterEach(() => {
    for (const child of children.splice(0)) child.process.kill('SIGKILL');
  });

  afterAll(async () => {
    await boss?.stop({ graceful: false });
    await db?.close();
    await testDb?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function startWorker(): Promise<Child> {
    const child = spawnTs([workerScript], env);
    children.push(child);
    await child.waitFor(/worker \S+ ready/);
    return child;
  }

  const submit = (input: TestJobInput) =>
    enqueueJob(db, boss, config, { tenantId, kind: TEST_JOB_KIND, input: { ...input } });

  async function waitForJobs(ids: string[], status: string, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const jobs = await db.prisma.job.findMany({ where: { id: { in: ids } } });
      if (jobs.every((j) => j.status === status)) return jobs;
      if (Date.now() > deadline)
        throw new Error(`jobs not ${status}: ${JSON.stringify(jobs.map((j) => j.status))}`);
      await sleep(200);
    }
  }

  const events = (action: string, jobId: string) =>
    db.prisma.auditEvent.findMany({ where: { action, subject: `job:${jobId}` } });

  it('runs 20 jobs on 2 worker processes, each exactly once, spread over both', async () => {
    const workers = await Promise.all([startWorker(), startWorker()]);
    const jobs = await Promise.all(Array.from({ length: 20 }, (_, value) => submit({ value, sleepMs: 150 })));
    const finished = await waitForJobs(
      jobs.map((j) => j.id),
      'succeeded',
      120_000,
    );
    const runners = new Set<string>();
    for (const job of finished) {
      const runs = await events('test.ran', job.id);
      expect(runs).toHaveLength(1);
      runners.add(runs[0].actor);
      const results = await events('test.result', job.id);
      expect(results).toHaveLength(1);
      expect(job).toMatchObject({ attempts: 1, progress: 1, errorCode: null });
      expect(Object.keys(job.stageTimings as object).sort()).toEqual(['record-run', 'wait', 'write-result']);
    }
    expect(runners.size).toBe(2);
    for (const w of workers) {
      w.process.kill('SIGTERM');
      expect(await w.exited).toBe(0);
    }
  });

  it('finishes the job of a worker killed mid-job after a restart, with exactly one result', async () => {
    const first = await startWorker();
    const job = await submit({ value: 21, firstAttemptSleepMs: 600_000 });
    for (;;) {
      const row = await db.prisma.job.findUniqueOrThrow({ where: { id: job.id } });
      if (row.status === 'running' && row.stage === 'wait') {
        expect(row.workerId).toMatch(new RegExp(`:${first.process.pid}$`));
        break;
      }
      await sleep(100);
    }
    expect(await events('test.result', job.id)).toHaveLength(1);
    first.process.kill('SIGKILL');
    await first.exited;

    const second = await startWorker();
    const [done] = await waitForJobs([job.id], 'succeeded', 120_000);
    expect(done.attempts).toBe(2);
    expect(done.workerId).toMatch(new RegExp(`:${second.process.pid}$`));
    expect(await events('test.ran', job.id)).toHaveLength(2);
    const results = await events('test.result', job.id);
    expect(results).toHaveLength(1);
    expect(results[0].payload).toEqual({ value: 42 });
    second.process.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('marks a job failed (JOB_ABANDONED) when its worker dies on the last attempt', async () => {
    const first = await startWorker();
    const lastChance = loadConfig({ ...env, UNDUB_JOB_RETRY_LIMIT: '0' });
    const job = await enqueueJob(db, boss, lastChance, {
      tenantId,
      kind: TEST_JOB_KIND,
      input: { value: 1, firstAttemptSleepMs: 600_000 },
    });
    for (;;) {
      const row = await db.prisma.job.findUniqueOrThrow({ where: { id: job.id } });
      if (row.status === 'running' && row.stage === 'wait') break;
      await sleep(100);
    }
    first.process.kill('SIGKILL');
    await first.exited;
    await startWorker();
    const [failed] = await waitForJobs([job.id], 'failed', 120_000);
    expect(failed).toMatchObject({ errorCode: 'JOB_ABANDONED', attempts: 1 });
    expect(failed.finishedAt).not.toBeNull();
  });
});
