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

export function stft(signal: Float32Array, fftSize: number, hop: number): Spectrogram {
  const plan = fftPlan(fftSize);
  const win = hann(fftSize);
  const frames = frameCount(signal.length, hop);
  const bins = fftSize / 2 + 1;
  const re = new Float32Array(frames * bins);
  const im = new Float32Array(frames * bins);
  const buf = new Float64Array(fftSize);
  const half = fftSize / 2;
  for (let f = 0; f < frames; f++) {
    const start = f * hop - half;
    for (let i = 0; i < fftSize; i++) {
      const s = start + i;
      buf[i] = s >= 0 && s < signal.length ? signal[s] * win[i] : 0;
    }
    rfft(plan, buf, re.subarray(f * bins, (f + 1) * bins), im.subarray(f * bins, (f + 1) * bins));
  }
  return { frames, bins, fftSize, hop, re, im };
}

/** Overlap-add inverse (window applied again, normalised by the summed squared window). */
export function istft(spec: Spectrogram, length: number): Float32Array {
  const { fftSize, hop, bins, frames } = spec;
  const plan = fftPlan(fftSize);
  const win = hann(fftSize);
  const out = new Float32Array(length);
  const norm = new Float32Array(length);
  const buf = new Float64Array(fftSize);
  const half = fftSize / 2;
  for (let f = 0; f < frames; f++) {
    irfft(plan, spec.re.subarray(f * bins, (f + 1) * bins), spec.im.subarray(f * bins, (f + 1) * bins), buf);
    const start = f * hop - half;
    for (let i = 0; i < fftSize; i++) {
      const s = start + i;
      if (s < 0 || s >= length) continue;
      out[s] += buf[i] * win[i];
      norm[s] += win[i] * win[i];
    }
  }
  for (let i = 0; i < length; i++) if (norm[i] > 1e-8) out[i] /= norm[i];
  return out;
}

/** Magnitudes |X| of a spectrogram, row-major [frame][bin]. */
export function magnitude(spec: Spectrogram): Float32Array {
  const out = new Float32Array(spec.re.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.hypot(spec.re[i], spec.im[i]);
  return out;
}
