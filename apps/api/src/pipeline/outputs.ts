// Writes an analysis's files: stems for archives (WAV) and browsers (AAC in MP4), and the restored
// video (the original picture, copied, with the restored OST as its soundtrack).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { encodeAudio, remuxAudio, transcodeAudio } from '@undub/inference/media';

export interface RestoredAudio {
  ost: Float32Array[];
  bgm: Float32Array[];
  /** May come later than the others: the OST and BGM files are under way while speech is extracted. */
  speech: Float32Array[] | Promise<Float32Array[]>;
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
  const browserCopy = (k: 'ost' | 'bgm' | 'speech') =>
    browser
      ? transcodeAudio(file(`${k}.wav`), sampleRate, file(`${k}.m4a`), {
          format: 'aac',
          bitrate: BROWSER_BITRATE,
        })
      : Promise.resolve();
  // Each WAV is written by this process (quickly); the ffmpeg encoders then read the files side by side.
  // Reading files rather than pipes from here, they never wait while the caller's event loop is busy
  // (the pipeline extracts speech and matches the originals meanwhile).
  await Promise.all(
    (['ost', 'bgm'] as const).map((k) =>
      encodeAudio(audio[k], sampleRate, file(`${k}.wav`), { format: 'wav' }),
    ),
  );
  const encoders = [
    hasVideo ? remuxAudio(inputFile, file('ost.wav'), file('restored.mp4')) : Promise.resolve(),
    browserCopy('ost'),
    browserCopy('bgm'),
  ];
  encoders.forEach((e) => e.catch(() => {})); // awaited below, after the speech stem
  await encodeAudio(await audio.speech, sampleRate, file('speech.wav'), { format: 'wav' });
  await Promise.all([...encoders, browserCopy('speech')]);
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
