// Reading, retrying and cancelling jobs of the caller's tenant, through the job queue.
import type { Job, JobKind, JobStatus } from '../generated/prisma/client';
import type { Caller } from './caller';
import type { ServiceDeps } from './deps';
import { audit } from './transactions';
import { notFound, ServiceError } from './errors';
import { paginate, type Page } from './pagination';

export interface JobFilter {
  status?: JobStatus[] | null;
  kind?: JobKind[] | null;
  uploadId?: string | null;
}

export function listJobs(
  deps: ServiceDeps,
  caller: Caller,
  filter: JobFilter = {},
  first = 20,
  after?: string | null,
): Promise<Page<Job>> {
  const where = {
    tenantId: caller.tenantId,
    ...(filter.status?.length ? { status: { in: filter.status } } : {}),
    ...(filter.kind?.length ? { kind: { in: filter.kind } } : {}),
    ...(filter.uploadId ? { uploadId: filter.uploadId } : {}),
  };
  return paginate(
    first,
    after,
    (page) => deps.prisma.job.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], ...page }),
    () => deps.prisma.job.count({ where }),
  );
}

export function getJob(deps: ServiceDeps, caller: Caller, id: string): Promise<Job | null> {
  return deps.prisma.job.findFirst({ where: { id, tenantId: caller.tenantId } });
}

/**
 * Retrying queues a new Job for the same subject (the failed one stays as it was, for the record);
 * the handlers' stage writes are idempotent, so the new run replaces rather than duplicates results.
 */
export async function retryJob(deps: ServiceDeps, caller: Caller, id: string): Promise<Job> {
  const job = await getJob(deps, caller, id);
  if (!job) throw notFound('job', id);
  if (job.status !== 'failed' && job.status !== 'cancelled')
    throw new ServiceError(
      'JOB_NOT_RETRYABLE',
      `job ${id} is ${job.status}; only failed or cancelled jobs are retried`,
    );
  const newer = await deps.prisma.job.findFirst({
    where: {
      id: { not: job.id },
      kind: job.kind,
      createdAt: { gt: job.createdAt },
      uploadId: job.uploadId,
      musicTrackId: job.musicTrackId,
      originalWorkId: job.originalWorkId,
    },
  });
  if (newer) throw new ServiceError('JOB_NOT_RETRYABLE', `job ${id} was already retried as job ${newer.id}`);
  const retry = await deps.jobs.enqueue({
    tenantId: job.tenantId,
    kind: job.kind,
    ...(job.uploadId ? { uploadId: job.uploadId } : {}),
    ...(job.musicTrackId ? { musicTrackId: job.musicTrackId } : {}),
    ...(job.originalWorkId ? { originalWorkId: job.originalWorkId } : {}),
    input: job.input ?? {},
  });
  await audit(deps.prisma, {
    tenantId: caller.tenantId,
    actor: caller.actor,
    action: 'job.retried',
    subject: `job:${id}`,
    payload: { retryJobId: retry.id, previousStatus: job.status },
  });
  return retry;
}

export async function cancelJob(deps: ServiceDeps, caller: Caller, id: string): Promise<Job> {
  const job = await getJob(deps, caller, id);
  if (!job) throw notFound('job', id);
  if (job.status !== 'queued' && job.status !== 'running')
    throw new ServiceError('JOB_NOT_CANCELLABLE', `job ${id} has already ${job.status}`);
  const cancelled = await deps.jobs.cancel(id).catch((err: { code?: string }) => {
    // Finished between the check and the cancel.
    if (err.code === 'JOB_FINISHED')
      throw new ServiceError('JOB_NOT_CANCELLABLE', `job ${id} has already finished`);
    throw err;
  });
  await audit(deps.prisma, {
    tenantId: caller.tenantId,
    actor: caller.actor,
    action: 'job.cancelled',
    subject: `job:${id}`,
    payload: { previousStatus: job.status },
  });
  return cancelled;
}
