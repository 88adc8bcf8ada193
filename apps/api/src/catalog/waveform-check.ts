// The last look for catalog music far under the soundtrack: when neither landmark lookup identifies
// anything, the tracks they shortlisted are checked against their reference recordings. Landmark votes for
// such music are as few as chance gives an unrelated track, and the place they vote for is often a
// chance one; but the reference's waveform is either in the upload at a place or not
// (referencePresence). So besides the place each lookup voted for, a shortlisted track's best places
// under every speed hypothesis (its own landmarks re-voted, places.ts) are screened with a few windows
// (presenceScore: the true place stands out at two to three times a chance place's score), and the
// best of them is checked in full against its null.
import {
  bestPlaces,
  FRAME_SECONDS,
  resample,
  SAMPLE_RATE,
  type FingerprintQuery,
  type Place,
  type QueryLandmarks,
  type Segment,
} from '@undub/inference/fingerprint';
import { PRESENCE_MARGIN_SECONDS, presenceScore, referencePresence } from '@undub/inference/removal';
import type { Database } from '../db';
import type { CatalogOptions } from './context';
import { CatalogError } from './errors';
import { round, type MusicLookup, type MusicMatch } from './identify';
import { PgLandmarkIndex, SOURCE_MUSIC } from './landmark-store';
import { loadMusicReference } from './manage';

/**
 * Presence (in null spreads) from which a candidate is identified. On the development set, unrelated
 * tracks checked against non-catalog music at their voted places stayed under 3 (1,851 checks, spread
 * 0.4), and with the best screened place of 24 as well none of 500 excerpts and 96 uploads reached 4;
 * the catalog music the landmarks could not settle came out at 5 to 37. It must stay above sqrt(7)
 * (presence.ts).
 */
export const MIN_PRESENCE_Z = 4;
/** Seconds judged on each side of the voted stretch: the music often runs on past the votes. */
const PADDING_SECONDS = 2;
/** Shortest stretch judged (a presence verdict needs 3.4 s of upload). */
const MIN_JUDGED_SECONDS = 4;
/**
 * Re-voted places kept per speed hypothesis, places screened per track (presenceScore) and, of those, the
 * best checked in full: together the cost of an upload with unknown music.
 */
const PLACES_PER_HYPOTHESIS = 5;
const PLACES_PER_TRACK = 24;
const FULL_CHECKS = 1;
/** Reference seconds read per track at most: a long recording is checked near its most voted places. */
const MAX_REFERENCE_SECONDS = 600;
/** Places whose reference times (mid-stretch) are this close are one place. */
export const SAME_PLACE_SECONDS = 0.5;

/** A place to check: the voted upload stretch [from, to) (seconds), the reference second at upload second 0. */
export interface Check {
  speed: number;
  from: number;
  to: number;
  refAtZero: number;
  votes: number;
  /** The lookup's own segments, for the place a lookup voted for. */
  segments?: Segment[];
}

/** Confidence of a waveform-confirmed match: a match's 0.5 at the threshold, near 1 from z = 8. */
function presenceConfidence(z: number): number {
  return 1 / (1 + Math.exp(-(z - MIN_PRESENCE_Z)));
}

/**
 * The shortlisted tracks whose reference is present in `mono` (one match per track, at its clearest
 * place), most confident first, with `evidence: 'waveform'`.
 */
export async function confirmByWaveform(
  db: Database,
  mono: Float32Array,
  sampleRate: number,
  lookups: MusicLookup[],
  opts: CatalogOptions = {},
): Promise<MusicMatch[]> {
  const mix = resample(mono, sampleRate, SAMPLE_RATE);
  const duration = mix.length / SAMPLE_RATE;
  const tracks = new Map<string, { match: MusicMatch; fingerprintKey: number; own: Check[] }>();
  for (const { match, fingerprintKey } of lookups.flatMap((l) => l.shortlist)) {
    const track = tracks.get(match.musicId) ?? { match, fingerprintKey, own: [] };
    track.own.push(checkOfMatch(match));
    tracks.set(match.musicId, track);
  }
  const found = await Promise.all(
    [...tracks.values()].map(async ({ match, fingerprintKey, own }) => {
      const index = new PgLandmarkIndex(db.pool, SOURCE_MUSIC, new Set([fingerprintKey]));
      const rows = await index.window(fingerprintKey, 0, 2 ** 31 - 1);
      const revoted = lookups.map(({ query }) =>
        query ? bestPlaces(pitchFollowing(query), rows, PLACES_PER_HYPOTHESIS).map(checkOfPlace) : [],
      );
      const best = await checkPlaces(db, mix, match.musicId, distinctPlaces(own, revoted), opts);
      return best && { match, ...best };
    }),
  );
  return found
    .filter((c) => c !== undefined && c.z >= MIN_PRESENCE_Z)
    .map((c) => c!)
    .sort((a, b) => b.z - a.z)
    .map(({ match, check, z }) => ({
      ...match,
      confidence: round(presenceConfidence(z)),
      speed: check.speed,
      segments: check.segments ?? [
        {
          start: round(Math.max(0, check.from)),
          end: round(Math.min(duration, check.to)),
          refStart: round(check.refAtZero + Math.max(0, check.from) * check.speed),
        },
      ],
      votes: check.votes,
      evidence: 'waveform',
    }));
}

/**
 * A query's lookups under speed changes that move the pitch with the tempo: the reference read faster or
 * slower is what the waveform check compares, so only such places can be confirmed.
 */
function pitchFollowing(query: FingerprintQuery): QueryLandmarks[] {
  return query.lookups.filter((l) => l.hypothesis.pitchFollows);
}

/** The place a lookup voted for (checked in full, before any re-voted place). */
export function checkOfMatch(m: MusicMatch): Check {
  const first = m.segments[0];
  return {
    speed: m.speed,
    from: first.start,
    to: m.segments.at(-1)!.end,
    refAtZero: first.refStart - first.start * m.speed,
    votes: m.votes,
    segments: m.segments,
  };
}

export function checkOfPlace(p: Place): Check {
  const { speed } = p.hypothesis;
  return {
    speed,
    from: (p.from * FRAME_SECONDS) / speed,
    to: (p.to * FRAME_SECONDS) / speed,
    refAtZero: p.offsetFrames * FRAME_SECONDS,
    votes: p.votes,
  };
}

/**
 * Distinct places, up to PLACES_PER_TRACK: the lookups' own first, then each query's re-voted places
 * taken in turn, best first (queries of more peaks cast more chance votes, so their counts do not
 * compare). One place voted under neighbouring speeds (its votes agree across a 1% step) is checked once,
 * at its best speed.
 */
function distinctPlaces(own: Check[], revoted: Check[][]): Check[] {
  const ranked = revoted.map((checks) => [...checks].sort((a, b) => b.votes - a.votes));
  const order = [...own];
  for (let r = 0; ranked.some((checks) => r < checks.length); r++) {
    for (const checks of ranked) if (r < checks.length) order.push(checks[r]);
  }
  const kept: Check[] = [];
  for (const c of order) {
    if (kept.length >= PLACES_PER_TRACK) break;
    const mid = (c.from + c.to) / 2;
    const same = (k: Check) =>
      Math.abs(k.refAtZero + mid * k.speed - (c.refAtZero + mid * c.speed)) < SAME_PLACE_SECONDS;
    if (!kept.some(same)) kept.push(c);
  }
  return kept;
}

/** The upload seconds judged for a check: its voted stretch, padded, at least MIN_JUDGED_SECONDS. */
export function judged(c: Check, duration: number): { from: number; to: number } {
  const half = Math.max((c.to - c.from) / 2 + PADDING_SECONDS, MIN_JUDGED_SECONDS / 2);
  const from = Math.max(0, Math.min((c.from + c.to) / 2 - half, duration - 2 * half));
  return { from, to: Math.min(duration, from + 2 * half) };
}

/** The check where the track's reference is most clearly present (undefined when it cannot be read). */
async function checkPlaces(
  db: Database,
  mix: Float32Array,
  musicId: string,
  checks: Check[],
  opts: CatalogOptions,
): Promise<{ check: Check; z: number } | undefined> {
  const duration = mix.length / SAMPLE_RATE;
  const refAt = (c: Check, t: number) => c.refAtZero + t * c.speed;
  // One read covers every place (most voted first) that fits in MAX_REFERENCE_SECONDS.
  const range = { start: Infinity, end: -Infinity };
  const covered = checks.filter((c) => {
    const { from, to } = judged(c, duration);
    const start = Math.max(0, Math.min(range.start, refAt(c, from) - PRESENCE_MARGIN_SECONDS));
    const end = Math.max(range.end, refAt(c, to) + PRESENCE_MARGIN_SECONDS);
    if (end - start > MAX_REFERENCE_SECONDS || end <= 0) return false;
    Object.assign(range, { start, end });
    return true;
  });
  if (covered.length === 0) return undefined;
  let ref: Float32Array;
  try {
    [ref] = await loadMusicReference(db, musicId, SAMPLE_RATE, { ...opts, channels: 1, range });
  } catch (err) {
    // A candidate whose recording is gone (removed meanwhile) is simply not confirmed.
    if (err instanceof CatalogError) return undefined;
    throw err;
  }
  const guessOf = (c: Check) => {
    const { from, to } = judged(c, duration);
    const refFrom = (refAt(c, from) - range.start) * SAMPLE_RATE;
    return { from: from * SAMPLE_RATE, to: to * SAMPLE_RATE, refFrom, speed: c.speed };
  };
  // The lookups' own places are checked in full; the re-voted ones are screened and the best few checked.
  const screened = covered
    .filter((c) => !c.segments)
    .map((c) => ({ c, score: presenceScore(mix, ref, SAMPLE_RATE, guessOf(c)) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, FULL_CHECKS)
    .map(({ c }) => c);
  let best: { check: Check; z: number } | undefined;
  for (const check of [...covered.filter((c) => c.segments), ...screened]) {
    const { z } = referencePresence(mix, ref, SAMPLE_RATE, guessOf(check));
    if (!best || z > best.z) best = { check, z };
  }
  return best;
}
