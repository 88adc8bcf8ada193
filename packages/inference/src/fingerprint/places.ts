// The places where one stored item best fits a query, under each speed hypothesis: the item's own
// landmarks re-voted, with none of the lookup's vote budget. A lookup names one place per item (its most
// voted over all hypotheses); when music sits far under the soundtrack, chance gives a wrong place about
// as many votes as the true one, so a later check that can tell them apart (the reference's waveform)
// looks at several.
import { dtOfHash, type Landmarks, type SpeedHypothesis } from './landmarks';
import type { QueryLandmarks } from './match';
import type { ReferenceRows } from './verify';

export interface Place {
  hypothesis: SpeedHypothesis;
  /** Reference frame minus stretched query frame. */
  offsetFrames: number;
  /** Query landmarks agreeing on it (with the neighbouring offsets'). */
  votes: number;
  /** Stretched query frames from the first agreeing landmark's anchor to the last one's target. */
  from: number;
  to: number;
}

/** Places closer than this (frames, 0.5 s) are one place. */
const MIN_SEPARATION = 16;

/** One stored item's landmark times by hash, for re-voting. */
export interface ItemLandmarks {
  byHash: Map<number, number[]>;
  /** Frames the item spans. */
  frames: number;
}

export function itemLandmarks(item: ReferenceRows): ItemLandmarks {
  const byHash = new Map<number, number[]>();
  let frames = 0;
  for (let i = 0; i < item.hash.length; i++) {
    const list = byHash.get(item.hash[i]);
    if (list) list.push(item.t[i]);
    else byHash.set(item.hash[i], [item.t[i]]);
    frames = Math.max(frames, item.t[i] + 1);
  }
  return { byHash, frames };
}

/**
 * Votes of one query lookup for each offset of the item, with its two neighbours' (as the lookup counts
 * them): `votes[offset + base]`, zero outside the array.
 */
export function offsetVotes(landmarks: Landmarks, item: ItemLandmarks): { votes: Int32Array; base: number } {
  let queryFrames = 0;
  for (const t of landmarks.times) queryFrames = Math.max(queryFrames, t + 1);
  // offset + base indexes the histogram, one spare slot each side for the neighbours.
  const base = queryFrames + 1;
  const hist = new Int32Array(item.frames + queryFrames + 2);
  for (let i = 0; i < landmarks.hashes.length; i++) {
    const ts = item.byHash.get(landmarks.hashes[i]);
    if (ts) for (const t of ts) hist[t - landmarks.times[i] + base]++;
  }
  const votes = new Int32Array(hist.length);
  for (let j = 1; j < hist.length - 1; j++) votes[j] = hist[j - 1] + hist[j] + hist[j + 1];
  return { votes, base };
}

/** The `perHypothesis` most voted places of the item under each hypothesis, most votes first. */
export function bestPlaces(lookups: QueryLandmarks[], rows: ReferenceRows, perHypothesis: number): Place[] {
  const item = itemLandmarks(rows);
  const places: Place[] = [];
  for (const { hypothesis, landmarks } of lookups) {
    const { votes, base } = offsetVotes(landmarks, item);
    for (const j of topSeparated(votes, perHypothesis)) {
      const offsetFrames = j - base;
      const [from, to] = agreeingStretch(landmarks, item.byHash, offsetFrames);
      places.push({ hypothesis, offsetFrames, votes: votes[j], from, to });
    }
  }
  return places.sort((a, b) => b.votes - a.votes);
}

/** Indices of the `n` highest values at least MIN_SEPARATION apart (greedy, highest first). */
function topSeparated(values: Int32Array, n: number): number[] {
  const order = Array.from(values.keys()).filter((j) => values[j] > 0);
  order.sort((a, b) => values[b] - values[a] || a - b);
  const chosen: number[] = [];
  for (const j of order) {
    if (chosen.length >= n) break;
    if (chosen.every((c) => Math.abs(c - j) >= MIN_SEPARATION)) chosen.push(j);
  }
  return chosen;
}

/** First anchor and last target (stretched query frames) of the landmarks that agree with `offset` (±1). */
function agreeingStretch(lm: Landmarks, byHash: Map<number, number[]>, offset: number): [number, number] {
  let from = Infinity;
  let to = -Infinity;
  for (let i = 0; i < lm.hashes.length; i++) {
    const ts = byHash.get(lm.hashes[i]);
    if (!ts?.some((t) => Math.abs(t - lm.times[i] - offset) <= 1)) continue;
    from = Math.min(from, lm.times[i]);
    to = Math.max(to, lm.times[i] + dtOfHash(lm.hashes[i]));
  }
  return [from, to];
}
