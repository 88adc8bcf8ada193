// Spectral peaks: local maxima of the log spectrogram, chosen per band and per second by prominence
// over their own frame's spectral envelope (so a peak must stand out locally, not just be loud).
import { fftPlan, hann, rfft } from '../dsp';
import {
  BAND_EDGES_HZ,
  FFT_SIZE,
  HOP,
  MAX_HZ,
  MIN_HZ,
  PEAK_BINS,
  PEAK_FRAMES,
  PEAKS_PER_BAND_SECOND,
  SAMPLE_RATE,
  UNITS_PER_OCTAVE,
} from './params';

export interface Peak {
  /** Frame index (HOP samples per frame at SAMPLE_RATE). */
  t: number;
  /** Log-frequency in units (UNITS_PER_OCTAVE per octave above MIN_HZ), fractional. */
  k: number;
  /** Prominence in natural-log magnitude units. */
  strength: number;
}

const BIN_HZ = SAMPLE_RATE / FFT_SIZE;
const LO_BIN = Math.floor(MIN_HZ / BIN_HZ);
const HI_BIN = Math.ceil(MAX_HZ / BIN_HZ);
const NBINS = HI_BIN - LO_BIN + 1;
const BLOCK_FRAMES = 1024;
const FRAMES_PER_SECOND = SAMPLE_RATE / HOP;
const ENVELOPE_BINS = 24;

export function hzToUnits(hz: number): number {
  return UNITS_PER_OCTAVE * Math.log2(hz / MIN_HZ);
}

const bandOfBin = (() => {
  const out = new Uint8Array(NBINS);
  for (let b = 0; b < NBINS; b++) {
    const hz = (b + LO_BIN) * BIN_HZ;
    let band = 0;
    while (band < BAND_EDGES_HZ.length - 2 && hz >= BAND_EDGES_HZ[band + 1]) band++;
    out[b] = band;
  }
  return out;
})();

/** Peaks of a mono signal at SAMPLE_RATE, sorted by time then frequency. */
export function extractPeaks(signal: Float32Array, perBandSecond = PEAKS_PER_BAND_SECOND): Peak[] {
  const frames = Math.floor(signal.length / HOP) + 1;
  const candidates: Peak[] = [];
  for (let b0 = 0; b0 < frames; b0 += BLOCK_FRAMES) {
    const b1 = Math.min(frames, b0 + BLOCK_FRAMES);
    const from = Math.max(0, b0 - PEAK_FRAMES);
    const to = Math.min(frames, b1 + PEAK_FRAMES);
    const spec = logSpectrogram(signal, from, to);
    pickLocalMaxima(spec, to - from, from, b0, b1, candidates);
  }
  return keepStrongest(candidates, frames, perBandSecond);
}

/** Log magnitude of frames [from, to) restricted to LO_BIN..HI_BIN, row-major [frame][bin]. */
function logSpectrogram(signal: Float32Array, from: number, to: number): Float32Array {
  const plan = fftPlan(FFT_SIZE);
  const win = hann(FFT_SIZE);
  const bins = FFT_SIZE / 2 + 1;
  const re = new Float64Array(bins);
  const im = new Float64Array(bins);
  const buf = new Float64Array(FFT_SIZE);
  const out = new Float32Array((to - from) * NBINS);
  const half = FFT_SIZE / 2;
  for (let f = from; f < to; f++) {
    const start = f * HOP - half;
    for (let i = 0; i < FFT_SIZE; i++) {
      const s = start + i;
      buf[i] = s >= 0 && s < signal.length ? signal[s] * win[i] : 0;
    }
    rfft(plan, buf, re, im);
    const row = (f - from) * NBINS;
    for (let b = 0; b < NBINS; b++) {
      const r = re[b + LO_BIN];
      const m = im[b + LO_BIN];
      out[row + b] = 0.5 * Math.log(r * r + m * m + 1e-10);
    }
  }
  return out;
}

/** Local maxima of frames [b0, b1) (absolute indices; spec starts at frame `from`). */
function pickLocalMaxima(
  spec: Float32Array,
  rows: number,
  from: number,
  b0: number,
  b1: number,
  out: Peak[],
): void {
  // Separable max filter: along frequency per row, then along time.
  const fmax = new Float32Array(spec.length);
  for (let r = 0; r < rows; r++) slidingMax(spec, r * NBINS, NBINS, 1, PEAK_BINS, fmax);
  const tmax = new Float32Array(spec.length);
  for (let b = 0; b < NBINS; b++) slidingMax(fmax, b, rows, NBINS, PEAK_FRAMES, tmax);
  const envelope = new Float32Array(NBINS);
  for (let f = b0; f < b1; f++) {
    const row = (f - from) * NBINS;
    smoothRow(spec, row, envelope);
    for (let b = 1; b < NBINS - 1; b++) {
      const v = spec[row + b];
      if (v < tmax[row + b]) continue;
      const strength = v - envelope[b];
      if (strength <= 0.5) continue;
      // Parabolic interpolation of the log magnitude gives a sub-bin frequency.
      const l = spec[row + b - 1];
      const r = spec[row + b + 1];
      const denom = l - 2 * v + r;
      const delta = denom < 0 ? (0.5 * (l - r)) / denom : 0;
      const hz = (b + LO_BIN + delta) * BIN_HZ;
      out.push({ t: f, k: hzToUnits(hz), strength });
    }
  }
}

/** out[i] = max of x over ±radius around i, along one line of `len` values spaced by `stride`. */
function slidingMax(
  x: Float32Array,
  offset: number,
  len: number,
  stride: number,
  radius: number,
  out: Float32Array,
): void {
  // Window sizes here are small (≤ 17), so a direct scan beats a deque.
  for (let i = 0; i < len; i++) {
    const lo = Math.max(0, i - radius);
    const hi = Math.min(len - 1, i + radius);
    let m = -Infinity;
    for (let j = lo; j <= hi; j++) {
      const v = x[offset + j * stride];
      if (v > m) m = v;
    }
    out[offset + i * stride] = m;
  }
}

/** Moving average of one spectrogram row over ±ENVELOPE_BINS bins. */
function smoothRow(spec: Float32Array, row: number, out: Float32Array): void {
  let sum = 0;
  let count = 0;
  for (let b = 0; b < Math.min(NBINS, ENVELOPE_BINS + 1); b++, count++) sum += spec[row + b];
  for (let b = 0; b < NBINS; b++) {
    out[b] = sum / count;
    const add = b + ENVELOPE_BINS + 1;
    const drop = b - ENVELOPE_BINS;
    if (add < NBINS) {
      sum += spec[row + add];
      count++;
    }
    if (drop >= 0) {
      sum -= spec[row + drop];
      count--;
    }
  }
}

/** Keeps the perBandSecond most prominent peaks per band in each one-second slot. */
function keepStrongest(candidates: Peak[], frames: number, perBandSecond: number): Peak[] {
  const slots = Math.ceil(frames / FRAMES_PER_SECOND) + 1;
  const bands = BAND_EDGES_HZ.length - 1;
  const groups: Peak[][] = Array.from({ length: slots * bands }, () => []);
  for (const p of candidates) {
    const hz = MIN_HZ * 2 ** (p.k / UNITS_PER_OCTAVE);
    const bin = Math.min(NBINS - 1, Math.max(0, Math.round(hz / BIN_HZ) - LO_BIN));
    groups[Math.floor(p.t / FRAMES_PER_SECOND) * bands + bandOfBin[bin]].push(p);
  }
  const kept: Peak[] = [];
  for (const g of groups) {
    g.sort((a, b) => b.strength - a.strength);
    for (let i = 0; i < Math.min(perBandSecond, g.length); i++) kept.push(g[i]);
  }
  return kept.sort((a, b) => a.t - b.t || a.k - b.k);
}

/**
 * Peaks of `a` and those of `b` that `a` lacks (none of a's at the same frame within one log unit):
 * the mixture's peaks with those of an estimate of its music, so music peaks that only one of the two
 * shows still pair up with the other's.
 */
export function mergePeaks(a: Peak[], b: Peak[]): Peak[] {
  const key = (t: number, k: number) => t * 512 + k;
  const have = new Set(a.map((p) => key(p.t, Math.round(p.k))));
  const added = b.filter((p) => {
    const k = Math.round(p.k);
    return !have.has(key(p.t, k - 1)) && !have.has(key(p.t, k)) && !have.has(key(p.t, k + 1));
  });
  return [...a, ...added].sort((x, y) => x.t - y.t || x.k - y.k);
}
