// A removal thread: runs block jobs sent by threads.ts, writing each OST into the job's shared buffer.
import { parentPort } from 'node:worker_threads';
import { Scratch } from '../dsp';
import { processBlock, sharedViews, type SharedJob } from './block';

// Kept between jobs: the blocks of one upload have the same size, and fresh memory is slow to touch.
const scratch = new Scratch();

parentPort!.on('message', ({ id, job }: { id: number; job: SharedJob }) => {
  try {
    const views = sharedViews(job);
    const res = processBlock(views.job, scratch);
    res.ost.forEach((c, i) => views.ost[i].set(c));
    parentPort!.postMessage({ id, musicEnergy: res.musicEnergy, referenceEnergy: res.referenceEnergy });
  } catch (err) {
    parentPort!.postMessage({ id, error: (err as Error).message });
  }
});
parentPort!.postMessage({ ready: true });
