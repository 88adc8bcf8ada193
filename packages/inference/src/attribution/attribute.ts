// Decides, per segment, whether music heard in the upload belongs to the original work (it stays in
// the OST) or was laid over it (it goes). Two kinds of evidence: the music matches the original
// work's soundtrack (spans the matcher reports), or the music follows the picture: visual events
// (cuts, sudden motion) land on musical onsets far more often than chance, which a soundtrack cut
// to its video does and an overlay chosen afterwards does not.
import { stft } from '../dsp';

export interface Span {
  start: number;
  end: number;
}

export interface Frames {
  fps: number;
  width: number;
  height: number;
  /** Grayscale, width × height bytes each. */
  frames: Uint8Array[];
}

export interface AttributionInput {
  /** The separated music stem, mono, the upload's length. */
  music: Float32Array;
  sampleRate: number;
  /** Segments to judge, seconds (where the music was found). */
  segments: Span[];
  frames?: Frames;
  /** Upload spans where the music matches the original work's soundtrack. */
  originalSoundtrack?: Span[];
}

export interface VideoSync {
  /** Correlation of visual change with musical onsets, against circular shifts of the same curves (z-score). */
  z: number;
  /** Visual events (cuts or sudden motion) in the segment. */
  events: number;
}

export interface MusicAttribution extends Span {
  decision: 'original_music' | 'overlay';
  reason: 'soundtrack_match' | 'follows_video' | 'no_evidence';
  /** Share of the segment covered by spans matching the original's soundtrack. */
  soundtrackMatch: number;
  videoSync: VideoSync | null;
  /** The parts of the segment to keep in the OST. */
  keep: Span[];
}

export interface AttributionOptions {
  /** Sync z-score at or above which music is taken to follow the picture. */
  syncZ?: number;
  /** Fewest visual events for the sync evidence to count. */
  minEvents?: number;
}

/** Visual change per frame: mean absolute difference to the previous frame, 0..1 (frame 0 gets 0). */
export function visualChange(frames: Frames): Float32Array {
  const out = new Float32Array(frames.frames.length);
  const step = Math.max(1, Math.floor((frames.width * frames.height) / 20000));
  for (let f = 1; f < frames.frames.length; f++) {
    const a = frames.frames[f - 1];
    const b = frames.frames[f];
    let sum = 0;
    let count = 0;
    for (let i = 0; i < b.length; i += step) {
      sum += Math.abs(b[i] - a[i]);
      count++;
    }
    out[f] = sum / (255 * Math.max(1, count));
  }
  return out;
}

/** Musical onset strength (log-spectral flux) pooled to the video's frame times. */
export function musicOnsets(
  music: Float32Array,
  sampleRate: number,
  fps: number,
  count: number,
): Float32Array {
  let fft = 256;
  while (fft < sampleRate * 0.02) fft <<= 1;
  const hop = fft / 2;
  const spec = stft(music, fft, hop);
  const { frames, bins } = spec;
  const flux = new Float32Array(frames);
  let prev = new Float32Array(bins);
  // Compression relative to the stem's own level, so faint leakage from the OST does not make onsets.
  let level = 0;
  for (let i = 0; i < spec.re.length; i++) level = Math.max(level, Math.hypot(spec.re[i], spec.im[i]));
  const gain = 5 / Math.max(1e-9, level);
  for (let f = 0; f < frames; f++) {
    const cur = new Float32Array(bins);
    let s = 0;
    for (let k = 1; k < bins; k++) {
      const i = f * bins + k;
      cur[k] = Math.log1p(gain * Math.hypot(spec.re[i], spec.im[i]));
      if (f > 0) s += Math.max(0, cur[k] - prev[k]);
    }
    flux[f] = s;
    prev = cur;
  }
  const out = new Float32Array(count);
  for (let v = 0; v < count; v++) {
    const from = Math.max(0, Math.floor(((v - 0.5) / fps) * (sampleRate / hop)));
    const to = Math.min(frames, Math.ceil(((v + 0.5) / fps) * (sampleRate / hop)));
    for (let f = from; f < to; f++) out[v] = Math.max(out[v], flux[f]);
  }
  return out;
}

/** Each value minus the median of its ±r neighbourhood, floored at 0: events stand out from the bed. */
function novelty(x: Float32Array, r: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const win = Array.from(x.subarray(Math.max(0, i - r), Math.min(x.length, i + r + 1))).sort(
      (a, b) => a - b,
    );
    out[i] = Math.max(0, x[i] - win[win.length >> 1]);
  }
  return out;
}

function correlation(a: Float32Array, b: Float32Array, shift: number): number {
  const n = a.length;
  let ma = 0,
    mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0,
    saa = 0,
    sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] - ma;
    const y = b[(i + shift) % n] - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/** Sync of visual events and musical onsets in one segment, against circularly shifted onsets. */
function videoSync(visual: Float32Array, onsets: Float32Array, fps: number): VideoSync {
  const n = visual.length;
  const r = Math.max(2, Math.round(fps / 2));
  const v = novelty(visual, r);
  const m = novelty(onsets, r);
  // A small lag either way: frame timing and onset pooling are only frame-accurate.
  const at = (s: number) =>
    Math.max(correlation(v, m, s), correlation(v, m, (s + 1) % n), correlation(v, m, (s + n - 1) % n));
  const observed = at(0);
  const nulls: number[] = [];
  for (let s = r; s <= n - r; s++) nulls.push(at(s));
  const mean = nulls.reduce((a, b) => a + b, 0) / Math.max(1, nulls.length);
  const sd = Math.sqrt(nulls.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, nulls.length));
  // Events: frames whose change stands well above the typical frame-to-frame change.
  const sorted = Array.from(visual).sort((a, b) => a - b);
  const typical = sorted[sorted.length >> 1] || 0;
  let events = 0;
  for (let i = 0; i < n; i++)
    if (v[i] > Math.max(0.02, 3 * typical) && (i === 0 || v[i - 1] <= v[i])) events++;
  return { z: nulls.length >= 8 && sd > 1e-9 ? (observed - mean) / sd : 0, events };
}

function overlap(segment: Span, spans: Span[]): Span[] {
  const out: Span[] = [];
  for (const s of spans) {
    const start = Math.max(segment.start, s.start);
    const end = Math.min(segment.end, s.end);
    if (end > start) out.push({ start, end });
  }
  return out;
}

export function attributeMusic(
  input: AttributionInput,
  options: AttributionOptions = {},
): MusicAttribution[] {
  const { syncZ = 4, minEvents = 3 } = options;
  const { frames, sampleRate } = input;
  const visual = frames && frames.frames.length > 2 ? visualChange(frames) : null;
  const onsets = visual && frames ? musicOnsets(input.music, sampleRate, frames.fps, visual.length) : null;
  return input.segments.map((segment) => {
    const matched = overlap(segment, input.originalSoundtrack ?? []);
    const covered = matched.reduce((s, x) => s + x.end - x.start, 0);
    const soundtrackMatch = covered / Math.max(1e-9, segment.end - segment.start);
    let sync: VideoSync | null = null;
    if (visual && onsets && frames) {
      const from = Math.max(0, Math.floor(segment.start * frames.fps));
      const to = Math.min(visual.length, Math.ceil(segment.end * frames.fps));
      if (to - from >= 4 * frames.fps)
        sync = videoSync(visual.subarray(from, to), onsets.subarray(from, to), frames.fps);
    }
    const follows = sync !== null && sync.z >= syncZ && sync.events >= minEvents;
    const reason = matched.length > 0 ? 'soundtrack_match' : follows ? 'follows_video' : 'no_evidence';
    return {
      ...segment,
      decision: reason === 'no_evidence' ? 'overlay' : 'original_music',
      reason,
      soundtrackMatch,
      videoSync: sync,
      keep: reason === 'soundtrack_match' ? matched : reason === 'follows_video' ? [{ ...segment }] : [],
    };
  });
}
