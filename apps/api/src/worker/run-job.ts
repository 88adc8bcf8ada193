// Runs one delivery of a job: its stages in order, mirroring status, stage, progress, attempts,
// timings and errors onto the Job row. Throwing hands the job back to pg-boss for a retry.
import type { JobWithMetadata } from 'pg-boss';
import { appendAuditEvent } from '../audit';
import type { Config } from '../config';
import type { Database } from '../db';
import type { Job, Prisma } from '../generated/prisma/client';
import type { QueueMessage } from '../queue';
import type { MediaStorage } from '../storage';
import { getJobHandler, JobError, type JobContext } from './registry';

export interface WorkerDeps {
  db: Database;
  storage: MediaStorage;
  config: Config;
  workerId: string;
  /** Operator log (stderr of `undub worker`): failed attempts, so a full disk or a bad file shows up there. */
  log?: (line: string) => void;
}

const PROGRESS_WRITE_MS = 500;

function describe(err: unknown): { code: string; message: string; retryable: boolean } {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown })?.code;
  return {
    code: typeof code === 'string' ? code : 'JOB_FAILED',
    message,
    retryable: !(err instanceof JobError && !err.retryable),
  };
}

/** Updates the row unless the job was cancelled meanwhile (a cancel must not be overwritten). */
async function updateUnlessCancelled(
  deps: WorkerDeps,
  jobId: string,
  data: Prisma.JobUpdateManyMutationInput,
) {
  const { count } = await deps.db.prisma.job.updateMany({
    where: { id: jobId, status: { not: 'cancelled' } },
    data,
  });
  return count === 1;
}

export async function runJob(deps: WorkerDeps, delivery: JobWithMetadata<QueueMessage>): Promise<void> {
  const { prisma } = deps.db;
  const job = await prisma.job.findUnique({ where: { id: delivery.data.jobId } });
  // Deleted with its upload, cancelled, or already done by an earlier delivery: nothing to run.
  if (!job || job.status === 'succeeded' || job.status === 'cancelled' || job.status === 'failed') return;

  const attempt = delivery.retryCount + 1;
  const handler = getJobHandler(job.kind);
  if (!handler) {
    await updateUnlessCancelled(deps, job.id, {
      status: 'failed',
      attempts: attempt,
      errorCode: 'JOB_KIND_UNSUPPORTED',
      errorMessage: `no handler for job kind ${job.kind} in this worker`,
      finishedAt: new Date(),
    });
    return;
  }

  const weights = handler.stages.map((s) => s.weight ?? 1);
  const total = weights.reduce((a, b) => a + b, 0) || 1;
  const timings: Record<string, number> = {};
  let done = 0;
  let current = handler.stages[0]?.name ?? null;
  let lastProgressWrite = 0;

  const started = await updateUnlessCancelled(deps, job.id, {
    status: 'running',
    attempts: attempt,
    workerId: deps.workerId,
    startedAt: job.startedAt ?? new Date(),
    stage: current,
    progress: 0,
    errorCode: null,
    errorMessage: null,
  });
  if (!started) return;

  const ctx: JobContext = {
    job: job as Job,
    attempt,
    workerId: deps.workerId,
    db: deps.db,
    storage: deps.storage,
    config: deps.config,
    signal: delivery.signal,
    state: {},
    async setProgress(fraction) {
      const now = Date.now();
      if (now - lastProgressWrite < PROGRESS_WRITE_MS) return;
      lastProgressWrite = now;
      const within = Math.min(1, Math.max(0, fraction));
      const stageWeight = weights[handler.stages.findIndex((s) => s.name === current)] ?? 0;
      await updateUnlessCancelled(deps, job.id, { progress: (done + within * stageWeight) / total });
    },
    async audit(action, subject, payload, key = '') {
      await appendAuditEvent(prisma, {
        tenantId: job.tenantId,
        actor: `worker:${deps.workerId}`,
        action,
        subject,
        payload: (payload ?? {}) as Prisma.InputJsonValue,
        dedupeKey: `job:${job.id}:${current}:${action}:${subject}:${key}`,
      });
    },
  };

  try {
    for (const [i, stage] of handler.stages.entries()) {
      if (delivery.signal.aborted)
        throw new JobError('JOB_ABORTED', 'the job was cancelled or its claim was lost');
      current = stage.name;
      await updateUnlessCancelled(deps, job.id, { stage: stage.name, progress: done / total });
      const t0 = performance.now();
      await stage.run(ctx);
      timings[stage.name] = Number(((performance.now() - t0) / 1000).toFixed(3));
      done += weights[i];
      await updateUnlessCancelled(deps, job.id, { stageTimings: timings, progress: done / total });
    }
    await updateUnlessCancelled(deps, job.id, {
      status: 'succeeded',
      stage: null,
      progress: 1,
      finishedAt: new Date(),
    });
  } catch (err) {
    const { code, message, retryable } = describe(err);
    const final = !retryable || delivery.retryCount >= delivery.retryLimit;
    deps.log?.(
      `job ${job.id} (${job.kind}) attempt ${attempt} failed: ${code}: ${message}${final ? '' : ' (will retry)'}`,
    );
    await updateUnlessCancelled(deps, job.id, {
      // A job that will be retried is waiting in the queue again.
      status: final ? 'failed' : 'queued',
      errorCode: code,
      errorMessage: message,
      stageTimings: timings,
      ...(final ? { finishedAt: new Date() } : {}),
    });
    // Completing (not failing) the delivery of a non-retryable error keeps pg-boss from retrying.
    if (retryable) throw err;
  }
}

/** A job that used up its attempts without its handler recording the end (worker died, timed out). */
export async function recordDeadJob(
  deps: WorkerDeps,
  delivery: JobWithMetadata<QueueMessage>,
): Promise<void> {
  await deps.db.prisma.job.updateMany({
    where: { id: delivery.data.jobId, status: { in: ['queued', 'running'] } },
    data: {
      status: 'failed',
      errorCode: 'JOB_ABANDONED',
      errorMessage: 'the job ran out of attempts without finishing (its worker stopped or it timed out)',
      finishedAt: new Date(),
    },
  });
}
