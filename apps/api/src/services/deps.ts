// What the domain services need from the rest of the app; built once by the HTTP server (or a test).
import type { Config } from '../config';
import type { Database } from '../db';
import type { Job, PrismaClient } from '../generated/prisma/client';
import type { EnqueueJobInput } from '../queue';
import type { MediaStorage } from '../storage';
import type { CallerCache } from './caller-cache';

/** The job queue as the services use it: creates and queues a Job row, or cancels one. */
export interface JobDispatcher {
  enqueue(input: EnqueueJobInput): Promise<Job>;
  cancel(jobId: string): Promise<Job>;
}

export interface ServiceDeps {
  /** The database (pool and Prisma); `prisma` is `db.prisma`, the one most services use. */
  db: Database;
  prisma: PrismaClient;
  config: Config;
  storage: MediaStorage;
  jobs: JobDispatcher;
  /** The API process's cache of authenticated callers (absent elsewhere: every lookup queries). */
  callers?: CallerCache;
}
