// Music under an original work's own soundtrack. A re-upload keeps the work's soundtrack, and where that
// is dense (speech over ambience, the work's own music) it can mask every spectral peak of quiet added
// music, so that no query of the mixture, separated or not, holds the music's landmarks. But the work is
// in the catalog: its soundtrack, found in the upload by its own landmarks, is removed the way catalog
// music is (aligned reference, removeReference), and what is left, the added music, is looked up again.
import { SAMPLE_RATE } from '@undub/inference/fingerprint';
import { referenceRange, removeReference } from '@undub/inference/removal';
import type { Database } from '../db';
import type { CatalogOptions } from './context';
import { CatalogError } from './errors';
import { lookupMusic, MATCH_CONFIDENCE, matchOriginals, round, type MusicMatch } from './identify';
import { loadOriginalSoundtrack } from './manage';

/**
 * Catalog music in `mix` (at the fingerprint rate) once the soundtrack of the original work it re-uses
 * is removed; none when no work's soundtrack is in it or nothing is found under it. Each match names
 * the work (`beneath`).
 */
export async function lookupUnderOriginal(
  db: Database,
  mix: Float32Array,
  opts: CatalogOptions = {},
): Promise<MusicMatch[]> {
  // A work counts when its soundtrack alone matches: only its sound is removed, whatever the picture.
  const work = (await matchOriginals(db, { audio: { mono: mix, sampleRate: SAMPLE_RATE } }, opts)).find(
    (m) => m.audio.score >= MATCH_CONFIDENCE,
  );
  if (!work) return [];
  const segments = work.audio.segments.map((s) => ({ ...s, speed: work.audio.speed }));
  const range = referenceRange(segments, { uploadSeconds: mix.length / SAMPLE_RATE });
  let soundtrack: Float32Array[];
  try {
    soundtrack = await loadOriginalSoundtrack(db, work.originalId, SAMPLE_RATE, {
      ...opts,
      channels: 1,
      range,
    });
  } catch (err) {
    // A work removed from the catalog meanwhile has no soundtrack to remove.
    if (err instanceof CatalogError) return [];
    throw err;
  }
  const {
    ost: [rest],
    segments: removed,
  } = removeReference(
    [mix],
    SAMPLE_RATE,
    soundtrack,
    segments.map((s) => ({ ...s, refStart: s.refStart - range.start })),
  );
  if (removed.length === 0) return [];
  // Elsewhere the upload is the mixture its own lookup already searched: only the stretch the soundtrack
  // was removed from is looked up again (a long upload may re-use a few seconds of the work).
  const from = Math.floor(Math.min(...removed.map((s) => s.start)) * SAMPLE_RATE);
  const to = Math.ceil(Math.max(...removed.map((s) => s.end)) * SAMPLE_RATE);
  const { matches } = await lookupMusic(db, rest.subarray(from, to), SAMPLE_RATE, opts);
  const shift = (t: number) => round(t + from / SAMPLE_RATE);
  return matches.map((m) => ({
    ...m,
    segments: m.segments.map((s) => ({ ...s, start: shift(s.start), end: shift(s.end) })),
    beneath: work.originalId,
  }));
}
