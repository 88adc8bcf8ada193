// Offset voting over typed arrays: every stored landmark that shares a hash with a query landmark votes
// for (item, time offset); a true match piles its votes on one offset, chance hits spread out. Votes are
// bucketed per item with a counting sort and each item's offsets histogrammed in one reused array, so a
// vote costs a few array accesses (a lookup at catalog scale casts millions of them).
import { dtOfHash, type Landmarks } from './landmarks';
import type { Candidate, IndexHits, MatchOptions, QueryLandmarks } from './match';
import { FRAME_SECONDS } from './params';

// Fewer votes than this is what chance produces; such candidates are not worth verifying.
const MIN_VOTES = 5;
const MAX_CANDIDATES = 20;
/** Offsets of one item spread over less than this are histogrammed, wider ones sorted. */
const HIST_SPAN = 1 << 16;
/** Item keys below this map to slots through a flat table, others through a Map. */
const FLAT_KEYS = 1 << 23;

/** Best offset per stored item over all hypotheses, most votes first. */
export function vote(lookups: QueryLandmarks[], hits: IndexHits, opts: MatchOptions = {}): Candidate[] {
  const { slot, keys } = itemSlots(hits.key);
  const rangeOf = new Map<number, number>();
  hits.hashes.forEach((h, i) => rangeOf.set(h, i));
  const n = keys.length;
  const best = { votes: new Int32Array(n), offset: new Int32Array(n), h: new Int32Array(n) };
  const firstSeen = new Int32Array(n);
  const count = new Int32Array(n);
  const at = new Int32Array(n + 1);
  const hist = new Int32Array(HIST_SPAN + 2);
  const votes = { slot: new Int32Array(0), offset: new Int32Array(0), bySlot: new Int32Array(0) };
  const seen = { n: 0 };
  lookups.forEach((q, h) => {
    const { hashes } = q.landmarks;
    let total = 0;
    for (let i = 0; i < hashes.length; i++) {
      const p = rangeOf.get(hashes[i]);
      if (p !== undefined) total += hits.start[p + 1] - hits.start[p];
    }
    if (votes.slot.length < total) {
      votes.slot = new Int32Array(total);
      votes.offset = new Int32Array(total);
      votes.bySlot = new Int32Array(total);
    }
    count.fill(0);
    const v = gather(q.landmarks, hits, rangeOf, slot, votes.slot, votes.offset, count, firstSeen, seen);
    groupBySlot(votes.slot, votes.offset, v, count, at, votes.bySlot);
    for (let s = 0; s < n; s++) {
      if (count[s] < MIN_VOTES) continue;
      const [most, offset] = bestOffset(votes.bySlot, at[s], at[s + 1], hist);
      if (most > best.votes[s]) {
        best.votes[s] = most;
        best.offset[s] = offset;
        best.h[s] = h;
      }
    }
  });
  const chosen: number[] = [];
  for (let s = 0; s < n; s++) if (best.votes[s] >= MIN_VOTES) chosen.push(s);
  chosen.sort((a, b) => best.votes[b] - best.votes[a] || firstSeen[a] - firstSeen[b]);
  chosen.length = Math.min(chosen.length, MAX_CANDIDATES);
  const candidates: Candidate[] = chosen.map((s) => ({
    key: keys[s],
    votes: best.votes[s],
    hypothesis: lookups[best.h[s]].hypothesis,
    offsetFrames: best.offset[s],
    spans: [],
    voted: new Set<number>(),
  }));
  const maxGap = (opts.maxGapSeconds ?? 5) / FRAME_SECONDS;
  const pairs = agreeingPairs(lookups, hits, slot, rangeOf, chosen, best.h, candidates);
  candidates.forEach((c, i) => (c.spans = spansOf(pairs[i], maxGap)));
  return candidates.filter((c) => c.spans.length > 0);
}

/**
 * One pass over the postings of the query's landmarks: each vote's item slot and offset, in vote
 * order, with votes counted per slot. Returns the number of votes.
 */
function gather(
  lm: Landmarks,
  hits: IndexHits,
  rangeOf: Map<number, number>,
  slot: Int32Array,
  voteSlot: Int32Array,
  voteOffset: Int32Array,
  count: Int32Array,
  firstSeen: Int32Array,
  seen: { n: number },
): number {
  const { start, t } = hits;
  let v = 0;
  for (let i = 0; i < lm.hashes.length; i++) {
    const p = rangeOf.get(lm.hashes[i]);
    if (p === undefined) continue;
    const ti = lm.times[i];
    for (let r = start[p]; r < start[p + 1]; r++, v++) {
      const s = slot[r];
      voteSlot[v] = s;
      voteOffset[v] = t[r] - ti;
      // Ties between items go to the one voted for first, as they always have.
      if (count[s]++ === 0 && firstSeen[s] === 0) firstSeen[s] = ++seen.n;
    }
  }
  return v;
}

/** Counting sort of the votes' offsets by slot (stable: vote order within a slot); `at` gets the bounds. */
function groupBySlot(
  voteSlot: Int32Array,
  voteOffset: Int32Array,
  votes: number,
  count: Int32Array,
  at: Int32Array,
  out: Int32Array,
): void {
  at[0] = 0;
  for (let s = 0; s < count.length; s++) at[s + 1] = at[s] + count[s];
  const fill = at.slice(0, count.length);
  for (let j = 0; j < votes; j++) out[fill[voteSlot[j]]++] = voteOffset[j];
}

/** A dense slot per distinct item key, and each posting's slot. */
function itemSlots(key: Int32Array): { slot: Int32Array; keys: Int32Array } {
  const slot = new Int32Array(key.length);
  const keys: number[] = [];
  let min = 0;
  let max = 0;
  for (let r = 0; r < key.length; r++) {
    min = Math.min(min, key[r]);
    max = Math.max(max, key[r]);
  }
  if (min >= 0 && max < FLAT_KEYS) {
    const table = new Int32Array(max + 1); // slot + 1; zero = not seen yet
    for (let r = 0; r < key.length; r++) {
      if (table[key[r]] === 0) table[key[r]] = keys.push(key[r]);
      slot[r] = table[key[r]] - 1;
    }
  } else {
    const map = new Map<number, number>();
    for (let r = 0; r < key.length; r++) {
      let s = map.get(key[r]);
      if (s === undefined) map.set(key[r], (s = keys.push(key[r]) - 1));
      slot[r] = s;
    }
  }
  return { slot, keys: Int32Array.from(keys) };
}

/**
 * The offset of [from, to) whose votes, with its two neighbours' (they absorb the rounding of stretched
 * times), are highest; the first such offset in vote order wins a tie.
 */
function bestOffset(offsets: Int32Array, from: number, to: number, hist: Int32Array): [number, number] {
  let lo = offsets[from];
  let hi = lo;
  for (let j = from + 1; j < to; j++) {
    lo = Math.min(lo, offsets[j]);
    hi = Math.max(hi, offsets[j]);
  }
  let votes = 0;
  let offset = 0;
  if (hi - lo < HIST_SPAN) {
    const base = 1 - lo;
    for (let j = from; j < to; j++) hist[offsets[j] + base]++;
    for (let j = from; j < to; j++) {
      const c = offsets[j] + base;
      const v = hist[c - 1] + hist[c] + hist[c + 1];
      if (v > votes) {
        votes = v;
        offset = offsets[j];
      }
    }
    for (let j = from; j < to; j++) hist[offsets[j] + base] = 0;
    return [votes, offset];
  }
  // Hours-long items: sort instead (a tie goes to the earliest offset).
  const sorted = offsets.slice(from, to).sort();
  for (let a = 0; a < sorted.length;) {
    let b = a;
    while (b < sorted.length && sorted[b] === sorted[a]) b++;
    let v = b - a;
    for (let j = a - 1; j >= 0 && sorted[j] === sorted[a] - 1; j--) v++;
    for (let j = b; j < sorted.length && sorted[j] === sorted[a] + 1; j++) v++;
    if (v > votes) {
      votes = v;
      offset = sorted[a];
    }
    a = b;
  }
  return [votes, offset];
}

/**
 * For each candidate, the (start, end) query frames of its hypothesis' landmarks that agree with its
 * offset (one stored landmark per query landmark), and the reference peaks (t * 256 + k) that voted.
 */
function agreeingPairs(
  lookups: QueryLandmarks[],
  hits: IndexHits,
  slot: Int32Array,
  rangeOf: Map<number, number>,
  chosen: number[],
  hypothesisOf: Int32Array,
  candidates: Candidate[],
): [number, number][][] {
  const pairs = candidates.map((): [number, number][] => []);
  const candidateOf = new Int32Array(hypothesisOf.length).fill(-1);
  for (const h of new Set(chosen.map((s) => hypothesisOf[s]))) {
    chosen.forEach((s, c) => (candidateOf[s] = hypothesisOf[s] === h ? c : -1));
    const lm: Landmarks = lookups[h].landmarks;
    const last = new Int32Array(candidates.length).fill(-1);
    for (let i = 0; i < lm.hashes.length; i++) {
      const p = rangeOf.get(lm.hashes[i]);
      if (p === undefined) continue;
      for (let r = hits.start[p]; r < hits.start[p + 1]; r++) {
        const c = candidateOf[slot[r]];
        if (c < 0 || last[c] === i) continue;
        if (Math.abs(hits.t[r] - lm.times[i] - candidates[c].offsetFrames) > 1) continue;
        last[c] = i;
        pairs[c].push([lm.times[i], lm.times[i] + dtOfHash(lm.hashes[i])]);
        candidates[c].voted.add(hits.t[r] * 256 + (lm.hashes[i] >>> 12));
      }
    }
  }
  return pairs;
}

/** Stretches (stretched query frames) of agreeing landmarks, split at gaps, with at least 3 landmarks. */
function spansOf(pairs: [number, number][], maxGap: number): [number, number][] {
  pairs.sort((a, b) => a[0] - b[0]);
  const spans: [number, number, number][] = [];
  for (const [a, e] of pairs) {
    const cur = spans.at(-1);
    if (cur && a - cur[1] <= maxGap) {
      cur[1] = Math.max(cur[1], e);
      cur[2]++;
    } else spans.push([a, e, 1]);
  }
  return spans.filter((s) => s[2] >= 3).map(([a, b]) => [a, b]);
}
