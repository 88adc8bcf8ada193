// The soundtrack of the original work an upload re-uses, as a reference. A re-upload keeps the work's
// soundtrack, and where that is dense (speech over ambience, the work's own music) it hides the added
// music: it can mask every spectral peak of quiet music, so that no query of the mixture, separated or
// not, holds the music's landmarks, and it leaves the separation model a mixture of two musics to tell
// apart. But the work is in the catalog: its soundtrack, found in the upload by its own landmarks, can
// be removed the way catalog music is (aligned reference, removeReference). What is left, the added
// music, is looked up again here, and restore() runs the model on it (apps/api/src/pipeline/analyze.ts).
import { SAMPLE_RATE } from '@undub/inference/fingerprint';
import { referenceRange, removeReference } from '@undub/inference/removal';
import type { Soundtrack } from '@undub/inference/restore';
import type { Database } from '../db';
import type { CatalogOptions } from './context';
import { CatalogError } from './errors';
import { lookupMusic, MATCH_CONFIDENCE, matchOriginals, round, type MusicMatch } from './identify';
import { loadOriginalSoundtrack } from './manage';

/**
 * The catalog work whose soundtrack `mono` re-uses, with that soundtrack read at `sampleRate`
 * (`channels` of it, from the start of the range its segments reach); none when no work's soundtrack
 * matches. Only the soundtrack's match counts, not the picture: it is the sound that will be removed.
 */
export async function reusedSoundtrack(
  db: Database,
  mono: Float32Array,
  sampleRate: number,
  opts: CatalogOptions & { channels: number },
): Promise<Soundtrack | undefined> {
  const work = (await matchOriginals(db, { audio: { mono, sampleRate } }, opts)).find(
    (m) => m.audio.score >= MATCH_CONFIDENCE,
  );
  if (!work) return undefined;
  const segments = work.audio.segments.map((s) => ({ ...s, speed: work.audio.speed }));
  const range = referenceRange(segments, { uploadSeconds: mono.length / sampleRate });
  try {
    return {
      originalId: work.originalId,
      channels: await loadOriginalSoundtrack(db, work.originalId, sampleRate, { ...opts, range }),
      segments: segments.map((s) => ({ ...s, refStart: s.refStart - range.start })),
    };
  } catch (err) {
    // A work removed from the catalog meanwhile has no soundtrack to remove.
    if (err instanceof CatalogError) return undefined;
    throw err;
  }
}

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
  const work = await reusedSoundtrack(db, mix, SAMPLE_RATE, { ...opts, channels: 1 });
  if (!work) return [];
  const {
    ost: [rest],
    segments: removed,
  } = removeReference([mix], SAMPLE_RATE, work.channels, work.segments);
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
