// Offset voting: every stored landmark that shares a hash with a query landmark votes for
// (item, time offset); a true match piles its votes on one offset, chance hits spread out.
// The best-voted candidates are then verified peak by peak (verify.ts) before they are reported.
import { dtOfHash, IDENTITY, type Landmarks, type SpeedHypothesis } from './landmarks';
import { FRAME_SECONDS } from './params';
import type { Peak } from './peaks';
import { NULL_MARGIN, verifyCandidate, type ReferenceRows, type Verification } from './verify';

/** Stored landmarks returned by a hash lookup, as parallel arrays. */
export interface IndexHits {
  hash: Int32Array;
  /** Which stored item (track or work) the landmark belongs to. */
  key: Int32Array;
  t: Int32Array;
}

/** Where matching reads stored landmarks from (Postgres in the service, memory in tests). */
export interface LandmarkIndex {
  lookup(hashes: Int32Array): Promise<IndexHits>;
  /** Stored landmarks of one item with fromFrame <= t <= toFrame. */
  window(key: number, fromFrame: number, toFrame: number): Promise<ReferenceRows>;
}

export interface QueryLandmarks {
  hypothesis: SpeedHypothesis;
  landmarks: Landmarks;
}

export interface FingerprintQuery {
  peaks: Peak[];
  lookups: QueryLandmarks[];
}

export interface Segment {
  /** Query seconds. */
  start: number;
  end: number;
  /** Reference seconds at `start`. */
  refStart: number;
}

export interface Candidate {
  key: number;
  /** Query landmarks agreeing on the best offset. */
  votes: number;
  hypothesis: SpeedHypothesis;
  /** Reference frame minus stretched query frame. */
  offsetFrames: number;
  /** Matched stretches in stretched query frames. */
  spans: [number, number][];
  /** Reference peaks (t * 256 + k) that anchored the agreeing landmarks: verification leaves them out. */
  voted: Set<number>;
}

export interface FingerprintMatch extends Candidate {
  confidence: number;
  verification: Verification;
  speed: number;
  segments: Segment[];
}

export interface MatchOptions {
  /** Candidates verified per lookup round. */
  candidates?: number;
  /** Reported matches need at least this confidence; a round that finds one ends the search. */
  minConfidence?: number;
  /** Also report weaker matches down to this confidence (diagnostics, calibration). */
  reportConfidence?: number;
  /** Gap (seconds) that splits a matched stretch in two. */
  maxGapSeconds?: number;
}

// Fewer votes than this is what chance produces; such candidates are not worth verifying.
const MIN_VOTES = 5;

/**
 * Confidence from two independent pieces of evidence: how far the verified overlap (voting peaks left
 * out) stands above this query's own null, in null spreads (z), and how many landmarks voted.
 * Calibrated on real music overlaid with speech: unrelated music of the same composer stays under
 * evidence 4, music 10 dB under the speech mostly lands above 5.
 */
export function confidenceOf(v: Verification, votes: number): number {
  if (v.referencePeaks < 20) return 0;
  const evidence = v.z + 2 * Math.log2(votes / 8);
  return 1 / (1 + Math.exp(-1.5 * (evidence - 4.5)));
}

/**
 * Identifies the stored items a query contains. The identity hypothesis is looked up first; the other
 * speed hypotheses only when it finds nothing confident (most uploads keep their speed).
 */
export async function matchQuery(
  query: FingerprintQuery,
  index: LandmarkIndex,
  opts: MatchOptions = {},
): Promise<FingerprintMatch[]> {
  const minConfidence = opts.minConfidence ?? 0.5;
  const report = Math.min(minConfidence, opts.reportConfidence ?? minConfidence);
  const identity = query.lookups.filter((q) => q.hypothesis === IDENTITY);
  const others = query.lookups.filter((q) => q.hypothesis !== IDENTITY);
  const rounds = identity.length && others.length ? [identity, others] : [query.lookups];
  let best: FingerprintMatch[] = [];
  for (const lookups of rounds) {
    const hits = await index.lookup(uniqueHashes(lookups));
    const candidates = vote(lookups, hits, opts);
    const matches: FingerprintMatch[] = [];
    for (const c of candidates.slice(0, opts.candidates ?? 5)) {
      const from = c.offsetFrames + c.spans[0][0] - NULL_MARGIN - 2;
      const to = c.offsetFrames + c.spans.at(-1)![1] + NULL_MARGIN + 2;
      const rows = await index.window(c.key, Math.max(0, Math.floor(from)), Math.ceil(to));
      const verification = verifyCandidate(query.peaks, c.hypothesis, rows, c.offsetFrames, c.spans, c.voted);
      const confidence = confidenceOf(verification, c.votes);
      matches.push({ ...c, confidence, verification, speed: c.hypothesis.speed, segments: segmentsOf(c) });
    }
    best = dedupeByKey([...best, ...matches]).sort(
      (a, b) => b.confidence - a.confidence || b.votes - a.votes,
    );
    if (best[0]?.confidence >= minConfidence) break;
  }
  return best.filter((m) => m.confidence >= report);
}

function uniqueHashes(lookups: QueryLandmarks[]): Int32Array {
  const set = new Set<number>();
  for (const q of lookups) for (const h of q.landmarks.hashes) set.add(h);
  return Int32Array.from(set);
}

function dedupeByKey(matches: FingerprintMatch[]): FingerprintMatch[] {
  const out = new Map<number, FingerprintMatch>();
  for (const m of matches) {
    const cur = out.get(m.key);
    if (!cur || m.confidence > cur.confidence) out.set(m.key, m);
  }
  return [...out.values()];
}

const OFFSET_SPAN = 1 << 22; // ± 2^21 frames ≈ 18 h

/** Best offset per stored item over all hypotheses, most votes first. */
export function vote(lookups: QueryLandmarks[], hits: IndexHits, opts: MatchOptions = {}): Candidate[] {
  const byHash = groupByHash(hits);
  const best = new Map<number, { votes: number; offset: number; h: number }>();
  lookups.forEach((q, h) => {
    const counts = new Map<number, number>();
    const { hashes, times } = q.landmarks;
    for (let i = 0; i < hashes.length; i++) {
      const rows = byHash.get(hashes[i]);
      if (!rows) continue;
      for (const r of rows) {
        const cell = hits.key[r] * OFFSET_SPAN + (hits.t[r] - times[i] + OFFSET_SPAN / 2);
        counts.set(cell, (counts.get(cell) ?? 0) + 1);
      }
    }
    for (const [cell, c] of counts) {
      // Neighbouring offsets absorb the rounding of stretched times.
      const votes = c + (counts.get(cell - 1) ?? 0) + (counts.get(cell + 1) ?? 0);
      const key = Math.floor(cell / OFFSET_SPAN);
      const cur = best.get(key);
      if (!cur || votes > cur.votes)
        best.set(key, { votes, offset: (cell % OFFSET_SPAN) - OFFSET_SPAN / 2, h });
    }
  });
  const maxGap = (opts.maxGapSeconds ?? 5) / FRAME_SECONDS;
  return [...best.entries()]
    .filter(([, b]) => b.votes >= MIN_VOTES)
    .sort((a, b) => b[1].votes - a[1].votes)
    .slice(0, 20)
    .map(([key, b]) => {
      const voted = new Set<number>();
      const spans = spansOf(lookups[b.h].landmarks, byHash, hits, key, b.offset, maxGap, voted);
      return {
        key,
        votes: b.votes,
        hypothesis: lookups[b.h].hypothesis,
        offsetFrames: b.offset,
        spans,
        voted,
      };
    })
    .filter((c) => c.spans.length > 0);
}

function groupByHash(hits: IndexHits): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (let r = 0; r < hits.hash.length; r++) {
    const list = out.get(hits.hash[r]);
    if (list) list.push(r);
    else out.set(hits.hash[r], [r]);
  }
  return out;
}

/** Stretches (stretched query frames) whose landmarks agree with `key` at `offset`, split at gaps. */
function spansOf(
  lm: Landmarks,
  byHash: Map<number, number[]>,
  hits: IndexHits,
  key: number,
  offset: number,
  maxGap: number,
  voted: Set<number>,
): [number, number][] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < lm.hashes.length; i++) {
    const rows = byHash.get(lm.hashes[i]);
    if (!rows) continue;
    for (const r of rows) {
      if (hits.key[r] !== key || Math.abs(hits.t[r] - lm.times[i] - offset) > 1) continue;
      pairs.push([lm.times[i], lm.times[i] + dtOfHash(lm.hashes[i])]);
      voted.add(hits.t[r] * 256 + (hits.hash[r] >>> 12));
      break;
    }
  }
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

function segmentsOf(c: Candidate): Segment[] {
  const s = c.hypothesis.speed;
  return c.spans.map(([a, b]) => ({
    start: (a / s) * FRAME_SECONDS,
    end: (b / s) * FRAME_SECONDS,
    refStart: (a + c.offsetFrames) * FRAME_SECONDS,
  }));
}
