// A removal thread: runs block jobs sent by threads.ts and sends the OST back (transferred).
import { parentPort } from 'node:worker_threads';
import { Scratch } from '../dsp';
import { processBlock, type BlockJob } from './block';

// Kept between jobs: the blocks of one upload have the same size, and fresh memory is slow to touch.
const scratch = new Scratch();

parentPort!.on('message', ({ id, job }: { id: number; job: BlockJob }) => {
  try {
    const res = processBlock(job, scratch);
    const ost = res.ost.map((c) => c.slice());
    parentPort!.postMessage(
      { id, out: { ...res, ost } },
      ost.map((c) => c.buffer),
    );
  } catch (err) {
    parentPort!.postMessage({ id, error: (err as Error).message });
  }
});
parentPort!.postMessage({ ready: true });
