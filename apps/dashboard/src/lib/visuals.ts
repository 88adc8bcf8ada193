// Waveform envelopes and log-frequency spectrogram images of a decoded stem, for the review page's canvases.
// The STFT is the inference package's (one FFT in the codebase); only the pixel mapping lives here.
import { magnitude, stft } from '@undub/inference/dsp';

/** Per-column min and max of the signal, `width` columns. */
export function envelope(signal: Float32Array, width: number): { min: Float32Array; max: Float32Array } {
  const min = new Float32Array(width);
  const max = new Float32Array(width);
  const per = signal.length / width;
  for (let x = 0; x < width; x++) {
    let lo = 0;
    let hi = 0;
    const end = Math.min(signal.length, Math.floor((x + 1) * per));
    for (let i = Math.floor(x * per); i < end; i++) {
      const v = signal[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    min[x] = lo;
    max[x] = hi;
  }
  return { min, max };
}

/**
 * Spectrogram as dB values, `height` rows on a log-frequency axis from 40 Hz to `maxHz` (row 0 = top =
 * highest), about `width` columns. Returns the columns actually computed.
 */
export function spectrogramDb(
  signal: Float32Array,
  sampleRate: number,
  width: number,
  height: number,
  maxHz = 12000,
): { columns: number; rows: number; db: Float32Array } {
  const fftSize = 1024;
  const hop = Math.max(64, Math.ceil(signal.length / width));
  const spec = stft(signal, fftSize, hop);
  const mag = magnitude(spec);
  const columns = spec.frames;
  const db = new Float32Array(columns * height);
  const top = Math.min(maxHz, sampleRate / 2);
  const binOf = (hz: number) => Math.min(spec.bins - 1, Math.round((hz / sampleRate) * fftSize));
  for (let y = 0; y < height; y++) {
    // Each row spans a band of bins; take the loudest so narrow tones stay visible.
    const f0 = 40 * Math.pow(top / 40, (height - 1 - y) / height);
    const f1 = 40 * Math.pow(top / 40, (height - y) / height);
    const b0 = binOf(f0);
    const b1 = Math.max(b0, binOf(f1));
    for (let c = 0; c < columns; c++) {
      let m = 0;
      for (let b = b0; b <= b1; b++) m = Math.max(m, mag[c * spec.bins + b]);
      db[y * columns + c] = 20 * Math.log10(m + 1e-9);
    }
  }
  return { columns, rows: height, db };
}

/** Dark blue → amber → white palette for dB values in [floor, ceil]. */
export function heat(db: number, floor: number, ceil: number): [number, number, number] {
  // Squared: quiet bins stay dark, so the music's partials stand out.
  const lin = Math.min(1, Math.max(0, (db - floor) / (ceil - floor)));
  const t = lin * lin;
  if (t < 0.5) {
    const u = t / 0.5;
    return [Math.round(20 + 180 * u), Math.round(24 + 80 * u), Math.round(48 + 20 * (1 - u))];
  }
  const u = (t - 0.5) / 0.5;
  return [Math.round(200 + 55 * u), Math.round(104 + 151 * u), Math.round(28 + 227 * u)];
}

/** Mono mix of a decoded buffer's channels. */
export function monoOf(channels: Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0];
  const out = new Float32Array(channels[0].length);
  for (const ch of channels) for (let i = 0; i < out.length; i++) out[i] += ch[i] / channels.length;
  return out;
}
