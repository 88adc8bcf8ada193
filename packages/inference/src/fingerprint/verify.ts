// Verification of a voted candidate peak by peak: what fraction of the reference's anchor peaks inside
// the matched stretch have a query peak next to them, compared with the same fraction at wrong offsets
// of the same track (a null distribution measured on this very query, so no global threshold drifts
// with catalog size or genre).
import type { SpeedHypothesis } from './landmarks';
import { UNITS_PER_OCTAVE } from './params';
import type { Peak } from './peaks';

export interface ReferenceRows {
  hash: Int32Array;
  t: Int32Array;
}

export interface Verification {
  /** Fraction of reference peaks found in the query at the matched offset. */
  overlap: number;
  /** Mean and spread of that fraction at wrong offsets. */
  nullMean: number;
  nullStd: number;
  /** (overlap - nullMean) / nullStd. */
  z: number;
  referencePeaks: number;
}

/** Wrong offsets tried for the null distribution, in frames from the matched one. */
export const NULL_SHIFTS = Array.from({ length: 24 }, (_, i) => (i < 12 ? -1 : 1) * (40 + (i % 12) * 29));
/** Frames judged on each side of a voted span (4 s). */
export const SPAN_PADDING = 125;
export const NULL_MARGIN = 40 + 11 * 29 + SPAN_PADDING;

const K_UNITS = 256;

/**
 * `reference` holds the track's stored landmarks around the match: at least
 * [offset + spans' start - NULL_MARGIN, offset + spans' end + NULL_MARGIN] (frames).
 * `spans` are the matched query stretches in (stretched) query frames; `voted` the reference peaks
 * (t * 256 + k) that anchored the votes.
 */
export function verifyCandidate(
  peaks: Peak[],
  hyp: SpeedHypothesis,
  reference: ReferenceRows,
  offsetFrames: number,
  spans: [number, number][],
  voted: Set<number> = new Set(),
): Verification {
  const shift = hyp.pitchFollows ? -UNITS_PER_OCTAVE * Math.log2(hyp.speed) : 0;
  let frames = 0;
  for (const p of peaks) frames = Math.max(frames, Math.round(p.t * hyp.speed) + 2);
  // Query peaks dilated by ±1 frame and ±1 unit.
  const occ = new Uint8Array(frames * K_UNITS);
  for (const p of peaks) {
    const t = Math.round(p.t * hyp.speed);
    const k = Math.round(p.k + shift);
    for (let dt = -1; dt <= 1; dt++) {
      const tt = t + dt;
      if (tt < 0 || tt >= frames) continue;
      for (let dk = -1; dk <= 1; dk++) {
        const kk = k + dk;
        if (kk >= 0 && kk < K_UNITS) occ[tt * K_UNITS + kk] = 1;
      }
    }
  }
  // Spans are where the votes agreed, so a chance match looks good inside them; judging a wider stretch
  // around them removes that selection bias.
  const inSpan = new Uint8Array(frames);
  for (const [a, b] of spans) {
    const from = Math.max(0, Math.floor(a) - SPAN_PADDING);
    const to = Math.min(frames, Math.ceil(b) + SPAN_PADDING);
    for (let t = from; t < to; t++) inSpan[t] = 1;
  }
  // Distinct reference anchor peaks, except those whose landmarks voted for this candidate: they were
  // selected for agreeing, so counting them again would let a chance candidate vouch for itself.
  const seen = new Set<number>();
  const refT: number[] = [];
  const refK: number[] = [];
  for (let i = 0; i < reference.hash.length; i++) {
    const k = reference.hash[i] >>> 12;
    const id = reference.t[i] * K_UNITS + k;
    if (seen.has(id) || voted.has(id)) continue;
    seen.add(id);
    refT.push(reference.t[i]);
    refK.push(k);
  }
  const overlapAt = (offset: number): [number, number] => {
    let hit = 0;
    let total = 0;
    for (let i = 0; i < refT.length; i++) {
      const q = refT[i] - offset;
      if (q < 0 || q >= frames || !inSpan[q]) continue;
      total++;
      hit += occ[q * K_UNITS + refK[i]];
    }
    return [hit, total];
  };
  const [hit, total] = overlapAt(offsetFrames);
  const overlap = total ? hit / total : 0;
  const nulls = NULL_SHIFTS.map((d) => {
    const [h, n] = overlapAt(offsetFrames + d);
    return n ? h / n : 0;
  });
  const nullMean = nulls.reduce((s, v) => s + v, 0) / nulls.length;
  const nullStd = Math.sqrt(nulls.reduce((s, v) => s + (v - nullMean) ** 2, 0) / nulls.length);
  // The floor keeps a perfectly flat null (e.g. a short, sparse stretch) from inflating z.
  const z = (overlap - nullMean) / Math.max(nullStd, 0.03);
  return { overlap, nullMean, nullStd, z, referencePeaks: total };
}
