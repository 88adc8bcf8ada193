// The one restoration function used by the pipeline, the CLI and the benchmark: catalog music is
// removed with its reference; the rest of the upload goes through the separation model where the
// model hears music; music that belongs to the original stays; speech is found on the result.
import { downmix, subtract } from '../dsp';
import { attributeMusic, type MusicAttribution } from '../attribution';
import { removeReference, type ReferenceSegment, type RemovedSegment } from '../removal';
import type { Separator } from '../separation';
import { speechStem, type SpeechSegment } from '../speech';
import { complement, modelSpans, union, type Span } from './spans';

export interface RestoreInput {
  channels: Float32Array[];
  sampleRate: number;
  /** Catalog music found by the matcher, with its clean audio at `sampleRate`. */
  references: { musicId: string; channels: Float32Array[]; segments: ReferenceSegment[] }[];
  /**
   * Decoded grayscale frames: music the model separates that follows the picture stays in the OST. A
   * promise lets removal start while the frames still decode; they are awaited only where needed.
   */
  frames?: Frames | Promise<Frames | undefined>;
  /** Upload spans whose music is known to be the original work's own soundtrack: kept in the OST. */
  originalSoundtrackSegments?: Span[];
}

/** A catalog work's soundtrack at the upload's rate, with where the upload re-uses it. */
export interface Soundtrack {
  originalId: string;
  channels: Float32Array[];
  segments: ReferenceSegment[];
}

type Frames = { fps: number; width: number; height: number; frames: Uint8Array[] };

export type RestoreStage = 'remove_bgm' | 'extract_speech' | 'attribute_music';

export interface RestoreDeps {
  separator: Separator;
  detectSpeech?: (mono: Float32Array, sampleRate: number) => Promise<SpeechSegment[]>;
  /** Time spent in each stage, for the pipeline's timings. */
  onStage?: (stage: RestoreStage, seconds: number) => void;
  /** Share of a window's energy the model must call music before it acts there (default 0.1). */
  musicShareThreshold?: number;
  /**
   * Given the music the model separated (mono, zero outside the spans it acted on), the spans where that
   * music is the original work's own (e.g. it matches the original's soundtrack in the catalog).
   */
  attributeMusic?: (music: Float32Array, sampleRate: number) => Promise<Span[]>;
  /**
   * The soundtrack of the original work the upload re-uses, if any, asked for only when the model has
   * music no reference covers: it is set aside before the model runs, so that the model hears the added
   * music with little else over it, and returned to the OST untouched (its own music included).
   */
  reusedSoundtrack?: () => Promise<Soundtrack | undefined>;
  /**
   * Called once the restored OST and the removed BGM are final, before speech is extracted, so a caller
   * can start writing them meanwhile.
   */
  onStems?: (ost: Float32Array[], bgm: Float32Array[]) => void;
}

export interface Provenance {
  start: number;
  end: number;
  method: 'reference' | 'model' | 'original_music' | 'none';
  detail?: Record<string, unknown>;
}

export interface RestoreResult {
  ost: Float32Array[];
  bgm: Float32Array[];
  speech: Float32Array[];
  speechSegments: SpeechSegment[];
  provenance: Provenance[];
}

/** Window over which the model's music share is judged, seconds. */
const WINDOW_SECONDS = 1;
/** Seconds the model must have to itself before a re-used soundtrack is looked for and set aside. */
const MIN_SET_ASIDE_SECONDS = 1;
/** Crossfade between methods, seconds. */
const FADE_SECONDS = 0.05;

async function timed<T>(deps: RestoreDeps, stage: RestoreStage, work: () => Promise<T> | T): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    deps.onStage?.(stage, (performance.now() - started) / 1000);
  }
}

export async function restore(input: RestoreInput, deps: RestoreDeps): Promise<RestoreResult> {
  const { sampleRate } = input;
  const length = input.channels[0].length;
  const duration = length / sampleRate;

  const { ost, referenceSegments, modelUsed, untouched, modelInput } = await timed(
    deps,
    'remove_bgm',
    async () => {
      let current = input.channels;
      const referenceSegments: (RemovedSegment & { musicId: string })[] = [];
      for (const ref of input.references) {
        const removed = removeReference(current, sampleRate, ref.channels, ref.segments);
        current = removed.ost;
        referenceSegments.push(...removed.segments.map((s) => ({ ...s, musicId: ref.musicId })));
      }
      const rest = complement(referenceSegments, duration);
      // Only where the model will run (music no reference covers) is the soundtrack worth removing.
      const soundtrack = covered(rest) >= MIN_SET_ASIDE_SECONDS ? await deps.reusedSoundtrack?.() : undefined;
      const within = soundtrack ? clip(soundtrack.segments, rest) : [];
      const aside = within.length
        ? removeReference(current, sampleRate, soundtrack!.channels, within).ost
        : current;
      const model = await separateSpans(aside, sampleRate, rest, deps, current);
      return {
        // What the model took out of `aside` is taken out of the upload (nothing where it did not act).
        ost: aside === current ? model.ost : subtract(current, subtract(aside, model.ost)),
        referenceSegments,
        modelUsed: model.used,
        untouched: model.untouched,
        modelInput: current,
      };
    },
  );

  const { restored, kept, attributions } = await timed(deps, 'attribute_music', async () => {
    if (modelUsed.length === 0)
      return { restored: ost, kept: [] as Span[], attributions: [] as MusicAttribution[] };
    const music = downmix(subtract(modelInput, ost));
    const heard = deps.attributeMusic ? await deps.attributeMusic(music, sampleRate) : [];
    const attributions = attributeMusic({
      music,
      sampleRate,
      segments: modelUsed,
      frames: await input.frames,
      originalSoundtrack: [...(input.originalSoundtrackSegments ?? []), ...heard],
    });
    return {
      ...keepOriginalMusic(
        ost,
        modelInput,
        sampleRate,
        attributions.flatMap((a) => a.keep),
      ),
      attributions,
    };
  });
  // The evidence behind each model span's decision, for the report.
  const evidence = (s: Span) => {
    const a = attributions.find((x) => x.start <= s.start + 1e-6 && x.end >= s.end - 1e-6);
    return a
      ? { detail: { reason: a.reason, soundtrackMatch: a.soundtrackMatch, videoSync: a.videoSync } }
      : {};
  };

  const bgm = subtract(input.channels, restored);
  deps.onStems?.(restored, bgm);

  const { speechSegments, speech } = await timed(deps, 'extract_speech', async () => {
    const speechSegments = deps.detectSpeech ? await deps.detectSpeech(downmix(restored), sampleRate) : [];
    return { speechSegments, speech: speechStem(restored, sampleRate, speechSegments) };
  });

  const provenance: Provenance[] = [
    ...referenceSegments.map((s) => ({
      start: s.start,
      end: s.end,
      method: 'reference' as const,
      detail: {
        musicId: s.musicId,
        gainDb: s.gainDb,
        speed: s.speed,
        residualDb: s.residualDb,
        confidence: s.confidence,
      },
    })),
    ...subtractSpans(modelUsed, kept).map((s) => ({ ...s, method: 'model' as const, ...evidence(s) })),
    ...kept.map((s) => ({ ...s, method: 'original_music' as const, ...evidence(s) })),
    ...untouched.map((s) => ({ ...s, method: 'none' as const })),
  ].sort((a, b) => a.start - b.start);

  return { ost: restored, bgm, speech, speechSegments, provenance };
}

/**
 * Runs the model on each span and uses its OST only in the windows where it hears music (a share of
 * `upload`'s energy there: `audio` may be the upload with the re-used soundtrack set aside), with short
 * crossfades; elsewhere the audio stays as it is.
 */
async function separateSpans(
  audio: Float32Array[],
  sampleRate: number,
  spans: Span[],
  deps: RestoreDeps,
  upload: Float32Array[],
) {
  const threshold = deps.musicShareThreshold ?? 0.1;
  const weight = new Float32Array(audio[0].length);
  const used: Span[] = [];
  const untouched: Span[] = [];
  const out = audio.map((c) => Float32Array.from(c));
  for (const span of spans) {
    const from = Math.floor(span.start * sampleRate);
    const to = Math.min(audio[0].length, Math.ceil(span.end * sampleRate));
    if (to - from < sampleRate * 0.1) continue;
    const part = audio.map((c) => c.subarray(from, to));
    const stems = await deps.separator.separate(part, sampleRate);
    const share = musicShare(
      upload.map((c) => c.subarray(from, to)),
      stems.music,
      Math.round(WINDOW_SECONDS * sampleRate),
    );
    const { music, clean } = modelSpans(share, WINDOW_SECONDS, threshold);
    const shift = (s: Span) => ({ start: span.start + s.start, end: Math.min(span.end, span.start + s.end) });
    used.push(...music.map(shift));
    untouched.push(...clean.map(shift));
    for (const s of music)
      fillRamp(
        weight,
        from + Math.round(s.start * sampleRate),
        from + Math.round(s.end * sampleRate),
        to,
        sampleRate,
      );
    for (let c = 0; c < out.length; c++) {
      const o = out[c];
      const m = stems.ost[c];
      for (let i = from; i < to; i++) o[i] = weight[i] * m[i - from] + (1 - weight[i]) * o[i];
    }
  }
  return { ost: out, used: union(used), untouched: union(untouched) };
}

/** Energy share of `music` in `mix`, per window. */
function musicShare(mix: Float32Array[], music: Float32Array[], window: number): Float32Array {
  const n = mix[0].length;
  const share = new Float32Array(Math.ceil(n / window));
  for (let w = 0; w < share.length; w++) {
    let em = 0;
    let ex = 0;
    for (let c = 0; c < mix.length; c++) {
      for (let i = w * window; i < Math.min(n, (w + 1) * window); i++) {
        em += music[c][i] * music[c][i];
        ex += mix[c][i] * mix[c][i];
      }
    }
    share[w] = ex > 1e-9 ? em / ex : 0;
  }
  return share;
}

/** Sets weight to 1 on [from, to) with raised-cosine ramps at both ends (within [0, limit)). */
function fillRamp(weight: Float32Array, from: number, to: number, limit: number, sampleRate: number): void {
  const fade = Math.round(FADE_SECONDS * sampleRate);
  const end = Math.min(to, limit);
  for (let i = Math.max(0, from - fade); i < Math.min(limit, end + fade); i++) {
    let w = 1;
    if (i < from) w = 0.5 - 0.5 * Math.cos((Math.PI * (i - from + fade)) / fade);
    else if (i >= end) w = 0.5 - 0.5 * Math.cos((Math.PI * (end + fade - i)) / fade);
    weight[i] = Math.max(weight[i], w);
  }
}

/** Where music belongs to the original, the model's removal is undone (catalog removal stays). */
function keepOriginalMusic(ost: Float32Array[], mix: Float32Array[], sampleRate: number, keep: Span[]) {
  const kept = union(keep);
  for (const s of kept) {
    const from = Math.floor(s.start * sampleRate);
    const to = Math.min(ost[0].length, Math.ceil(s.end * sampleRate));
    for (let c = 0; c < ost.length; c++) ost[c].set(mix[c].subarray(from, to), from);
  }
  return { restored: ost, kept };
}

function subtractSpans(a: Span[], b: Span[]): Span[] {
  let rest = union(a);
  for (const cut of union(b)) {
    rest = rest.flatMap((s) => {
      if (cut.end <= s.start || cut.start >= s.end) return [s];
      const parts: Span[] = [];
      if (cut.start > s.start) parts.push({ start: s.start, end: cut.start });
      if (cut.end < s.end) parts.push({ start: cut.end, end: s.end });
      return parts;
    });
  }
  return rest;
}

/** The parts of reference segments inside `spans`, their reference times moved along. */
function clip(segments: ReferenceSegment[], spans: Span[]): ReferenceSegment[] {
  return segments.flatMap((s) =>
    spans.flatMap((r) => {
      const start = Math.max(s.start, r.start);
      const end = Math.min(s.end, r.end);
      return end > start
        ? [{ ...s, start, end, refStart: s.refStart + (start - s.start) * (s.speed ?? 1) }]
        : [];
    }),
  );
}

const covered = (spans: Span[]) => spans.reduce((sum, s) => sum + s.end - s.start, 0);
