// A small real job handler for queue tests: records every run, writes one result idempotently,
// then optionally sleeps (long on the first attempt, to be killed mid-job).
import { setTimeout as sleep } from 'node:timers/promises';
import { appendAuditEvent } from '../../src/audit';
import { registerJobHandler } from '../../src/worker';

export interface TestJobInput {
  value: number;
  sleepMs?: number;
  firstAttemptSleepMs?: number;
}

export const TEST_JOB_KIND = 'index_music';

export function registerTestHandler(): void {
  registerJobHandler({
    kind: TEST_JOB_KIND,
    stages: [
      {
        name: 'record-run',
        // No dedupeKey on purpose: one row per execution, so tests can count executions.
        run: async (ctx) => {
          await appendAuditEvent(ctx.db.prisma, {
            actor: ctx.workerId,
            action: 'test.ran',
            subject: `job:${ctx.job.id}`,
            payload: { attempt: ctx.attempt },
          });
        },
      },
      {
        name: 'write-result',
        run: async (ctx) => {
          const input = ctx.job.input as unknown as TestJobInput;
          await ctx.audit('test.result', `job:${ctx.job.id}`, { value: input.value * 2 });
        },
      },
      {
        name: 'wait',
        run: async (ctx) => {
          const input = ctx.job.input as unknown as TestJobInput;
          const ms =
            ctx.attempt === 1 && input.firstAttemptSleepMs ? input.firstAttemptSleepMs : (input.sleepMs ?? 0);
          await sleep(ms);
        },
      },
    ],
  });
}
