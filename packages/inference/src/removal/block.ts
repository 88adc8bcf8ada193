// One block of a segment's removal as a self-contained job (its audio, the part of the reference it
// reads and the time map), so blocks can run on other threads: plain typed arrays in and out.
import { Scratch } from '../dsp';
import { resampleMapped, sourceSpan } from './resample';
import { removeBlock, type ShapingOptions } from './shaping';
import type { TimeMap } from './timemap';

export interface BlockJob {
  /** The upload's channels over the block (with its overlap and padding). */
  mix: Float32Array[];
  /** The reference channels from sample `refOffset` on (only the part the block reads). */
  reference: Float32Array[];
  /** Upload sample (relative to the segment start) → reference sample, shifted by `refOffset`. */
  map: TimeMap;
  /** The block's first sample relative to the segment start. */
  at: number;
  cutoff: number;
  sampleRate: number;
  shaping: ShapingOptions;
}

export interface BlockOutput {
  ost: Float32Array[];
  musicEnergy: number;
  referenceEnergy: number;
}

/** The job for upload samples [at, at + mix length) of a segment, with only the reference they read. */
export function blockJob(
  mix: Float32Array[],
  reference: Float32Array[],
  map: TimeMap,
  at: number,
  settings: Pick<BlockJob, 'cutoff' | 'sampleRate' | 'shaping'>,
): BlockJob {
  const { lo, hi } = sourceSpan(map, at, at + mix[0].length, reference[0].length);
  return {
    mix,
    reference: reference.map((c) => c.slice(lo, hi)),
    map: { at: map.at, ref: map.ref.map((r) => r - lo) },
    at,
    ...settings,
  };
}

/** Runs a job; the OST it returns lives in `scratch` until the next job on the same scratch. */
export function processBlock(job: BlockJob, scratch: Scratch): BlockOutput {
  const n = job.mix[0].length;
  const aligned = job.reference.map((ch, c) => {
    const r = scratch.take(`aligned${c}`, n);
    resampleMapped(ch, job.map, job.at, r, job.cutoff);
    return r;
  });
  return removeBlock(job.mix, aligned, job.sampleRate, job.shaping, scratch);
}
