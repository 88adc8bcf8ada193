// Which repeat of a passage the upload holds. Music repeats itself (a chorus, a loop), and landmarks
// cannot tell two takes of a passage apart: the lookup may name the right track at the wrong repeat,
// and the reference removal that follows then subtracts a passage that is alike but not the same. When
// the track's own landmarks, voted again with the upload's query, give another place nearly as many votes,
// the places are compared by how well their waveform fits the upload (presenceScore), and the best kept.
import {
  bestPlaces,
  resample,
  SAMPLE_RATE,
  type FingerprintQuery,
  type Segment,
} from '@undub/inference/fingerprint';
import { presenceScore } from '@undub/inference/removal';
import type { Database } from '../db';
import type { CatalogOptions } from './context';
import { round, type MusicMatch } from './identify';
import { PgLandmarkIndex, SOURCE_MUSIC } from './landmark-store';
import { CatalogError } from './errors';
import { loadMusicReference } from './manage';
import { checkOfMatch, checkOfPlace, judged, SAME_PLACE_SECONDS, type Check } from './waveform-check';

/** Places compared: the most voted under the match's speed hypothesis. */
const PLACES = 4;
/** Share of the best place's votes another place needs to be a possible repeat. */
const REPEAT_VOTE_SHARE = 0.5;
/** Reference read around each place beyond the judged stretch: the lag search and drift, seconds. */
const READ_SLACK_SECONDS = 1;
/** How much better (absolute score) another place must fit to replace the voted one. */
const MIN_GAIN = 0.01;

/**
 * `match` (identified by landmarks in `mono`, the track's landmarks stored under `fingerprintKey`), with
 * its segments moved to the repeat of the passage whose waveform fits the upload best.
 */
export async function settleRepeat(
  db: Database,
  mono: Float32Array,
  sampleRate: number,
  query: FingerprintQuery,
  match: MusicMatch,
  fingerprintKey: number,
  opts: CatalogOptions = {},
): Promise<MusicMatch> {
  const lookup = query.lookups.filter((l) => l.hypothesis.speed === match.speed && l.hypothesis.pitchFollows);
  if (lookup.length === 0) return match;
  const own = checkOfMatch(match);
  const index = new PgLandmarkIndex(db.pool, SOURCE_MUSIC, new Set([fingerprintKey]));
  const places = bestPlaces(lookup, await index.window(fingerprintKey, 0, 2 ** 31 - 1), PLACES);
  const top = places[0]?.votes ?? 0;
  const mid = (own.from + own.to) / 2;
  const refMid = (c: Check) => c.refAtZero + mid * c.speed;
  const rivals = places
    .filter((p) => p.votes >= REPEAT_VOTE_SHARE * top)
    .map((p) => ({ ...checkOfPlace(p), from: own.from, to: own.to }))
    .filter((c) => Math.abs(refMid(c) - refMid(own)) >= SAME_PLACE_SECONDS);
  if (rivals.length === 0) return match;
  // Each place is read on its own, just around the judged stretch: repeats can lie minutes apart.
  const mix = resample(mono, sampleRate, SAMPLE_RATE);
  const { from, to } = judged(own, mix.length / SAMPLE_RATE);
  const score = async (c: Check) => {
    const start = Math.max(0, c.refAtZero + from * c.speed - READ_SLACK_SECONDS);
    const end = c.refAtZero + to * c.speed + READ_SLACK_SECONDS;
    const [ref] = await loadMusicReference(db, match.musicId, SAMPLE_RATE, {
      ...opts,
      channels: 1,
      range: { start, end },
    });
    const refFrom = (c.refAtZero + from * c.speed - start) * SAMPLE_RATE;
    const guess = { from: from * SAMPLE_RATE, to: to * SAMPLE_RATE, refFrom, speed: c.speed };
    return presenceScore(mix, ref, SAMPLE_RATE, guess, true);
  };
  let scores: number[];
  try {
    scores = await Promise.all([own, ...rivals].map(score));
  } catch (err) {
    // A recording removed meanwhile: the match stays as the landmarks placed it.
    if (err instanceof CatalogError) return match;
    throw err;
  }
  const bestAt = scores.indexOf(Math.max(...scores));
  const best = { check: [own, ...rivals][bestAt], score: scores[bestAt] };
  if (best.check === own || best.score < scores[0] + MIN_GAIN) return match;
  const shift = best.check.refAtZero - own.refAtZero;
  return {
    ...match,
    segments: match.segments.map((s: Segment) => ({ ...s, refStart: round(s.refStart + shift) })),
  };
}
