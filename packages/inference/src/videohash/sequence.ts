// A video's hashes over time, and matching two such sequences allowing a time offset, a speed change
// of a few percent, a mirrored picture and a crop.
import { CENTRE, hamming, hashFrame, type Region } from './phash';

export interface HashSet {
  hi: Uint32Array;
  lo: Uint32Array;
  mirrorHi: Uint32Array;
  mirrorLo: Uint32Array;
}

export interface FrameHashes extends HashSet {
  /** Samples per second. */
  fps: number;
  /** 1 when the frame has enough detail to be compared. */
  informative: Uint8Array;
  /**
   * Query side only: hashes of regions where the reference's centre region lands when the upload was
   * cropped (up to 10%, anywhere), so a cropped upload still lines up with the stored hashes.
   */
  crops?: HashSet[];
}

export interface VideoSegment {
  /** Query seconds. */
  start: number;
  end: number;
  /** Reference seconds at `start`. */
  refStart: number;
}

export interface SequenceMatch {
  /** Fraction of the query's informative frames that match the reference under the best alignment. */
  score: number;
  matchedFrames: number;
  comparedFrames: number;
  mirrored: boolean;
  /** Query playback speed relative to the reference. */
  speed: number;
  /** Reference seconds at query second 0. */
  offsetSeconds: number;
  segments: VideoSegment[];
}

/** Detail below this marks a frame as flat. */
export const MIN_DETAIL = 0.02;
/** Hamming distance (of 64 bits) up to which two frames count as the same picture. */
export const MAX_FRAME_DISTANCE = 12;

/** A 10% crop keeps 90% of the frame: the stored centre region spans CENTRE / 0.9 of the upload. */
const CROP_SIZE = CENTRE / 0.9;
// A crop starting at fraction f (0..0.1) of the width puts the stored centre at (0.5 - f) / 0.9.
const CROP_SHIFT = 0.05 / 0.9;
export const CROP_REGIONS: Region[] = [-1, 0, 1].flatMap((dy) =>
  [-1, 0, 1].map((dx) => ({ cx: 0.5 + dx * CROP_SHIFT, cy: 0.5 + dy * CROP_SHIFT, size: CROP_SIZE })),
);

function emptySet(n: number): HashSet {
  return {
    hi: new Uint32Array(n),
    lo: new Uint32Array(n),
    mirrorHi: new Uint32Array(n),
    mirrorLo: new Uint32Array(n),
  };
}

export function hashFrames(
  decoded: { fps: number; width: number; height: number; frames: Uint8Array[] },
  opts: { crops?: boolean } = {},
): FrameHashes {
  const n = decoded.frames.length;
  const out: FrameHashes = { fps: decoded.fps, ...emptySet(n), informative: new Uint8Array(n) };
  if (opts.crops) out.crops = CROP_REGIONS.map(() => emptySet(n));
  decoded.frames.forEach((f, i) => {
    const h = hashFrame(f, decoded.width, decoded.height);
    out.hi[i] = h.hi;
    out.lo[i] = h.lo;
    out.mirrorHi[i] = h.mirrorHi;
    out.mirrorLo[i] = h.mirrorLo;
    out.informative[i] = h.detail >= MIN_DETAIL ? 1 : 0;
    out.crops?.forEach((set, c) => {
      const ch = hashFrame(f, decoded.width, decoded.height, CROP_REGIONS[c]);
      set.hi[i] = ch.hi;
      set.lo[i] = ch.lo;
      set.mirrorHi[i] = ch.mirrorHi;
      set.mirrorLo[i] = ch.mirrorLo;
    });
  });
  return out;
}

export interface SequenceOptions {
  speeds?: number[];
  maxDistance?: number;
  /** Seconds without matching frames that end a segment. */
  maxGapSeconds?: number;
}

const DEFAULT_SPEEDS = [1, 0.99, 1.01, 0.98, 1.02, 0.97, 1.03];

interface Variant {
  hi: Uint32Array;
  lo: Uint32Array;
  mirrored: boolean;
}

interface Alignment {
  variant: Variant;
  speed: number;
  offset: number;
  matched: number;
}

/**
 * Best alignment of `query` inside `ref` (each sampled at its own fps). Frame pairs within the distance
 * vote for an offset per (variant, speed), and the best-voted offsets are then counted exactly.
 */
export function matchSequences(
  query: FrameHashes,
  ref: FrameHashes,
  opts: SequenceOptions = {},
): SequenceMatch | undefined {
  const maxDistance = opts.maxDistance ?? MAX_FRAME_DISTANCE;
  const qIdx: number[] = [];
  for (let i = 0; i < query.hi.length; i++) if (query.informative[i]) qIdx.push(i);
  if (qIdx.length === 0 || ref.hi.length === 0) return undefined;
  const variants: Variant[] = [query, ...(query.crops ?? [])].flatMap((s) => [
    { hi: s.hi, lo: s.lo, mirrored: false },
    { hi: s.mirrorHi, lo: s.mirrorLo, mirrored: true },
  ]);
  let best: Alignment | undefined;
  for (const variant of variants) {
    const pairs: number[] = []; // i, j interleaved
    for (const i of qIdx) {
      for (let j = 0; j < ref.hi.length; j++) {
        if (hamming(variant.hi[i], variant.lo[i], ref.hi[j], ref.lo[j]) <= maxDistance) pairs.push(i, j);
      }
    }
    if (pairs.length === 0) continue;
    for (const speed of opts.speeds ?? DEFAULT_SPEEDS) {
      const step = (speed * ref.fps) / query.fps;
      const votes = new Map<number, number>();
      for (let p = 0; p < pairs.length; p += 2) {
        const o = Math.round(pairs[p + 1] - pairs[p] * step);
        votes.set(o, (votes.get(o) ?? 0) + 1);
      }
      const top = [...votes.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
      for (const [offset] of top) {
        const matched = matchedFrames(variant, ref, qIdx, offset, step, maxDistance).length;
        if (!best || matched > best.matched) best = { variant, speed, offset, matched };
      }
    }
  }
  if (!best || best.matched === 0) return undefined;
  return describe(query, ref, qIdx, best, maxDistance, opts.maxGapSeconds ?? 2);
}

/** Query frames that match the reference at `offset` (one reference frame of slack). */
function matchedFrames(
  v: Variant,
  ref: FrameHashes,
  qIdx: number[],
  offset: number,
  step: number,
  maxDistance: number,
): number[] {
  const out: number[] = [];
  for (const i of qIdx) {
    const c = Math.round(offset + i * step);
    for (let j = Math.max(0, c - 1); j <= Math.min(ref.hi.length - 1, c + 1); j++) {
      if (hamming(v.hi[i], v.lo[i], ref.hi[j], ref.lo[j]) <= maxDistance) {
        out.push(i);
        break;
      }
    }
  }
  return out;
}

function describe(
  query: FrameHashes,
  ref: FrameHashes,
  qIdx: number[],
  best: Alignment,
  maxDistance: number,
  maxGapSeconds: number,
): SequenceMatch {
  const step = (best.speed * ref.fps) / query.fps;
  const segments: VideoSegment[] = [];
  let cur: { start: number; end: number } | undefined;
  const close = () => {
    if (cur)
      segments.push({
        start: cur.start / query.fps,
        end: (cur.end + 1) / query.fps,
        refStart: (best.offset + cur.start * step) / ref.fps,
      });
  };
  for (const i of matchedFrames(best.variant, ref, qIdx, best.offset, step, maxDistance)) {
    if (cur && (i - cur.end) / query.fps <= maxGapSeconds) cur.end = i;
    else {
      close();
      cur = { start: i, end: i };
    }
  }
  close();
  return {
    score: best.matched / qIdx.length,
    matchedFrames: best.matched,
    comparedFrames: qIdx.length,
    mirrored: best.variant.mirrored,
    speed: best.speed,
    offsetSeconds: best.offset / ref.fps,
    segments,
  };
}
