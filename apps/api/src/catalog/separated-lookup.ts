// Music under a loud soundtrack: when the OST is louder than the music, the mixture's strongest peaks are
// mostly the OST's and the lookup finds nothing confident. The separation model's music estimate (the
// mixture minus its OST estimate) then joins the mixture in a second lookup, as the first stage of a BGM
// remover would: music peaks the model brings out pair with those the mixture already shows.
import { resample, SAMPLE_RATE } from '@undub/inference/fingerprint';
import type { Separator } from '@undub/inference/separation';
import type { Database } from '../db';
import type { CatalogOptions } from './context';
import { identifyMusic, type MusicMatch } from './identify';

/** The model's own rate: separating there costs the least and feeds it the band it was trained on. */
const SEPARATION_RATE = 16000;

/**
 * `identifyMusic`, with a second lookup of the mixture and the separated music together when the
 * mixture's finds nothing. Most uploads with catalog music loud enough are answered by the first
 * lookup, so the model runs only on the rest (uploads with quiet music, unknown music or none).
 */
export async function identifyMusicSeparated(
  db: Database,
  mono: Float32Array,
  sampleRate: number,
  separator: Separator,
  opts: CatalogOptions = {},
): Promise<MusicMatch[]> {
  const found = await identifyMusic(db, mono, sampleRate, opts);
  if (found.length > 0 || mono.length < sampleRate) return found;
  const rate = Math.min(sampleRate, SEPARATION_RATE);
  const { music } = await separator.separate([resample(mono, sampleRate, rate)], rate);
  const together = [resample(mono, sampleRate, SAMPLE_RATE), resample(music[0], rate, SAMPLE_RATE)];
  return identifyMusic(db, together, SAMPLE_RATE, opts);
}
