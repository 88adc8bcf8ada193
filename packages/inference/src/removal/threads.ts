// Removal threads: blocks of a segment are independent once it is aligned, so they run side by side
// on worker threads while the calling thread runs blocks too. One thread fewer than the cores (the
// calling thread is the other); started once per process and kept (unref'd: they never hold it open).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BlockJob, BlockOutput } from './block';

interface RemovalThread {
  ready: Promise<boolean>;
  run(job: BlockJob): Promise<BlockOutput>;
}

let threads: RemovalThread[] | undefined;

/** Threads a removal can run on: the removal threads and the calling one. */
export function lanes(): number {
  return availableParallelism();
}

function startThread(): RemovalThread {
  const worker = new Worker(new URL('./block-worker.mjs', import.meta.url), { execArgv: [] });
  const pending = new Map<number, { resolve: (o: BlockOutput) => void; reject: (e: Error) => void }>();
  let next = 0;
  let failed: Error | undefined;
  const fail = (err: Error) => {
    failed = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  const ready = new Promise<boolean>((resolve) => {
    worker.on('message', (m: { ready?: boolean; id: number; out?: BlockOutput; error?: string }) => {
      if (m.ready) return resolve(true);
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.error !== undefined) p?.reject(new Error(m.error));
      else p?.resolve(m.out!);
    });
    worker.on('error', (err) => {
      resolve(false);
      fail(err);
    });
    worker.on('exit', () => {
      resolve(false);
      fail(new Error('removal thread exited'));
    });
  });
  // Held only while it has work: an idle thread never keeps the process alive (after the listeners,
  // which would hold it again).
  worker.unref();
  return {
    ready,
    run(job) {
      if (failed) return Promise.reject(failed);
      const id = next++;
      worker.ref();
      return new Promise<BlockOutput>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage(
          { id, job },
          [...job.mix, ...job.reference].map((c) => c.buffer as ArrayBuffer),
        );
      }).finally(() => {
        if (pending.size === 0) worker.unref();
      });
    },
  };
}

/**
 * Starts the removal threads if they are not running (an analysis calls this first, so they are up
 * by the time its removal starts); returns them.
 */
export function startRemovalThreads(): RemovalThread[] {
  threads ??= Array.from({ length: lanes() - 1 }, startThread);
  return threads;
}

/**
 * Runs `jobs` (made on demand, in order) on the removal threads and this one; `use` gets each output as
 * it arrives, and must use it before returning (a block run here lives in `local` scratch space).
 */
export async function runBlocks(
  count: number,
  job: (i: number) => BlockJob,
  runHere: (job: BlockJob) => BlockOutput,
  use: (i: number, out: BlockOutput) => void,
): Promise<void> {
  let taken = 0;
  let allTaken: () => void = () => {};
  const noneLeft = new Promise<false>((resolve) => (allTaken = () => resolve(false)));
  const onThread = async (thread: RemovalThread) => {
    // A thread still starting when this one has taken every block is not waited for.
    if (!(await Promise.race([thread.ready, noneLeft]))) return;
    while (taken < count) {
      const i = taken++;
      let out: BlockOutput;
      try {
        out = await thread.run(job(i));
      } catch {
        // A thread that died leaves its block to this one, and takes no more.
        use(i, runHere(job(i)));
        return;
      }
      use(i, out);
    }
  };
  const here = async () => {
    await null; // threads already up take the first blocks
    while (taken < count) {
      const i = taken++;
      use(i, runHere(job(i)));
      // Lets threads that came up meanwhile take the next block.
      await new Promise((r) => setImmediate(r));
    }
    allTaken();
  };
  await Promise.all([...(count > 1 ? startRemovalThreads() : []).map(onThread), here()]);
}
