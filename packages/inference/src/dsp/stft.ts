// Short-time Fourier transform with a periodic Hann window, and its overlap-add inverse.
// Frames are centred: frame f covers samples [f*hop - n/2, f*hop + n/2), zero padded at the edges,
// so an istft of an unmodified stft gives the input back exactly.
import { fftPlan, irfft, rfft } from './fft';

export interface Spectrogram {
  /** Number of frames. */
  frames: number;
  /** Bins per frame: n/2 + 1. */
  bins: number;
  fftSize: number;
  hop: number;
  /** Row-major [frame][bin]. */
  re: Float32Array;
  im: Float32Array;
}

const windows = new Map<number, Float32Array>();

export function hann(n: number): Float32Array {
  let w = windows.get(n);
  if (!w) {
    w = new Float32Array(n);
    for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
    windows.set(n, w);
  }
  return w;
}

export function frameCount(samples: number, hop: number): number {
  return Math.floor(samples / hop) + 1;
}

/**
 * STFT of `signal`. `out` (re/im of at least frames × bins) is written instead of new arrays: on
 * this machine touching freshly allocated memory costs as much as the transform itself.
 */
export function stft(
  signal: Float32Array,
  fftSize: number,
  hop: number,
  out?: { re: Float32Array; im: Float32Array },
): Spectrogram {
  const plan = fftPlan(fftSize);
  const win = hann(fftSize);
  const frames = frameCount(signal.length, hop);
  const bins = fftSize / 2 + 1;
  const re = out ? out.re.subarray(0, frames * bins) : new Float32Array(frames * bins);
  const im = out ? out.im.subarray(0, frames * bins) : new Float32Array(frames * bins);
  const buf = new Float64Array(fftSize);
  const half = fftSize / 2;
  for (let f = 0; f < frames; f++) {
    const start = f * hop - half;
    if (start >= 0 && start + fftSize <= signal.length) {
      for (let i = 0; i < fftSize; i++) buf[i] = signal[start + i] * win[i];
    } else {
      for (let i = 0; i < fftSize; i++) {
        const s = start + i;
        buf[i] = s >= 0 && s < signal.length ? signal[s] * win[i] : 0;
      }
    }
    rfft(plan, buf, re.subarray(f * bins, (f + 1) * bins), im.subarray(f * bins, (f + 1) * bins));
  }
  return { frames, bins, fftSize, hop, re, im };
}

/**
 * Overlap-add inverse (window applied again, normalised by the summed squared window), into `out`
 * when given (at least `length` long).
 */
export function istft(spec: Spectrogram, length: number, out?: Float32Array): Float32Array {
  const { fftSize, hop, bins, frames } = spec;
  const plan = fftPlan(fftSize);
  const win = hann(fftSize);
  const result = out ? out.subarray(0, length) : new Float32Array(length);
  result.fill(0);
  const buf = new Float64Array(fftSize);
  const half = fftSize / 2;
  for (let f = 0; f < frames; f++) {
    irfft(plan, spec.re.subarray(f * bins, (f + 1) * bins), spec.im.subarray(f * bins, (f + 1) * bins), buf);
    const start = f * hop - half;
    const lo = Math.max(0, -start);
    const hi = Math.min(fftSize, length - start);
    for (let i = lo; i < hi; i++) result[start + i] += buf[i] * win[i];
  }
  // The summed squared window at sample s, from the frames that cover it: periodic in s (period hop)
  // where every covering frame exists, summed frame by frame near the ends.
  const period = new Float64Array(hop);
  for (let i = 0; i < fftSize; i++) period[i % hop] += win[i] * win[i];
  const interiorFrom = fftSize - half - 1;
  const interiorTo = Math.min(length, (frames - 1) * hop - half + 1);
  for (let s = 0; s < length; s++) {
    if (s >= interiorFrom && s < interiorTo) {
      const norm = period[(s + half) % hop];
      if (norm > 1e-8) result[s] /= norm;
      continue;
    }
    let norm = 0;
    const last = Math.min(frames - 1, Math.floor((s + half) / hop));
    for (let f = last; f >= 0 && s - (f * hop - half) < fftSize; f--) {
      const w = win[s - (f * hop - half)];
      norm += w * w;
    }
    if (norm > 1e-8) result[s] /= norm;
  }
  return result;
}

/** Magnitudes |X| of a spectrogram, row-major [frame][bin] (into `into` when given, at least as long). */
export function magnitude(spec: Spectrogram, into?: Float32Array): Float32Array {
  const out = into ? into.subarray(0, spec.re.length) : new Float32Array(spec.re.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(spec.re[i] * spec.re[i] + spec.im[i] * spec.im[i]);
  return out;
}
