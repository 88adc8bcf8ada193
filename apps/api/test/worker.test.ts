import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/config';
import { openDatabase, type Database } from '../src/db';
import { cancelJob, enqueueJob, openBoss } from '../src/queue';
import { createStorage } from '../src/storage';
import { JobError, registerJobHandler, startWorker, type Worker } from '../src/worker';
import { createTestDatabase, type TestDatabase } from './support/database';

interface FlakyInput {
  failAttempts: number;
  retryable: boolean;
}

// Fails its first `failAttempts` attempts, in its second stage, then succeeds.
registerJobHandler<{ seen: number }>({
  kind: 'index_original',
  stages: [
    { name: 'first', run: async (ctx) => void (ctx.state.seen = ctx.attempt) },
    {
      name: 'second',
      weight: 3,
      run: async (ctx) => {
        const input = ctx.job.input as unknown as FlakyInput;
        await ctx.setProgress(0.5);
        if (ctx.state.seen <= input.failAttempts)
          throw new JobError('TEST_FLAKY', `attempt ${ctx.attempt} fails`, input.retryable);
      },
    },
  ],
});

describe('worker: retries, permanent failures, cancellation', () => {
  let testDb: TestDatabase;
  let db: Database;
  let boss: PgBoss;
  let worker: Worker;
  let config: Config;
  let dataDir: string;
  let tenantId: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'undub-worker-'));
    config = loadConfig({
      DATABASE_URL: testDb.url,
      UNDUB_DATA_DIR: dataDir,
      UNDUB_QUEUE_POLL_SECONDS: '0.5',
      UNDUB_JOB_RETRY_DELAY_SECONDS: '1',
      UNDUB_JOB_RETRY_LIMIT: '2',
    });
    db = await openDatabase(config, { migrate: false });
    boss = await openBoss(db.url, config, 'test');
    worker = await startWorker({ db, storage: createStorage(config), config, workerId: 'in-test' });
    tenantId = (await db.prisma.tenant.create({ data: { name: 'worker-test' } })).id;
  });

  afterAll(async () => {
    await worker?.stop(5);
    await boss?.stop({ graceful: false });
    await db?.close();
    await testDb?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const submit = (input: FlakyInput) =>
    enqueueJob(db, boss, config, { tenantId, kind: 'index_original', input: { ...input } });

  async function settled(id: string, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await db.prisma.job.findUniqueOrThrow({ where: { id } });
      if (job.status === 'succeeded' || job.status === 'failed' || job.status === 'cancelled') return job;
      if (Date.now() > deadline) throw new Error(`job still ${job.status}`);
      await sleep(200);
    }
  }

  it('retries a failed attempt with backoff and then succeeds', async () => {
    const job = await settled((await submit({ failAttempts: 1, retryable: true })).id);
    expect(job).toMatchObject({
      status: 'succeeded',
      attempts: 2,
      errorCode: null,
      progress: 1,
      stage: null,
    });
  });

  it('fails after the last retry with the error code of the last attempt', async () => {
    const job = await settled((await submit({ failAttempts: 5, retryable: true })).id, 30_000);
    expect(job).toMatchObject({
      status: 'failed',
      attempts: 3,
      errorCode: 'TEST_FLAKY',
      errorMessage: 'attempt 3 fails',
    });
    expect(job.finishedAt).not.toBeNull();
  });

  it('does not retry a non-retryable error', async () => {
    const job = await settled((await submit({ failAttempts: 5, retryable: false })).id);
    expect(job).toMatchObject({ status: 'failed', attempts: 1, errorCode: 'TEST_FLAKY' });
    expect(job.stageTimings).toHaveProperty('first');
  });

  it('cancels a job that has not run, and it never runs', async () => {
    await worker.stop(5);
    const job = await submit({ failAttempts: 0, retryable: true });
    expect((await cancelJob(db, boss, job.id)).status).toBe('cancelled');
    worker = await startWorker({ db, storage: createStorage(config), config, workerId: 'in-test-2' });
    await sleep(1500);
    expect(await db.prisma.job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({
      status: 'cancelled',
      attempts: 0,
    });
    await expect(cancelJob(db, boss, job.id)).rejects.toMatchObject({ code: 'JOB_FINISHED' });
  });
});
