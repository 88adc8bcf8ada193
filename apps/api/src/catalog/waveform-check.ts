// The last look for catalog music far under the soundtrack: when neither landmark lookup identifies
// anything, the best candidates they voted for are checked against their reference recordings. Landmark
// votes for such music are as few as chance gives an unrelated track, but the reference's waveform is
// either in the upload at the voted place or not (referencePresence), so a check of two or three
// candidates settles what the votes could not.
import { resample, SAMPLE_RATE } from '@undub/inference/fingerprint';
import { PRESENCE_MARGIN_SECONDS, referencePresence } from '@undub/inference/removal';
import type { Database } from '../db';
import type { CatalogOptions } from './context';
import { CatalogError } from './errors';
import { round, type MusicMatch } from './identify';
import { loadMusicReference } from './manage';

/**
 * Presence (in null spreads) from which a candidate is identified. On the development set, unrelated
 * tracks checked against non-catalog music stayed under 3 (1,851 checks, spread 0.4) and the catalog
 * music the landmarks could not settle came out at 5 to 37. It must stay above sqrt(7) (presence.ts).
 */
export const MIN_PRESENCE_Z = 4;
/** Seconds judged on each side of the voted segments: the music often runs on past the votes. */
const PADDING_SECONDS = 2;

/** Confidence of a waveform-confirmed match: a match's 0.5 at the threshold, near 1 from z = 8. */
function presenceConfidence(z: number): number {
  return 1 / (1 + Math.exp(-(z - MIN_PRESENCE_Z)));
}

/**
 * The shortlisted tracks whose reference is present in `mono` at a place a candidate voted for (one match
 * per track), most confident first, with `evidence: 'waveform'`.
 */
export async function confirmByWaveform(
  db: Database,
  mono: Float32Array,
  sampleRate: number,
  shortlist: MusicMatch[],
  opts: CatalogOptions = {},
): Promise<MusicMatch[]> {
  // The two lookups may shortlist one track at one place (checked once) or at two (both checked).
  const placeOf = (m: MusicMatch) =>
    `${m.musicId}@${Math.round(m.segments[0].refStart - m.segments[0].start * m.speed)}`;
  const candidates = [...new Map(shortlist.map((m) => [placeOf(m), m] as const)).values()];
  if (candidates.length === 0) return [];
  const mix = resample(mono, sampleRate, SAMPLE_RATE);
  const duration = mix.length / SAMPLE_RATE;
  const checked = await Promise.all(
    candidates.map(async (m) => {
      const first = m.segments[0];
      const from = Math.max(0, first.start - PADDING_SECONDS);
      const to = Math.min(duration, m.segments.at(-1)!.end + PADDING_SECONDS);
      const refAt = (t: number) => first.refStart + (t - first.start) * m.speed;
      const range = {
        start: Math.max(0, refAt(from) - PRESENCE_MARGIN_SECONDS),
        end: refAt(to) + PRESENCE_MARGIN_SECONDS,
      };
      let ref: Float32Array;
      try {
        [ref] = await loadMusicReference(db, m.musicId, SAMPLE_RATE, { ...opts, channels: 1, range });
      } catch (err) {
        // A candidate whose recording is gone (removed meanwhile) is simply not confirmed.
        if (err instanceof CatalogError) return { m, z: -Infinity };
        throw err;
      }
      const { z } = referencePresence(mix, ref, SAMPLE_RATE, {
        from: from * SAMPLE_RATE,
        to: to * SAMPLE_RATE,
        refFrom: (refAt(from) - range.start) * SAMPLE_RATE,
        speed: m.speed,
      });
      return { m, z };
    }),
  );
  const best = new Map<string, { m: MusicMatch; z: number }>();
  for (const c of checked) if (c.z > (best.get(c.m.musicId)?.z ?? -Infinity)) best.set(c.m.musicId, c);
  return [...best.values()]
    .filter((c) => c.z >= MIN_PRESENCE_Z)
    .sort((a, b) => b.z - a.z)
    .map(({ m, z }) => ({
      ...m,
      confidence: round(presenceConfidence(z)),
      evidence: 'waveform',
    }));
}
