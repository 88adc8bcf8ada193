// A video's hashes over time, and matching two such sequences allowing a time offset, a speed change
// of a few percent and a mirrored picture.
import { hamming, hashFrame } from './phash';

export interface FrameHashes {
  /** Samples per second. */
  fps: number;
  hi: Uint32Array;
  lo: Uint32Array;
  mirrorHi: Uint32Array;
  mirrorLo: Uint32Array;
  /** 1 when the frame has enough detail to be compared. */
  informative: Uint8Array;
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
export const MAX_FRAME_DISTANCE = 14;

export function hashFrames(decoded: { fps: number; width: number; height: number; frames: Uint8Array[] }): FrameHashes {
  const n = decoded.frames.length;
  const out: FrameHashes = {
    fps: decoded.fps,
    hi: new Uint32Array(n),
    lo: new Uint32Array(n),
    mirrorHi: new Uint32Array(n),
    mirrorLo: new Uint32Array(n),
    informative: new Uint8Array(n),
  };
  decoded.frames.forEach((f, i) => {
    const h = hashFrame(f, decoded.width, decoded.height);
    out.hi[i] = h.hi;
    out.lo[i] = h.lo;
    out.mirrorHi[i] = h.mirrorHi;
    out.mirrorLo[i] = h.mirrorLo;
    out.informative[i] = h.detail >= MIN_DETAIL ? 1 : 0;
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

/** Best alignment of `query` inside `ref` (both sampled at their own fps). */
export function matchSequences(query: FrameHashes, ref: FrameHashes, opts: SequenceOptions = {}): SequenceMatch | undefined {
  const maxDistance = opts.maxDistance ?? MAX_FRAME_DISTANCE;
  const qIdx: number[] = [];
  for (let i = 0; i < query.hi.length; i++) if (query.informative[i]) qIdx.push(i);
  const refN = ref.hi.length;
  if (qIdx.length === 0 || refN === 0) return undefined;
  let best: { matched: number; speed: number; offset: number; mirrored: boolean } | undefined;
  for (const mirrored of [false, true]) {
    const qHi = mirrored ? query.mirrorHi : query.hi;
    const qLo = mirrored ? query.mirrorLo : query.lo;
    for (const speed of opts.speeds ?? DEFAULT_SPEEDS) {
      const step = (speed * ref.fps) / query.fps; // reference frames per query frame
      const qEnd = (query.hi.length - 1) * step;
      // Offsets (reference frames at query frame 0) that keep at least half the query inside the reference.
      for (let off = -Math.floor(qEnd / 2); off < refN - qEnd / 2; off++) {
        let matched = 0;
        for (const i of qIdx) {
          const j = Math.round(off + i * step);
          if (j < 0 || j >= refN) continue;
          if (hamming(qHi[i], qLo[i], ref.hi[j], ref.lo[j]) <= maxDistance) matched++;
        }
        if (!best || matched > best.matched) best = { matched, speed, offset: off, mirrored };
      }
    }
  }
  if (!best || best.matched === 0) return undefined;
  return describe(query, ref, qIdx, best, maxDistance, opts.maxGapSeconds ?? 2);
}

function describe(
  query: FrameHashes,
  ref: FrameHashes,
  qIdx: number[],
  best: { matched: number; speed: number; offset: number; mirrored: boolean },
  maxDistance: number,
  maxGapSeconds: number,
): SequenceMatch {
  const qHi = best.mirrored ? query.mirrorHi : query.hi;
  const qLo = best.mirrored ? query.mirrorLo : query.lo;
  const step = (best.speed * ref.fps) / query.fps;
  const segments: VideoSegment[] = [];
  let cur: { start: number; end: number } | undefined;
  const close = () => {
    if (!cur) return;
    segments.push({
      start: cur.start / query.fps,
      end: (cur.end + 1) / query.fps,
      refStart: (best.offset + cur.start * step) / ref.fps,
    });
  };
  for (const i of qIdx) {
    const j = Math.round(best.offset + i * step);
    const ok = j >= 0 && j < ref.hi.length && hamming(qHi[i], qLo[i], ref.hi[j], ref.lo[j]) <= maxDistance;
    if (!ok) continue;
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
    mirrored: best.mirrored,
    speed: best.speed,
    offsetSeconds: best.offset / ref.fps,
    segments,
  };
}
