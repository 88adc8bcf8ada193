// pg-boss, in the app's own PostgreSQL (schema `pgboss`): one queue per JobKind; each job carries the
// retry (with backoff), heartbeat and timeout settings of the config that queued it. A job that exhausts its
// attempts lands in DEAD_LETTER_QUEUE, where a worker records the failure on the Job row.
import { PgBoss } from 'pg-boss';
import type { Config } from '../config';
import { JobKind } from '../generated/prisma/enums';

export const QUEUE_SCHEMA = 'pgboss';
export const DEAD_LETTER_QUEUE = 'job_dead_letter';
export const JOB_QUEUES = Object.values(JobKind);

/** What every queue message carries: the Job row is the source of truth for the rest. */
export interface QueueMessage {
  jobId: string;
}

/** Retry, heartbeat and timeout settings, sent with each job so config changes apply to new jobs. */
export function jobOptions(config: Config) {
  return {
    retryLimit: config.jobRetryLimit,
    retryDelay: config.jobRetryDelaySeconds,
    retryBackoff: true,
    retryDelayMax: 300,
    expireInSeconds: config.jobTimeoutSeconds,
    heartbeatSeconds: config.jobHeartbeatSeconds,
    deadLetter: DEAD_LETTER_QUEUE,
  };
}

export async function openBoss(url: string, config: Config, role: string): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: url,
    schema: QUEUE_SCHEMA,
    application_name: `undub-${role}`,
    max: 4,
    superviseIntervalSeconds: config.queueMonitorSeconds,
    monitorIntervalSeconds: config.queueMonitorSeconds,
  });
  // Connection hiccups are retried by pg-boss itself; unhandled, the event would crash the process.
  boss.on('error', (err) => process.stderr.write(`queue: ${err.message}\n`));
  await boss.start();
  if (!(await boss.getQueue(DEAD_LETTER_QUEUE))) await boss.createQueue(DEAD_LETTER_QUEUE);
  for (const name of JOB_QUEUES) {
    if (!(await boss.getQueue(name))) await boss.createQueue(name, jobOptions(config));
  }
  return boss;
}
