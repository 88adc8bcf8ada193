// Landmarks: pairs of peaks (anchor, target) hashed as (anchor frequency, frequency step, time step).
// A query can be read under a speed hypothesis: its peak times are stretched and, when the pitch moved
// with the speed (resampling-style speed change), its frequencies shifted back before hashing.
import { FAN_OUT, MAX_DK, MAX_DT, MIN_DT, UNITS_PER_OCTAVE } from './params';
import type { Peak } from './peaks';

export interface Landmarks {
  /** 20-bit hashes. */
  hashes: Int32Array;
  /** Anchor time in reference frames (after the hypothesis' time stretch). */
  times: Int32Array;
  /** Anchor time in the signal's own frames (equal to times for a reference). */
  anchors: Int32Array;
}

export interface SpeedHypothesis {
  /** Playback speed of the query relative to the reference (1.03: 3% faster). */
  speed: number;
  /** True when the pitch rose with the speed (resampled), false when the tempo alone changed. */
  pitchFollows: boolean;
}

export const IDENTITY: SpeedHypothesis = { speed: 1, pitchFollows: true };

/** Hypotheses tried for a query: 1% steps up to ±3%, both kinds of speed change. */
export function speedHypotheses(maxChange = 0.03, step = 0.01): SpeedHypothesis[] {
  const out: SpeedHypothesis[] = [IDENTITY];
  for (let d = step; d <= maxChange + 1e-9; d += step) {
    for (const speed of [1 + d, 1 - d]) {
      out.push({ speed, pitchFollows: true }, { speed, pitchFollows: false });
    }
  }
  return out;
}

export function hashOf(k1: number, dk: number, dt: number): number {
  return (k1 << 12) | ((dk + MAX_DK) << 6) | (dt - MIN_DT);
}

/** The time step (reference frames) stored in a hash. */
export function dtOfHash(hash: number): number {
  return (hash & 63) + MIN_DT;
}

export function landmarksOf(peaks: Peak[], hyp: SpeedHypothesis = IDENTITY, fanOut = FAN_OUT): Landmarks {
  const n = peaks.length;
  const shift = hyp.pitchFollows ? -UNITS_PER_OCTAVE * Math.log2(hyp.speed) : 0;
  const t = new Float64Array(n);
  const k = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    t[i] = peaks[i].t * hyp.speed;
    k[i] = Math.min(255, Math.max(0, Math.round(peaks[i].k + shift)));
  }
  const hashes: number[] = [];
  const times: number[] = [];
  const anchors: number[] = [];
  for (let i = 0; i < n; i++) {
    let paired = 0;
    for (let j = i + 1; j < n && paired < fanOut; j++) {
      const dt = Math.round(t[j] - t[i]);
      if (dt < MIN_DT) continue;
      if (dt > MAX_DT) break;
      const dk = k[j] - k[i];
      if (dk < -MAX_DK || dk > MAX_DK) continue;
      hashes.push(hashOf(k[i], dk, dt));
      times.push(Math.round(t[i]));
      anchors.push(peaks[i].t);
      paired++;
    }
  }
  return {
    hashes: Int32Array.from(hashes),
    times: Int32Array.from(times),
    anchors: Int32Array.from(anchors),
  };
}
