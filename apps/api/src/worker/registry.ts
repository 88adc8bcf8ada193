// Job handlers by JobKind. A handler is a list of stages run in order; each stage writes its
// results idempotently (upserts on natural keys, audit events with a dedupeKey), because a job
// whose worker died or that failed part-way runs again from its first stage.
import type { Config } from '../config';
import type { Database } from '../db';
import type { Job, JobKind } from '../generated/prisma/client';
import type { MediaStorage } from '../storage';

export interface JobContext<S = Record<string, unknown>> {
  /** The Job row as it was when this attempt started. */
  job: Job;
  /** 1 for the first run, 2 for the first retry, ... */
  attempt: number;
  workerId: string;
  db: Database;
  storage: MediaStorage;
  config: Config;
  /** Aborted when the job is cancelled or this worker lost its claim on it: stop early. */
  signal: AbortSignal;
  /** Values handed from one stage to the next within one attempt. */
  state: S;
  /** Progress within the current stage, 0..1 (written to the Job row, throttled). */
  setProgress(fraction: number): Promise<void>;
  /** Appends an audit event once per job, stage and key, however often the stage runs. */
  audit(action: string, subject: string, payload?: Record<string, unknown>, key?: string): Promise<void>;
}

export interface JobStage<S = Record<string, unknown>> {
  name: string;
  /** Share of the job's progress bar (default 1). */
  weight?: number;
  run(ctx: JobContext<S>): Promise<void>;
}

export interface JobHandler<S = Record<string, unknown>> {
  kind: JobKind;
  stages: JobStage<S>[];
}

/** A failure with a stable code; `retryable: false` for bad input, which no retry can fix. */
export class JobError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable = true,
  ) {
    super(message);
  }
}

const handlers = new Map<JobKind, JobHandler>();

export function registerJobHandler<S>(handler: JobHandler<S>): void {
  handlers.set(handler.kind, handler as unknown as JobHandler);
}

export function getJobHandler(kind: JobKind): JobHandler | undefined {
  return handlers.get(kind);
}

export function registeredJobKinds(): JobKind[] {
  return [...handlers.keys()];
}
