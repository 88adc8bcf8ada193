// The analysis of one media file, shared by the worker and `undub analyze`: the stages of STAGES in
// order, each a call into @undub/inference or the catalog. IO is limited to reading the input, the
// catalog lookups and writing the outputs. Stages overlap where their inputs allow it: music is
// identified and removed while the frames decode, and the outputs are written while the originals
// are matched.
import { downmix } from '@undub/inference/dsp';
import { decodeAudio, decodeFrames, probeMedia, assertUsable, type MediaInfo } from '@undub/inference/media';
import type { Separator } from '@undub/inference/separation';
import { detectSpeech } from '@undub/inference/speech';
import { referenceRange } from '@undub/inference/removal';
import { restore, type RestoreResult } from '@undub/inference/restore';
import { DECODE_HEIGHT, DECODE_WIDTH, HASH_FPS } from '@undub/inference/videohash';
import type { DecodedFrames } from '@undub/inference/media';
import {
  loadMusicReference,
  matchOriginals,
  type CatalogOptions,
  type MusicMatch,
  type OriginalMatch,
} from '../catalog';
import { identifyMusicSeparated } from '../catalog/separated-lookup';
import { reusedSoundtrack } from '../catalog/under-original';
import type { Config } from '../config';
import type { Database } from '../db';
import { StageClock, type ProgressListener, type StageName } from './stages';
import { decideVerdict, type Verdict } from './verdict';
import { writeOutputs, type OutputFiles, type OutputSet } from './outputs';
import { pipelineVersions, type PipelineVersions } from './versions';

/** The highest rate audio is analysed and restored at; higher-rate inputs are resampled by ffmpeg. */
const MAX_SAMPLE_RATE = 48000;
/** Audio match score from which separated music counts as the original's own. */
const ORIGINAL_MUSIC_SCORE = 0.5;

export interface AnalyzeOptions {
  outDir: string;
  /** false: match the unrestored mixture (for comparison); no BGM removal. */
  restore?: boolean;
  onProgress?: ProgressListener;
  /** Which files to write (default 'archive'). */
  outputs?: OutputSet;
}

export interface AnalysisDeps {
  db: Database;
  config: Config;
  separator: Separator;
  /** Whose catalog to match against, and where its media lives (default: the default tenant's). */
  catalog?: CatalogOptions;
}

export interface Analysis {
  media: MediaInfo;
  sampleRate: number | null;
  musicMatches: MusicMatch[];
  originalMatches: OriginalMatch[];
  restoration: Omit<RestoreResult, 'ost' | 'bgm' | 'speech'> | null;
  verdict: Verdict;
  outputs: OutputFiles;
  timings: Partial<Record<StageName, number>>;
  versions: PipelineVersions;
}

export async function analyzeFile(file: string, deps: AnalysisDeps, opts: AnalyzeOptions): Promise<Analysis> {
  const { db, config, separator } = deps;
  const catalog = deps.catalog ?? {};
  const clock = new StageClock(opts.onProgress);
  const doRestore = opts.restore !== false;

  const media = await clock.run('probe', async () => {
    const info = await probeMedia(file);
    assertUsable(file, info, { maxDurationSeconds: config.maxDurationSeconds });
    return info;
  });

  const sampleRate = media.audio
    ? Math.min(media.audio.sampleRate || MAX_SAMPLE_RATE, MAX_SAMPLE_RATE)
    : null;
  // Audio and frames decode side by side (two ffmpeg processes); music identification starts as soon
  // as the audio is there, while the frames are still decoding.
  const audioDecoded =
    media.audio && sampleRate
      ? decodeAudio(file, { sampleRate, channels: Math.min(2, Math.max(1, media.audio.channels)) })
      : Promise.resolve(null);
  const decoded = clock.start(
    'decode',
    Promise.all([
      audioDecoded,
      media.video
        ? decodeFrames(file, { fps: HASH_FPS, width: DECODE_WIDTH, height: DECODE_HEIGHT })
        : Promise.resolve(null as DecodedFrames | null),
    ]),
  );
  const audio = await audioDecoded;

  const musicMatches = await clock.run('identify_music', () =>
    audio && sampleRate ? identifyMusicSeparated(db, downmix(audio), sampleRate, separator, catalog) : [],
  );

  // Removal starts while the frames may still decode (in ffmpeg, beside it); only music attribution
  // and the originals' matching wait for them.
  const framesDecoded = decoded.then(([, f]) => f ?? undefined);
  framesDecoded.catch(() => {}); // a decode failure surfaces where the frames are awaited below
  let restored: RestoreResult | null = null;
  // The files depend only on the restored audio: the OST and BGM are written as soon as they are final,
  // while speech is extracted and the originals are matched; the speech stem follows.
  let speechStem: (speech: Float32Array[]) => void = () => {};
  let speechFailed: (err: unknown) => void = () => {};
  const speech = new Promise<Float32Array[]>((resolve, reject) => {
    speechStem = resolve;
    speechFailed = reject; // restore() failed after its stems: the writer stops instead of waiting
  });
  speech.catch(() => {}); // the failure itself surfaces from restore()
  const write = (stems: Pick<RestoreResult, 'ost' | 'bgm'> | null) =>
    clock.start(
      'write_outputs',
      writeOutputs(file, opts.outDir, stems && sampleRate ? { ...stems, speech, sampleRate } : null, {
        hasVideo: !!media.video,
        set: opts.outputs ?? 'archive',
      }),
    );
  let written: Promise<OutputFiles> | undefined;
  if (audio && sampleRate) {
    if (doRestore) {
      // Reading the identified tracks' audio is part of removing them; only the part the segments
      // reach, or may grow into within the upload, is decoded, and the segments' reference times are
      // moved to its start.
      const references = await clock.run('remove_bgm', () =>
        Promise.all(
          musicMatches.map(async (m) => {
            const segments = m.segments.map((s) => ({ ...s, speed: m.speed }));
            const range = referenceRange(segments, { uploadSeconds: audio[0].length / sampleRate });
            return {
              musicId: m.musicId,
              channels: await loadMusicReference(db, m.musicId, sampleRate, { ...catalog, range }),
              segments: segments.map((s) => ({ ...s, refStart: s.refStart - range.start })),
            };
          }),
        ),
      );
      try {
        restored = await restore(
          { channels: audio, sampleRate, references, frames: framesDecoded },
          {
            separator,
            detectSpeech,
            onStage: (stage, seconds) => clock.add(stage, seconds),
            attributeMusic: (music, rate) => originalMusicSpans(db, music, rate, catalog),
            reusedSoundtrack: () =>
              reusedSoundtrack(db, downmix(audio), sampleRate, { ...catalog, channels: audio.length }),
            onStems: (ost, bgm) => (written = write({ ost, bgm })),
          },
        );
      } catch (err) {
        speechFailed(err);
        throw err;
      }
    } else {
      restored = unrestored(audio);
    }
  }

  const outputsWritten = written ?? write(restored);
  speechStem(restored?.speech ?? []);
  const frames = await framesDecoded;

  const originalMatches = await clock.run('match_originals', () =>
    matchOriginals(
      db,
      {
        audio: restored && sampleRate ? { mono: downmix(restored.ost), sampleRate } : undefined,
        frames,
      },
      catalog,
    ),
  );

  const verdict = await clock.run('decide', () =>
    decideVerdict({ originalMatches, musicMatches, hasAudio: !!audio, hasVideo: !!frames }, config),
  );

  const outputs = await outputsWritten;

  let restoration: Analysis['restoration'] = null;
  if (restored) {
    const { ost: _o, bgm: _b, speech: _s, ...rest } = restored;
    restoration = rest;
  }
  return {
    media,
    sampleRate,
    musicMatches,
    originalMatches,
    restoration,
    verdict,
    outputs,
    timings: clock.timings,
    versions: pipelineVersions(separator, config),
  };
}

/** Where the music the model separated is an original work's own soundtrack (it matches it in the catalog). */
export async function originalMusicSpans(
  db: Database,
  music: Float32Array,
  sampleRate: number,
  catalog: CatalogOptions,
) {
  // The music is zero outside the spans the model acted on: only the part between the first and last
  // sound is looked up (often a second or two of a long upload), and its times are moved back.
  let first = 0;
  let last = music.length;
  while (first < last && music[first] === 0) first++;
  while (last > first && music[last - 1] === 0) last--;
  if (last - first === 0) return [];
  const offset = first / sampleRate;
  const mono = music.subarray(first, last);
  const matches = await matchOriginals(db, { audio: { mono, sampleRate } }, catalog);
  return matches
    .filter((m) => m.audio.score >= ORIGINAL_MUSIC_SCORE)
    .flatMap((m) => m.audio.segments.map((s) => ({ start: s.start + offset, end: s.end + offset })));
}

/** `--no-restore`: the mixture passes through as the OST, nothing is removed. */
function unrestored(audio: Float32Array[]): RestoreResult {
  const n = audio[0].length;
  return {
    ost: audio,
    bgm: audio.map(() => new Float32Array(n)),
    speech: audio.map(() => new Float32Array(n)),
    speechSegments: [],
    provenance: [],
  };
}
