// Writes an analysis's files: stems for archives (WAV) and browsers (AAC in MP4), and the restored
// video (the original picture, copied, with the restored OST as its soundtrack).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { encodeAudio, remuxAudio } from '@undub/inference/media';

export interface RestoredAudio {
  ost: Float32Array[];
  bgm: Float32Array[];
  speech: Float32Array[];
  sampleRate: number;
}

export interface OutputFiles {
  ost: string | null;
  bgm: string | null;
  speech: string | null;
  /** Browser formats of the stems, by stem kind. */
  browser: { ost: string | null; bgm: string | null; speech: string | null };
  restoredVideo: string | null;
}

/** 'archive': WAV stems and the restored video; 'all': also browser stems; 'none': nothing (benchmarks). */
export type OutputSet = 'archive' | 'all' | 'none';

const BROWSER_BITRATE = 160_000;

export async function writeOutputs(
  inputFile: string,
  outDir: string,
  audio: RestoredAudio | null,
  opts: { hasVideo: boolean; set: OutputSet },
): Promise<OutputFiles> {
  const none: OutputFiles = {
    ost: null,
    bgm: null,
    speech: null,
    browser: { ost: null, bgm: null, speech: null },
    restoredVideo: null,
  };
  if (!audio || opts.set === 'none') return none;
  const { hasVideo } = opts;
  const browser = opts.set === 'all';
  await mkdir(outDir, { recursive: true });
  const file = (name: string) => path.join(outDir, name);
  const { sampleRate } = audio;
  const stems = { ost: audio.ost, bgm: audio.bgm, speech: audio.speech } as const;
  const kinds = Object.keys(stems) as (keyof typeof stems)[];

  // All from memory, side by side: the ffmpeg encoders run on other cores while the WAVs are written.
  await Promise.all([
    hasVideo
      ? remuxAudio(inputFile, { channels: audio.ost, sampleRate }, file('restored.mp4'))
      : Promise.resolve(),
    ...(browser ? kinds : []).map((k) =>
      encodeAudio(stems[k], sampleRate, file(`${k}.m4a`), { format: 'aac', bitrate: BROWSER_BITRATE }),
    ),
    ...kinds.map((k) => encodeAudio(stems[k], sampleRate, file(`${k}.wav`), { format: 'wav' })),
  ]);
  return {
    ost: file('ost.wav'),
    bgm: file('bgm.wav'),
    speech: file('speech.wav'),
    browser: browser
      ? { ost: file('ost.m4a'), bgm: file('bgm.m4a'), speech: file('speech.m4a') }
      : none.browser,
    restoredVideo: hasVideo ? file('restored.mp4') : null,
  };
}
