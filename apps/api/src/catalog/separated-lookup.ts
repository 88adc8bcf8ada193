// Music under a loud soundtrack, in up to four looks. When the OST is louder than the music, the
// mixture's strongest peaks are mostly the OST's and its lookup finds nothing confident. The separation
// model's music estimate (the mixture minus its OST estimate) then joins the mixture in a second lookup,
// as the first stage of a BGM remover would: music peaks the model brings out pair with those the
// mixture already shows. When that finds nothing either, the best candidates of both are checked
// against their reference recordings (waveform-check.ts). Last, when the upload re-uses a catalog
// work, the music is looked for under that work's soundtrack, removed (under-original.ts).
import { resample, SAMPLE_RATE } from '@undub/inference/fingerprint';
import type { Separator } from '@undub/inference/separation';
import type { Database } from '../db';
import type { CatalogOptions } from './context';
import { lookupMusic, type MusicMatch } from './identify';
import { lookupUnderOriginal } from './under-original';
import { confirmByWaveform } from './waveform-check';

/** The model's own rate: separating there costs the least and feeds it the band it was trained on. */
export const SEPARATION_RATE = 16000;

/**
 * Catalog music in `mono`. Most uploads with catalog music loud enough are answered by the mixture's
 * lookup, so the model, the reference checks and the original's removal run only on the rest (uploads
 * with quiet music, unknown music or none).
 */
export async function identifyMusicSeparated(
  db: Database,
  mono: Float32Array,
  sampleRate: number,
  separator: Separator,
  opts: CatalogOptions = {},
): Promise<MusicMatch[]> {
  const mixture = await lookupMusic(db, mono, sampleRate, opts);
  if (mixture.matches.length > 0 || mono.length < sampleRate) return mixture.matches;
  const rate = Math.min(sampleRate, SEPARATION_RATE);
  const { music } = await separator.separate([resample(mono, sampleRate, rate)], rate);
  const mix = resample(mono, sampleRate, SAMPLE_RATE);
  const together = await lookupMusic(db, [mix, resample(music[0], rate, SAMPLE_RATE)], SAMPLE_RATE, opts);
  if (together.matches.length > 0) return together.matches;
  const confirmed = await confirmByWaveform(db, mix, SAMPLE_RATE, [mixture, together], opts);
  if (confirmed.length > 0) return confirmed;
  return lookupUnderOriginal(db, mix, opts);
}
