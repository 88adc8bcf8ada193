// Why an upload's catalog music was missed, from the ground truth: the landmark votes its true place gets
// when the track's own stored landmarks are re-voted with the upload's queries (no vote budget, the true
// speed), against the most any other place of the track gets; and how clearly the track's waveform is
// present at the true place (the waveform check's measure). Few votes with a clear waveform: the
// fingerprints cannot see the music but its recording could be found there; neither: too little music.
import {
  FRAME_SECONDS,
  itemLandmarks,
  offsetVotes,
  queryFingerprint,
  resample,
  SAMPLE_RATE,
  speedHypotheses,
  type QueryLandmarks,
} from '@undub/inference/fingerprint';
import { PRESENCE_MARGIN_SECONDS, referencePresence } from '@undub/inference/removal';
import type { Separator } from '@undub/inference/separation';
import type { Database } from '../../apps/api/src/db';
import { PgLandmarkIndex, SOURCE_MUSIC } from '../../apps/api/src/catalog/landmark-store';
import { loadMusicReference } from '../../apps/api/src/catalog/manage';
import type { Upload } from './manifest';

export interface MissDiagnosis {
  upload: string;
  musicId: string;
  ratioDb?: number;
  speed: number;
  musicSeconds: number;
  named?: string;
  /** Votes at the true place / most votes at any other place of the track: the mixture's query. */
  mixture: [number, number];
  /** The same for the query of the mixture with the separated music (the second look). */
  withSeparated: [number, number];
  /** Waveform presence at the true place, in null spreads (the waveform check identifies from 4). */
  presenceZ: number;
}

/** Places of one track this close (frames) to the true one count as it. */
const SAME_PLACE_FRAMES = 16;

export async function diagnoseMiss(
  db: Database,
  u: Upload,
  x: Float32Array,
  sampleRate: number,
  separator: Separator,
  named?: string,
): Promise<MissDiagnosis> {
  const { rows } = await db.pool.query<{ fingerprintKey: number }>(
    `SELECT "fingerprintKey" FROM "MusicTrack" WHERE "externalId" = $1`,
    [u.musicId],
  );
  const key = rows[0].fingerprintKey;
  const item = itemLandmarks(
    await new PgLandmarkIndex(db.pool, SOURCE_MUSIC, new Set([key])).window(key, 0, 2 ** 31 - 1),
  );
  const start = u.musicStart ?? 0;
  const end = u.musicEnd ?? u.durationSeconds;
  const refStart = u.musicRefStart ?? 0;
  const trueOffset = (refStart - start * u.speed) / FRAME_SECONDS;
  // The pitch-following hypothesis nearest the upload's speed (the bench changes speed by resampling).
  const hypothesis = speedHypotheses()
    .filter((h) => h.pitchFollows)
    .sort((a, b) => Math.abs(a.speed - u.speed) - Math.abs(b.speed - u.speed))[0];
  const votesOf = (lookups: QueryLandmarks[]): [number, number] => {
    const { votes, base } = offsetVotes(lookups.find((l) => l.hypothesis === hypothesis)!.landmarks, item);
    let here = 0;
    let elsewhere = 0;
    votes.forEach((v, j) => {
      const offset = j - base;
      if (Math.abs(offset - trueOffset) > SAME_PLACE_FRAMES) elsewhere = Math.max(elsewhere, v);
      else if (offset >= Math.floor(trueOffset) - 1 && offset <= Math.ceil(trueOffset) + 1)
        here = Math.max(here, v);
    });
    return [here, elsewhere];
  };
  const mix = resample(x, sampleRate, SAMPLE_RATE);
  const { music } = await separator.separate([x], sampleRate);
  const separated = resample(music[0], sampleRate, SAMPLE_RATE);
  const hypotheses = [hypothesis];
  const range = {
    start: Math.max(0, refStart - PRESENCE_MARGIN_SECONDS),
    end: refStart + (end - start) * u.speed + PRESENCE_MARGIN_SECONDS,
  };
  const [ref] = await loadMusicReference(db, u.musicId!, SAMPLE_RATE, { channels: 1, range });
  const { z } = referencePresence(mix, ref, SAMPLE_RATE, {
    from: start * SAMPLE_RATE,
    to: Math.min(end, mix.length / SAMPLE_RATE) * SAMPLE_RATE,
    refFrom: (refStart - range.start) * SAMPLE_RATE,
    speed: u.speed,
  });
  return {
    upload: u.id,
    musicId: u.musicId!,
    ratioDb: u.ratioDb,
    speed: u.speed,
    musicSeconds: end - start,
    named,
    mixture: votesOf(queryFingerprint(mix, SAMPLE_RATE, hypotheses).lookups),
    withSeparated: votesOf(queryFingerprint([mix, separated], SAMPLE_RATE, hypotheses).lookups),
    presenceZ: z,
  };
}
