// `undub identify`: a file decoded once (audio at the separation model's rate, small frames) and looked
// up as the pipeline looks it up, so the CLI names the music `undub analyze` would.
import { assertUsable, decodeAudio, decodeFrames, probeMedia, type MediaInfo } from '@undub/inference/media';
import type { Separator } from '@undub/inference/separation';
import { DECODE_HEIGHT, DECODE_WIDTH, HASH_FPS } from '@undub/inference/videohash';
import type { Database } from '../db';
import { catalogContext, type CatalogOptions } from './context';
import { matchOriginals, type MusicMatch, type OriginalMatch } from './identify';
import { identifyMusicSeparated, SEPARATION_RATE } from './separated-lookup';

export interface IdentifyResult {
  file: string;
  media: MediaInfo;
  music: MusicMatch[];
  originals: OriginalMatch[];
}

export async function identifyFile(
  db: Database,
  file: string,
  separator: Separator,
  opts: CatalogOptions = {},
): Promise<IdentifyResult> {
  const ctx = await catalogContext(db, opts);
  const media = await probeMedia(file);
  assertUsable(file, media, { maxDurationSeconds: ctx.maxDurationSeconds });
  const mono = media.audio
    ? (await decodeAudio(file, { sampleRate: SEPARATION_RATE, channels: 1 }))[0]
    : undefined;
  const frames = media.video
    ? await decodeFrames(file, { fps: HASH_FPS, width: DECODE_WIDTH, height: DECODE_HEIGHT })
    : undefined;
  const options = { ...opts, ...ctx };
  const music = mono ? await identifyMusicSeparated(db, mono, SEPARATION_RATE, separator, options) : [];
  const originals = await matchOriginals(
    db,
    { audio: mono ? { mono, sampleRate: SEPARATION_RATE } : undefined, frames },
    options,
  );
  return { file, media, music, originals };
}
