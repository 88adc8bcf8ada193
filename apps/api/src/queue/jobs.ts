// Submitting and cancelling jobs. The Job row is created first and its id doubles as the pg-boss
// job id, so the row and the queue entry can always be matched.
import type { PgBoss } from 'pg-boss';
import type { Database } from '../db';
import type { Job, JobKind, Prisma } from '../generated/prisma/client';
import type { Config } from '../config';
import { jobOptions, type QueueMessage } from './boss';

export interface EnqueueJobInput {
  tenantId: string;
  kind: JobKind;
  uploadId?: string;
  musicTrackId?: string;
  originalWorkId?: string;
  input?: Prisma.InputJsonValue;
}

export class QueueError extends Error {
  constructor(
    readonly code: 'QUEUE_UNAVAILABLE' | 'JOB_NOT_FOUND' | 'JOB_FINISHED',
    message: string,
  ) {
    super(message);
  }
}

export async function enqueueJob(
  db: Database,
  boss: PgBoss,
  config: Config,
  input: EnqueueJobInput,
): Promise<Job> {
  const job = await db.prisma.job.create({ data: { ...input, status: 'queued' } });
  const message: QueueMessage = { jobId: job.id };
  try {
    await boss.send(job.kind, message, { ...jobOptions(config), id: job.id });
  } catch (err) {
    await db.prisma.job.update({
      where: { id: job.id },
      data: { status: 'failed', errorCode: 'QUEUE_UNAVAILABLE', errorMessage: (err as Error).message },
    });
    throw new QueueError('QUEUE_UNAVAILABLE', `could not queue job ${job.id}: ${(err as Error).message}`);
  }
  return db.prisma.job.update({ where: { id: job.id }, data: { queueJobId: job.id } });
}

/** Cancels a queued or running job; a running one stops at its next stage boundary. */
export async function cancelJob(db: Database, boss: PgBoss, jobId: string): Promise<Job> {
  const job = await db.prisma.job.findUnique({ where: { id: jobId } });
  if (!job) throw new QueueError('JOB_NOT_FOUND', `no job ${jobId}`);
  if (job.status === 'succeeded' || job.status === 'failed' || job.status === 'cancelled')
    throw new QueueError('JOB_FINISHED', `job ${jobId} has already ${job.status}`);
  await boss.cancel(job.kind, jobId);
  return db.prisma.job.update({
    where: { id: jobId },
    data: { status: 'cancelled', finishedAt: new Date() },
  });
}
