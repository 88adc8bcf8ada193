// Uploads: a segment of an original (picture + its published audio), music laid over it, the whole
// re-encoded with a video transform; ground-truth OST and BGM written aligned to the decoded upload.
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeAudio, ffmpeg } from '../ffmpeg';
import type { EdgeCase, MusicTrack, OriginalWork, Transform, Upload, UploadKind } from '../manifest';
import { ceilingOf, siSdrStereo } from '../score';
import { readWav, writeWav } from '../wav';
import { RATE } from './ost';
import type { Rng } from './rng';
import {
  addInto,
  biquad,
  changeSpeed,
  compress,
  fade,
  filterInPlace,
  peakOf,
  rmsOf,
  scale,
  zeros,
  type Channels,
} from './shape';

export interface UploadSpec {
  id: string;
  kind: UploadKind;
  edgeCase?: EdgeCase;
  originalId: string;
  musicId?: string;
  ratioDb?: number;
  transform: Transform;
  bitrateKbps: number;
  seconds: number;
  hasAudio: boolean;
}

const SPEED: Partial<Record<Transform, number>> = { 'speed+3': 1.03, 'speed-3': 1 / 1.03 };

function videoTransform(rng: Rng, t: Transform, fps: number): string {
  switch (t) {
    case 'rescale540':
      return 'scale=-2:540';
    case 'crop10': {
      const fx = rng.range(0, 0.1).toFixed(3);
      const fy = rng.range(0, 0.1).toFixed(3);
      return `crop=w=trunc(iw*0.9/2)*2:h=trunc(ih*0.9/2)*2:x=iw*${fx}:y=ih*${fy}`;
    }
    case 'mirror':
      return 'hflip';
    case 'brightness': {
      const b = rng.pick([-1, 1]) * rng.range(0.05, 0.12);
      return `eq=brightness=${b.toFixed(3)}:contrast=${rng.range(0.85, 1.2).toFixed(3)}`;
    }
    case 'speed+3':
    case 'speed-3':
      return `setpts=PTS/${SPEED[t]},fps=${fps}`;
    default:
      return 'null';
  }
}

/** How an infringer shapes the music: fades, a little EQ, sometimes compression. */
function shapeMusic(rng: Rng, music: Channels): void {
  fade(music, rng.chance(0.5) ? rng.range(0.2, 1.5) : 0, rng.chance(0.5) ? rng.range(0.3, 2) : 0, RATE);
  if (rng.chance(0.6)) {
    const lo = biquad('lowshelf', 150, rng.range(-3, 3), 0.7, RATE);
    const hi = biquad('highshelf', 6000, rng.range(-3, 3), 0.7, RATE);
    for (const c of music) {
      filterInPlace(c, lo);
      filterInPlace(c, hi);
    }
  }
  if (rng.chance(0.4))
    compress(music, 20 * Math.log10(rmsOf(music) + 1e-9) + rng.range(0, 6), rng.range(2, 3), RATE);
}

export async function buildUpload(
  rng: Rng,
  spec: UploadSpec,
  original: OriginalWork,
  music: MusicTrack | undefined,
  dataDir: string,
): Promise<Upload> {
  const speed = SPEED[spec.transform] ?? 1;
  const span = spec.seconds * speed; // original seconds the upload covers
  const originalStart = rng.range(0, Math.max(0, original.durationSeconds - span - 0.05));
  const outFrames = Math.round(spec.seconds * RATE);
  const preFrames = Math.ceil(span * RATE) + 4;
  // The infringer works from the published original, so its decoded audio is the true OST.
  const full = await decodeAudio(join(dataDir, original.video));
  const from = Math.round(originalStart * RATE);
  let ost: Channels = full.map((c) => {
    const out = new Float32Array(preFrames);
    out.set(c.subarray(from, from + preFrames));
    return out;
  });
  let bgm: Channels | undefined;
  const info: Partial<Upload> = {};
  if (music) {
    const whole = rng.chance(0.65);
    const startPre = whole ? 0 : rng.range(0, 0.4 * span);
    const endPre = whole ? span : rng.range(startPre + 0.5 * span, span);
    const refStart = rng.range(0, Math.max(0, music.durationSeconds - (endPre - startPre) - 0.1));
    const piece = await decodeAudio(join(dataDir, music.file), {
      start: refStart,
      duration: endPre - startPre,
    });
    shapeMusic(rng, piece);
    const at = Math.round(startPre * RATE);
    const ostLevel = rmsOf(ost, at, Math.min(preFrames, at + piece[0].length));
    const target = spec.ratioDb !== undefined && ostLevel > 1e-5 ? ostLevel / 10 ** (spec.ratioDb / 20) : 0.1;
    scale(piece, target / Math.max(1e-9, rmsOf(piece)));
    bgm = zeros(2, preFrames);
    addInto(bgm, piece, at);
    Object.assign(info, {
      musicStart: startPre / speed,
      musicEnd: Math.min(spec.seconds, (startPre + piece[0].length / RATE) / speed),
      musicRefStart: refStart,
    });
  }
  ost = changeSpeed(ost, speed).map((c) => c.slice(0, outFrames));
  // The original's own music inside that OST, cut and sped up the same way.
  let ownMusic: Channels | undefined;
  if (original.originalMusic) {
    const stem = (await readWav(join(dataDir, original.originalMusic))).channels;
    const cut = stem.map((c) => {
      const out = new Float32Array(preFrames);
      out.set(c.subarray(from, from + preFrames));
      return out;
    });
    ownMusic = changeSpeed(cut, speed).map((c) => c.slice(0, outFrames));
  }
  if (bgm) bgm = changeSpeed(bgm, speed).map((c) => c.slice(0, outFrames));
  const mix = ost.map((c, ch) => {
    const m = c.slice();
    if (bgm) for (let i = 0; i < m.length; i++) m[i] += bgm[ch][i];
    return m;
  });
  const peak = peakOf(mix);
  if (peak > 0.95) for (const x of [ost, mix, bgm, ownMusic]) if (x) scale(x, 0.9 / peak);

  const file = `uploads/${spec.id}.mp4`;
  const out = join(dataDir, file);
  const mixFile = join(dataDir, `uploads/${spec.id}.mix.tmp.wav`);
  const args = [
    '-ss',
    originalStart.toFixed(4),
    '-t',
    (span + 0.2).toFixed(4),
    '-i',
    join(dataDir, original.video),
  ];
  if (spec.hasAudio) {
    await writeWav(mixFile, { sampleRate: RATE, channels: mix });
    args.push(
      '-i',
      mixFile,
      '-map',
      '0:v',
      '-map',
      '1:a',
      '-c:a',
      'aac',
      '-b:a',
      `${spec.bitrateKbps}k`,
      '-ar',
      String(RATE),
    );
  } else {
    args.push('-map', '0:v', '-an');
  }
  args.push(
    '-vf',
    `${videoTransform(rng, spec.transform, original.fps)},format=yuv420p`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-crf',
    '23',
    '-threads',
    '1',
    '-t',
    spec.seconds.toFixed(4),
    '-movflags',
    '+faststart',
    `${out}.tmp.mp4`,
  );
  await ffmpeg(args);
  await rename(`${out}.tmp.mp4`, out);

  const upload: Upload = {
    id: spec.id,
    file,
    kind: spec.kind,
    ...(spec.edgeCase ? { edgeCase: spec.edgeCase } : {}),
    originalId: spec.originalId,
    originalStart,
    musicId: music?.id,
    musicInCatalog: music?.inCatalog ?? false,
    ratioDb: music && spec.edgeCase !== 'silent_ost' ? spec.ratioDb : undefined,
    transform: spec.transform,
    bitrateKbps: spec.hasAudio ? spec.bitrateKbps : 0,
    speed,
    durationSeconds: spec.seconds,
    hasAudio: spec.hasAudio,
    ...info,
    hasOriginalMusic: original.hasOriginalMusic,
    expectedVerdict: spec.kind === 'new_work' || spec.edgeCase === 'silent_ost' ? 'original' : 'reupload',
  };
  if (spec.hasAudio) {
    upload.ost = `uploads/${spec.id}.ost.wav`;
    await writeWav(join(dataDir, upload.ost), { sampleRate: RATE, channels: ost });
    if (ownMusic) {
      upload.originalMusic = `uploads/${spec.id}.ownmusic.wav`;
      await writeWav(join(dataDir, upload.originalMusic), { sampleRate: RATE, channels: ownMusic });
    }
    if (bgm) {
      upload.bgm = `uploads/${spec.id}.bgm.wav`;
      await writeWav(join(dataDir, upload.bgm), { sampleRate: RATE, channels: bgm });
    }
    if (spec.edgeCase !== 'silent_ost') {
      const decoded = await decodeAudio(out);
      upload.ceilingSiSdr = Number(siSdrStereo(ceilingOf(decoded, bgm), ost).toFixed(2));
    }
    await rm(mixFile, { force: true });
  }
  return upload;
}
