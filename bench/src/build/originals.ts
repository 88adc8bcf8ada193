// Original works: synthetic picture + OST, encoded as the "master" H.264 + AAC file the catalog holds.
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { ffmpeg } from '../ffmpeg';
import type { OriginalWork } from '../manifest';
import { writeWav } from '../wav';
import { buildOst, RATE, type OstPools } from './ost';
import type { Rng } from './rng';
import { peakOf, rmsOf, scale } from './shape';
import { videoFilter } from './video';

export interface OriginalSpec {
  id: string;
  inCatalog: boolean;
  /** Silent OST: the edge case whose only sound will be overlaid music. */
  silent?: boolean;
}

export async function buildOriginal(
  rng: Rng,
  spec: OriginalSpec,
  pools: OstPools,
  dataDir: string,
): Promise<OriginalWork> {
  const large = rng.chance(0.2);
  const [w, h] = large ? [1280, 720] : [640, 360];
  const fps = rng.pick([25, 30]);
  const seconds = Math.round(rng.range(12, 20) * fps) / fps;
  const withMusic = !spec.silent && rng.chance(0.2);
  const ost = await buildOst(rng, pools, seconds, withMusic);
  let gain = spec.silent ? 0 : 10 ** (rng.range(-24, -18) / 20) / rmsOf(ost.audio);
  scale(ost.audio, gain);
  const peak = peakOf(ost.audio);
  if (peak > 0.7) {
    scale(ost.audio, 0.7 / peak);
    gain *= 0.7 / peak;
  }
  let musicStem: string | undefined;
  if (ost.music) {
    scale(ost.music, gain);
    musicStem = `originals/${spec.id}.music.wav`;
    await writeWav(join(dataDir, musicStem), { sampleRate: RATE, channels: ost.music });
  }
  const filter = videoFilter(rng, w, h, fps, seconds);
  const video = `originals/${spec.id}.mp4`;
  const ostFile = `originals/${spec.id}.ost.wav`;
  await writeWav(join(dataDir, ostFile), { sampleRate: RATE, channels: ost.audio });
  const out = join(dataDir, video);
  const tmp = `${out}.tmp.mp4`;
  await ffmpeg([
    '-i',
    join(dataDir, ostFile),
    '-filter_complex',
    filter,
    '-map',
    '[v]',
    '-map',
    '0:a',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-crf',
    '20',
    '-g',
    String(2 * fps),
    '-threads',
    '1',
    '-c:a',
    'aac',
    '-b:a',
    '256k',
    '-ar',
    String(RATE),
    '-t',
    seconds.toFixed(3),
    '-movflags',
    '+faststart',
    tmp,
  ]);
  await rename(tmp, out);
  return {
    id: spec.id,
    title: `Original work ${spec.id.slice(2)}`,
    video,
    ost: ostFile,
    split: 'eval',
    inCatalog: spec.inCatalog,
    hasOriginalMusic: ost.originalMusicId !== undefined,
    originalMusicId: ost.originalMusicId,
    originalMusic: musicStem,
    durationSeconds: seconds,
    width: w,
    height: h,
    fps,
    speech: ost.speech,
    ambient: ost.ambient,
  };
}
