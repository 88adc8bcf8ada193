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

/**
 * A job laid out in one shared buffer (mix channels, reference channels, then room for the OST), as it
 * crosses to a removal thread: each thread keeps one such buffer, so blocks leave no copies behind.
 */
export interface SharedJob extends Omit<BlockJob, 'mix' | 'reference'> {
  buffer: SharedArrayBuffer;
  channels: number;
  refChannels: number;
  /** Samples per mix channel and per reference channel. */
  length: number;
  refLength: number;
}

/** `job` copied into `buffer` (or a larger one when it does not fit). */
export function shareJob(job: BlockJob, buffer?: SharedArrayBuffer): SharedJob {
  const { mix, reference, ...rest } = job;
  const n = mix[0].length;
  const m = reference[0].length;
  const floats = 2 * mix.length * n + reference.length * m;
  const shared = buffer && buffer.byteLength >= 4 * floats ? buffer : new SharedArrayBuffer(4 * floats);
  const all = new Float32Array(shared);
  mix.forEach((c, i) => all.set(c, i * n));
  reference.forEach((c, i) => all.set(c, mix.length * n + i * m));
  return {
    ...rest,
    buffer: shared,
    channels: mix.length,
    refChannels: reference.length,
    length: n,
    refLength: m,
  };
}

/** The job in a shared buffer, and where its OST goes. */
export function sharedViews(s: SharedJob): { job: BlockJob; ost: Float32Array[] } {
  const all = new Float32Array(s.buffer);
  const part = (first: number, count: number, len: number) =>
    Array.from({ length: count }, (_, i) => all.subarray(first + i * len, first + (i + 1) * len));
  const { buffer: _b, channels, refChannels, length: n, refLength: m, ...rest } = s;
  return {
    job: { ...rest, mix: part(0, channels, n), reference: part(channels * n, refChannels, m) },
    ost: part(channels * n + refChannels * m, channels, n),
  };
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
    reference: reference.map((c) => c.subarray(lo, hi)),
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
