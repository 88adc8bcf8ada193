// A worker: takes jobs of every registered kind from pg-boss, one at a time per kind, and runs
// them. pg-boss claims each job with SKIP LOCKED, so workers sharing the database (here or on
// other machines) never take the same job; heartbeats let a dead worker's job be retried elsewhere.
import os from 'node:os';
import type { JobWithMetadata, PgBoss } from 'pg-boss';
import type { Config } from '../config';
import type { Database } from '../db';
import { DEAD_LETTER_QUEUE, openBoss, type QueueMessage } from '../queue';
import type { MediaStorage } from '../storage';
import { registeredJobKinds } from './registry';
import { recordDeadJob, runJob, type WorkerDeps } from './run-job';

export interface Worker {
  workerId: string;
  boss: PgBoss;
  /** Stops taking jobs and waits for the running ones (up to `graceSeconds`). */
  stop(graceSeconds?: number): Promise<void>;
}

export interface StartWorkerOptions {
  db: Database;
  storage: MediaStorage;
  config: Config;
  workerId?: string;
  log?: (line: string) => void;
}

export async function startWorker(options: StartWorkerOptions): Promise<Worker> {
  const workerId = options.workerId ?? `${os.hostname()}:${process.pid}`;
  const deps: WorkerDeps = { ...options, workerId };
  const boss = await openBoss(options.db.url, options.config, 'worker');
  const work = {
    pollingIntervalSeconds: options.config.queuePollSeconds,
    batchSize: 1,
    includeMetadata: true,
  } as const;
  for (const kind of registeredJobKinds()) {
    await boss.work(kind, work, async ([delivery]: JobWithMetadata<QueueMessage>[]) =>
      runJob(deps, delivery),
    );
  }
  await boss.work(DEAD_LETTER_QUEUE, work, async ([delivery]: JobWithMetadata<QueueMessage>[]) =>
    recordDeadJob(deps, delivery),
  );
  return {
    workerId,
    boss,
    async stop(graceSeconds = 30) {
      await boss.stop({ graceful: true, timeout: graceSeconds * 1000 });
    },
  };
}
