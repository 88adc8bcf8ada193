// Subscriptions, fed by the database's change notifications (see services/change-feed).
import type { Job } from '../../generated/prisma/client';
import { changeStream } from '../../services/change-feed';
import { notFound } from '../../services/errors';
import { getJob } from '../../services/jobs';
import { getVerdict } from '../../services/review';
import { requireCaller, type GraphQLContext } from '../context';

const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

async function* untilFinished(
  first: Job,
  updates: AsyncIterableIterator<Job>,
): AsyncGenerator<{ jobProgress: Job }> {
  try {
    yield { jobProgress: first };
    if (FINISHED.has(first.status)) return;
    for await (const job of updates) {
      yield { jobProgress: job };
      if (FINISHED.has(job.status)) return;
    }
  } finally {
    await updates.return?.();
  }
}

export const Subscription = {
  jobProgress: {
    subscribe: async (_: unknown, { jobId }: { jobId: string }, ctx: GraphQLContext) => {
      const caller = requireCaller(ctx);
      // Listen before reading the current state, so no change falls between the two.
      const updates = changeStream(
        ctx.feed,
        'undub_job',
        (e) => e.id === jobId,
        () => getJob(ctx.deps, caller, jobId),
      );
      const job = await getJob(ctx.deps, caller, jobId);
      if (!job) {
        await updates.return?.();
        throw notFound('job', jobId);
      }
      return untilFinished(job, updates);
    },
  },
  verdictReady: {
    subscribe: (_: unknown, __: unknown, ctx: GraphQLContext) => {
      const caller = requireCaller(ctx);
      const verdicts = changeStream(
        ctx.feed,
        'undub_verdict',
        (e) => e.tenantId === caller.tenantId,
        (e) => getVerdict(ctx.deps, caller, e.id),
      );
      return (async function* () {
        try {
          for await (const verdict of verdicts) yield { verdictReady: verdict };
        } finally {
          await verdicts.return?.();
        }
      })();
    },
  },
};
