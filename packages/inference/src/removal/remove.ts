// Reference-guided removal over a whole upload: each matched segment is aligned once, then processed
// in blocks of bounded length (so a long upload runs in bounded memory), with raised-cosine
// crossfades between blocks and into the untouched audio around the segment.
import { downmix, Scratch } from '../dsp';
import { alignReference } from './align';
import { cutoffForSpeed, resampleMapped } from './resample';
import { removeBlock, type ShapingOptions } from './shaping';

export interface ReferenceSegment {
  /** Upload time, seconds. */
  start: number;
  end: number;
  /** Reference time at `start`, seconds. */
  refStart: number;
  /** Reference seconds per upload second, when the matcher measured it. */
  speed?: number;
}

export interface RemovedSegment {
  start: number;
  end: number;
  method: 'reference';
  /** Level of the music as found in the upload relative to the reference, dB. */
  gainDb: number;
  /** Measured speed (reference seconds per upload second). */
  speed: number;
  /** Energy left in the segment after removal relative to the upload's, dB (low: mostly music was removed). */
  residualDb: number;
  /** How clearly the reference was found (median normalised correlation peak, 0..1). */
  confidence: number;
}

export interface RemovalOptions extends ShapingOptions {
  /** Audio processed around each segment to catch fades and the matcher's ±50 ms, seconds. */
  margin?: number;
  /** Block length, seconds. */
  blockSeconds?: number;
}

export interface RemovalResult {
  ost: Float32Array[];
  bgm: Float32Array[];
  segments: RemovedSegment[];
}

export class RemovalError extends Error {
  constructor(
    readonly code: 'REMOVAL_BAD_INPUT',
    message: string,
  ) {
    super(message);
    this.name = 'RemovalError';
  }
}

function validate(mix: Float32Array[], sampleRate: number, reference: Float32Array[]): void {
  if (mix.length === 0 || reference.length === 0)
    throw new RemovalError('REMOVAL_BAD_INPUT', 'no audio channels');
  if (!(sampleRate >= 8000 && sampleRate <= 192000))
    throw new RemovalError('REMOVAL_BAD_INPUT', `unsupported sample rate ${sampleRate}`);
  if (mix.some((c) => c.length !== mix[0].length) || reference.some((c) => c.length !== reference[0].length))
    throw new RemovalError('REMOVAL_BAD_INPUT', 'channels differ in length');
}

/** Default audio processed around each segment, seconds. */
const MARGIN_SECONDS = 0.5;
/** Block crossfade overlap and STFT edge padding, seconds. */
const OVERLAP_SECONDS = 0.25;
const PAD_SECONDS = 0.1;
/** How far past a region the aligned reference is read (overlap, padding, interpolator), seconds. */
const REACH_SECONDS = OVERLAP_SECONDS + PAD_SECONDS + 0.2;
/** Largest speed change the reference is read for. */
const MAX_SPEED = 1.05;

/**
 * The reference seconds [start, end) that removing `segments` can read: a caller holding a long
 * catalog track decodes only these, and passes segments with `refStart` taken from `start`. `slack`
 * covers a decoder's inexact seek and the aligner's search around `refStart`.
 */
export function referenceRange(
  segments: ReferenceSegment[],
  options: { margin?: number; slack?: number } = {},
): { start: number; end: number } {
  const { margin = MARGIN_SECONDS, slack = 1 } = options;
  const reach = (margin + REACH_SECONDS) * MAX_SPEED + slack;
  let start = Infinity;
  let end = -Infinity;
  for (const s of segments) {
    start = Math.min(start, s.refStart - reach);
    end = Math.max(end, s.refStart + (s.end - s.start) * MAX_SPEED + reach);
  }
  return { start: Math.max(0, start), end: Math.max(0, end) };
}

/** Raised-cosine ramp 0→1 over `n` samples, evaluated at i. */
function ramp(i: number, n: number): number {
  if (i <= 0) return 0;
  if (i >= n) return 1;
  return 0.5 - 0.5 * Math.cos((Math.PI * i) / n);
}

/**
 * Removes identified catalog music from the upload. `reference` must already be at `sampleRate`.
 * Segments are processed in order on what the previous ones left, so overlapping matches compose.
 */
export function removeReference(
  mix: Float32Array[],
  sampleRate: number,
  reference: Float32Array[],
  segments: ReferenceSegment[],
  options: RemovalOptions = {},
): RemovalResult {
  validate(mix, sampleRate, reference);
  const { margin = MARGIN_SECONDS, blockSeconds = 20, ...shaping } = options;
  const length = mix[0].length;
  const ost = mix.map((c) => c.slice());
  const done: RemovedSegment[] = [];
  const fade = Math.round(0.05 * sampleRate);
  const overlap = Math.round(OVERLAP_SECONDS * sampleRate);
  const pad = Math.round(PAD_SECONDS * sampleRate);
  for (const seg of segments) {
    const from = Math.max(0, Math.round(seg.start * sampleRate));
    const to = Math.min(length, Math.round(seg.end * sampleRate));
    if (to - from < 0.5 * sampleRate) continue;
    const regionFrom = Math.max(0, from - Math.round(margin * sampleRate));
    const regionTo = Math.min(length, to + Math.round(margin * sampleRate));
    // Only the part of the reference this segment can reach (any speed within ±5%) is read.
    const refFrom = seg.refStart * sampleRate;
    const reach = Math.round(REACH_SECONDS * sampleRate);
    const refLo = Math.max(0, Math.floor(refFrom - (from - regionFrom + reach) * MAX_SPEED));
    const refHi = Math.min(reference[0].length, Math.ceil(refFrom + (regionTo - from + reach) * MAX_SPEED));
    if (refHi - refLo < 0.5 * sampleRate) continue;
    const refSlices = reference.map((ch) => ch.subarray(refLo, refHi));
    // A mono upload is explained by the reference's mono downmix.
    const refPart = mix.length === 1 && refSlices.length > 1 ? [downmix(refSlices)] : refSlices;
    const mono = downmix(ost, from, to);
    const refMono = refPart.length === 1 ? refPart[0] : downmix(refPart);
    const alignment = alignReference(mono, refMono, sampleRate, 0, to - from, refFrom - refLo, seg.speed);
    const cutoff = cutoffForSpeed(alignment.speed);
    const block = Math.round(blockSeconds * sampleRate);
    const out = ost.map(() => new Float32Array(regionTo - regionFrom));
    const scratch = new Scratch();
    let musicEnergy = 0;
    let referenceEnergy = 0;
    for (let bs = regionFrom; bs < regionTo; bs += block) {
      const be = Math.min(regionTo, bs + block);
      // Each block sees its neighbours' overlap plus padding so its STFT edges fall outside what it keeps.
      const ps = Math.max(0, bs - overlap - pad);
      const pe = Math.min(length, be + overlap + pad);
      const aligned = refPart.map((ch, c) => {
        const r = scratch.take(`aligned${c}`, pe - ps);
        resampleMapped(ch, alignment.map, ps - from, r, cutoff);
        return r;
      });
      const res = removeBlock(
        ost.map((c) => c.subarray(ps, pe)),
        aligned,
        sampleRate,
        shaping,
        scratch,
      );
      musicEnergy += res.musicEnergy;
      referenceEnergy += res.referenceEnergy;
      // Weight: rises over [bs - overlap, bs + overlap] unless first, falls over [be - overlap, be + overlap] unless last.
      const lo = Math.max(regionFrom, bs - overlap);
      const hi = Math.min(regionTo, be + overlap);
      const flatFrom = bs === regionFrom ? lo : Math.min(hi, bs + overlap);
      const flatTo = be === regionTo ? hi : Math.max(flatFrom, be - overlap);
      for (let c = 0; c < ost.length; c++) {
        const o = out[c];
        const r = res.ost[c];
        for (let t = lo; t < flatFrom; t++)
          o[t - regionFrom] += ramp(t - (bs - overlap), 2 * overlap) * r[t - ps];
        for (let t = flatFrom; t < flatTo; t++) o[t - regionFrom] += r[t - ps];
        for (let t = flatTo; t < hi; t++)
          o[t - regionFrom] += (1 - ramp(t - (be - overlap), 2 * overlap)) * r[t - ps];
      }
    }
    // Crossfade into the processed region and back out, then measure what is left.
    let before = 0;
    let after = 0;
    for (let c = 0; c < ost.length; c++) {
      const dst = ost[c];
      const src = out[c];
      for (let t = regionFrom; t < regionTo; t++) {
        const w =
          (regionFrom === 0 || t - regionFrom >= fade ? 1 : ramp(t - regionFrom, fade)) *
          (regionTo === length || regionTo - t >= fade ? 1 : ramp(regionTo - t, fade));
        const v = w * src[t - regionFrom] + (1 - w) * dst[t];
        if (t >= from && t < to) {
          before += dst[t] * dst[t];
          after += v * v;
        }
        dst[t] = v;
      }
    }
    done.push({
      start: from / sampleRate,
      end: to / sampleRate,
      method: 'reference',
      gainDb: 10 * Math.log10((musicEnergy + 1e-20) / (referenceEnergy + 1e-20)),
      speed: alignment.speed,
      residualDb: 10 * Math.log10((after + 1e-20) / (before + 1e-20)),
      confidence: alignment.confidence,
    });
  }
  const bgm = mix.map((c, ci) => {
    const b = new Float32Array(length);
    const o = ost[ci];
    for (let i = 0; i < length; i++) b[i] = c[i] - o[i];
    return b;
  });
  return { ost, bgm, segments: done };
}
