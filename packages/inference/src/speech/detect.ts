// Speech segments from VAD probabilities (hysteresis: a segment opens above `threshold` and closes
// after `minSilenceMs` below `threshold - 0.15`), and a speech-only stem gated to those segments.
import { resample } from '../fingerprint/resample';
import { checkAudio } from '../separation/errors';
import { VAD_FRAME, VAD_RATE, speechProbabilities } from './vad';

export interface SpeechSegment {
  /** Seconds. */
  start: number;
  end: number;
  /** Mean VAD probability over the segment. */
  probability: number;
}

export interface SpeechOptions {
  threshold?: number;
  minSpeechMs?: number;
  minSilenceMs?: number;
  /** Padding added on both sides of each segment. */
  padMs?: number;
}

const FRAME_S = VAD_FRAME / VAD_RATE;

export async function detectSpeech(
  mono: Float32Array,
  sampleRate: number,
  opts: SpeechOptions = {},
): Promise<SpeechSegment[]> {
  checkAudio([mono], sampleRate);
  const { threshold = 0.5, minSpeechMs = 250, minSilenceMs = 300, padMs = 60 } = opts;
  const duration = mono.length / sampleRate;
  const probs = await speechProbabilities(resample(mono, sampleRate, VAD_RATE));
  const off = Math.max(0.01, threshold - 0.15);
  const raw: { from: number; to: number }[] = [];
  let open = -1;
  let lastSpeech = -1;
  for (let f = 0; f < probs.length; f++) {
    if (probs[f] >= threshold) {
      if (open < 0) open = f;
      lastSpeech = f;
    } else if (open >= 0 && probs[f] < off && (f - lastSpeech) * FRAME_S * 1000 >= minSilenceMs) {
      raw.push({ from: open, to: lastSpeech + 1 });
      open = -1;
    }
  }
  if (open >= 0) raw.push({ from: open, to: lastSpeech + 1 });
  const pad = padMs / 1000;
  const segments: SpeechSegment[] = [];
  for (const { from, to } of raw) {
    if ((to - from) * FRAME_S * 1000 < minSpeechMs) continue;
    let sum = 0;
    for (let f = from; f < to; f++) sum += probs[f];
    const start = Math.max(0, from * FRAME_S - pad);
    const end = Math.min(duration, to * FRAME_S + pad);
    const prev = segments[segments.length - 1];
    if (prev && start <= prev.end) {
      prev.end = end; // padding made them touch: one segment
      continue;
    }
    segments.push({ start, end, probability: sum / (to - from) });
  }
  return segments;
}

const FADE_S = 0.02;

/** The input gated to the speech segments, with 20 ms raised-cosine fades outside each edge. */
export function speechStem(
  channels: Float32Array[],
  sampleRate: number,
  segments: SpeechSegment[],
): Float32Array[] {
  checkAudio(channels, sampleRate);
  const n = channels[0].length;
  const gain = new Float32Array(n);
  const fade = Math.max(1, Math.round(FADE_S * sampleRate));
  for (const s of segments) {
    const a = Math.max(0, Math.round(s.start * sampleRate));
    const b = Math.min(n, Math.round(s.end * sampleRate));
    for (let i = a; i < b; i++) gain[i] = 1;
    for (let j = 1; j <= fade; j++) {
      const g = Math.cos((Math.PI / 2) * (j / fade)) ** 2;
      if (a - j >= 0) gain[a - j] = Math.max(gain[a - j], g);
      if (b - 1 + j < n) gain[b - 1 + j] = Math.max(gain[b - 1 + j], g);
    }
  }
  return channels.map((c) => c.map((v, i) => v * gain[i]));
}
