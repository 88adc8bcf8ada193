// Reference-guided removal over a whole upload: each matched segment is aligned once, then processed
// in blocks of bounded length (so a long upload runs in bounded memory), with raised-cosine
// crossfades between blocks and into the untouched audio around the segment.
import { downmix, Scratch } from '../dsp';
import { alignReference } from './align';
import { GROW_SECONDS, heardExtent } from './extent';
import { cutoffForSpeed, resampleMapped } from './resample';
import { removeBlock, type ShapingOptions } from './shaping';
import { mapPosition, type TimeMap } from './timemap';

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
  /** Farthest a segment grows on each side while its reference is still heard, seconds (0: not at all). */
  grow?: number;
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
 * covers a decoder's inexact seek and the aligner's search around `refStart`; `uploadSeconds`, when
 * given, stops the room for growth at the upload's ends.
 */
export function referenceRange(
  segments: ReferenceSegment[],
  options: { margin?: number; slack?: number; grow?: number; uploadSeconds?: number } = {},
): { start: number; end: number } {
  const { margin = MARGIN_SECONDS, slack = 1, grow = GROW_SECONDS, uploadSeconds = Infinity } = options;
  const reach = (margin + REACH_SECONDS) * MAX_SPEED + slack;
  let start = Infinity;
  let end = -Infinity;
  for (const s of segments) {
    const before = Math.max(0, Math.min(grow, s.start));
    const after = Math.max(0, Math.min(grow, uploadSeconds - s.end));
    start = Math.min(start, s.refStart - before * MAX_SPEED - reach);
    end = Math.max(end, s.refStart + (s.end - s.start + after) * MAX_SPEED + reach);
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
  const { margin = MARGIN_SECONDS, blockSeconds = 20, grow = GROW_SECONDS, ...shaping } = options;
  const length = mix[0].length;
  const ost = mix.map((c) => c.slice());
  const done: RemovedSegment[] = [];
  const fade = Math.round(0.05 * sampleRate);
  const overlap = Math.round(OVERLAP_SECONDS * sampleRate);
  const pad = Math.round(PAD_SECONDS * sampleRate);
  const marginSamples = Math.round(margin * sampleRate);
  const growSamples = Math.round(grow * sampleRate);
  for (const seg of segments) {
    const segFrom = Math.max(0, Math.round(seg.start * sampleRate));
    const segTo = Math.min(length, Math.round(seg.end * sampleRate));
    if (segTo - segFrom < 0.5 * sampleRate) continue;
    // Upload samples [reachFrom, reachTo) the segment may grow into; positions below are relative to reachFrom.
    const reachFrom = Math.max(0, segFrom - growSamples);
    const reachTo = Math.min(length, segTo + growSamples);
    // Only the part of the reference this segment can reach (any speed within ±5%) is read.
    const refFrom = seg.refStart * sampleRate;
    const reach = marginSamples + Math.round(REACH_SECONDS * sampleRate);
    const refLo = Math.max(0, Math.floor(refFrom - (segFrom - reachFrom + reach) * MAX_SPEED));
    const refHi = Math.min(reference[0].length, Math.ceil(refFrom + (reachTo - segFrom + reach) * MAX_SPEED));
    if (refHi - refLo < 0.5 * sampleRate) continue;
    const refSlices = reference.map((ch) => ch.subarray(refLo, refHi));
    // A mono upload is explained by the reference's mono downmix.
    const refPart = mix.length === 1 && refSlices.length > 1 ? [downmix(refSlices)] : refSlices;
    const mono = downmix(ost, reachFrom, reachTo);
    const refMono = refPart.length === 1 ? refPart[0] : downmix(refPart);
    const alignment = alignReference(
      mono,
      refMono,
      sampleRate,
      segFrom - reachFrom,
      segTo - reachFrom,
      refFrom - refLo,
      seg.speed,
    );
    // Past the aligned windows the line continues at the mean speed (the map's own end slope is local).
    const line = extendMap(alignment.map, 0, reachTo - reachFrom, alignment.speed);
    const grown =
      grow > 0
        ? heardExtent(mono, refMono, sampleRate, line, alignment.speed, {
            from: segFrom - reachFrom,
            to: segTo - reachFrom,
            ...within(line, alignment.speed, reachTo - reachFrom, refMono.length),
          })
        : { from: segFrom - reachFrom, to: segTo - reachFrom };
    const from = reachFrom + grown.from;
    const to = reachFrom + grown.to;
    // A grown segment is aligned again over its whole length (a line extrapolated over seconds is a
    // fraction of a sample off, enough to leave the music's top octaves in); that alignment is used where
    // the segment grew, the first one, which saw only the music, inside it.
    const final =
      from === segFrom && to === segTo
        ? alignment
        : alignReference(
            mono,
            refMono,
            sampleRate,
            grown.from,
            grown.to,
            mapPosition(line, grown.from).pos,
            alignment.speed,
          );
    const map =
      final === alignment
        ? line
        : extendMap(
            splice(final.map, alignment.map, segFrom - reachFrom, segTo - reachFrom),
            0,
            reachTo - reachFrom,
            final.speed,
          );
    const regionFrom = Math.max(0, from - marginSamples);
    const regionTo = Math.min(length, to + marginSamples);
    const cutoff = cutoffForSpeed(final.speed);
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
        resampleMapped(ch, map, ps - reachFrom, r, cutoff);
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
      speed: final.speed,
      residualDb: 10 * Math.log10((after + 1e-20) / (before + 1e-20)),
      confidence: final.confidence,
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

/** `outer`'s anchors outside [from, to), `inner`'s within. */
function splice(outer: TimeMap, inner: TimeMap, from: number, to: number): TimeMap {
  const at: number[] = [];
  const ref: number[] = [];
  const take = (m: TimeMap, keep: (t: number) => boolean) =>
    m.at.forEach((t, i) => {
      if (keep(t)) {
        at.push(t);
        ref.push(m.ref[i]);
      }
    });
  take(outer, (t) => t < from);
  take(inner, (t) => t >= from && t < to);
  take(outer, (t) => t >= to);
  return { at: Float64Array.from(at), ref: Float64Array.from(ref) };
}

/** `map` with anchors added at `lo` and `hi` on lines of slope `speed` through its end anchors. */
function extendMap(map: TimeMap, lo: number, hi: number, speed: number): TimeMap {
  const at = [...map.at];
  const ref = [...map.ref];
  if (lo < at[0]) {
    ref.unshift(ref[0] - (at[0] - lo) * speed);
    at.unshift(lo);
  }
  if (hi > at[at.length - 1]) {
    ref.push(ref[ref.length - 1] + (hi - at[at.length - 1]) * speed);
    at.push(hi);
  }
  return { at: Float64Array.from(at), ref: Float64Array.from(ref) };
}

/** Positions [lo, hi) within [0, length) whose reference position (through `map`) lies in [0, refLength). */
function within(map: TimeMap, speed: number, length: number, refLength: number): { lo: number; hi: number } {
  const p0 = mapPosition(map, 0).pos;
  return {
    lo: Math.max(0, Math.ceil(-p0 / speed)),
    hi: Math.min(length, Math.floor((refLength - p0) / speed)),
  };
}
