// Matching a query against stored landmarks: offset voting (vote.ts) names candidates, which are then
// verified peak by peak (verify.ts) before they are reported.
import { IDENTITY, type Landmarks, type SpeedHypothesis } from './landmarks';
import { FRAME_SECONDS } from './params';
import type { Peak } from './peaks';
import { NULL_MARGIN, verifyCandidate, type ReferenceRows, type Verification } from './verify';
import { vote } from './vote';

/**
 * Stored landmarks returned by a hash lookup, as posting lists: the landmarks with hash `hashes[i]`
 * are [start[i], start[i + 1]) of `key` (which stored item, track or work) and `t`.
 */
export interface IndexHits {
  hashes: Int32Array;
  start: Int32Array;
  key: Int32Array;
  t: Int32Array;
}

/** Where matching reads stored landmarks from (Postgres in the service, memory in tests). */
export interface LandmarkIndex {
  /**
   * Postings of `hashes`; `uses[i]` is how many query landmarks carry hashes[i] (each of its postings
   * casts that many votes), so an index can bound the votes a lookup costs.
   */
  lookup(hashes: Int32Array, uses: Int32Array): Promise<IndexHits>;
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

/** Confidence from which a match is reported (MatchOptions.minConfidence's default). */
export const MIN_CONFIDENCE = 0.5;

/** Votes that only a copy of the reference casts (chance casts a few dozen at most, at any catalog size). */
const CLEAN_COPY_VOTES = 100;

/**
 * Confidence from two independent pieces of evidence: how far the verified overlap (voting peaks left
 * out) stands above this query's own null, in null spreads (z), and how many landmarks voted.
 * Calibrated on real music overlaid with speech: unrelated music of the same composer stays under
 * evidence 4, music 10 dB under the speech mostly lands above 5.
 */
export function confidenceOf(v: Verification, votes: number): number {
  // Too few reference peaks left to judge: a stretch without music, or a clean copy whose peaks nearly
  // all voted (verification leaves those out). Only the second has votes far beyond what chance casts.
  const evidence =
    v.referencePeaks >= 20
      ? v.z + 2 * Math.log2(votes / 8)
      : votes >= CLEAN_COPY_VOTES
        ? 4.5 + 2 * Math.log2(votes / CLEAN_COPY_VOTES)
        : -Infinity;
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
  const minConfidence = opts.minConfidence ?? MIN_CONFIDENCE;
  const report = Math.min(minConfidence, opts.reportConfidence ?? minConfidence);
  const identity = query.lookups.filter((q) => q.hypothesis === IDENTITY);
  const others = query.lookups.filter((q) => q.hypothesis !== IDENTITY);
  const rounds = identity.length && others.length ? [identity, others] : [query.lookups];
  let best: FingerprintMatch[] = [];
  for (const lookups of rounds) {
    const { hashes, uses } = uniqueHashes(lookups);
    const hits = await index.lookup(hashes, uses);
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

function uniqueHashes(lookups: QueryLandmarks[]): { hashes: Int32Array; uses: Int32Array } {
  const uses = new Map<number, number>();
  for (const q of lookups) for (const h of q.landmarks.hashes) uses.set(h, (uses.get(h) ?? 0) + 1);
  return { hashes: Int32Array.from(uses.keys()), uses: Int32Array.from(uses.values()) };
}

function dedupeByKey(matches: FingerprintMatch[]): FingerprintMatch[] {
  const out = new Map<number, FingerprintMatch>();
  for (const m of matches) {
    const cur = out.get(m.key);
    if (!cur || m.confidence > cur.confidence) out.set(m.key, m);
  }
  return [...out.values()];
}

function segmentsOf(c: Candidate): Segment[] {
  const s = c.hypothesis.speed;
  return c.spans.map(([a, b]) => ({
    start: (a / s) * FRAME_SECONDS,
    end: (b / s) * FRAME_SECONDS,
    refStart: (a + c.offsetFrames) * FRAME_SECONDS,
  }));
}
