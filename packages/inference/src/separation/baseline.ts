// Non-learned reference point for the benchmark: median-filter harmonic/percussive separation
// (Fitzgerald 2010). Sustained tonal lines (long in time) are taken as music, everything else
// (speech onsets and fricatives, noise, transients) as OST, so the model's gain over a rule is visible.
import { istft, magnitude, stft } from '../dsp';
import { checkAudio } from './errors';
import { nativeFftSize } from './mask';
import type { Stems } from './separate';

const TIME_MEDIAN_S = 0.2;
const FREQ_MEDIAN_HZ = 250;

function medianOf(buf: Float32Array, len: number): number {
  const a = buf.subarray(0, len).sort();
  return a[len >> 1];
}

export function separateHpss(channels: Float32Array[], sampleRate: number): Stems {
  checkAudio(channels, sampleRate);
  const n = channels[0].length;
  const fftSize = nativeFftSize(sampleRate);
  const hop = fftSize / 4;
  const mono = new Float32Array(n);
  for (const c of channels) for (let i = 0; i < n; i++) mono[i] += c[i] / channels.length;
  const spec = stft(mono, fftSize, hop);
  const mag = magnitude(spec);
  const { frames, bins } = spec;
  const ht = Math.max(1, Math.round((TIME_MEDIAN_S * sampleRate) / hop / 2));
  const hf = Math.max(1, Math.round((FREQ_MEDIAN_HZ * fftSize) / sampleRate / 2));
  const buf = new Float32Array(2 * Math.max(ht, hf) + 1);
  const mask = new Float32Array(frames * bins); // OST (non-harmonic) share per cell
  for (let f = 0; f < frames; f++) {
    for (let k = 0; k < bins; k++) {
      let len = 0;
      for (let j = Math.max(0, f - ht); j <= Math.min(frames - 1, f + ht); j++)
        buf[len++] = mag[j * bins + k];
      const harmonic = medianOf(buf, len);
      len = 0;
      for (let j = Math.max(0, k - hf); j <= Math.min(bins - 1, k + hf); j++) buf[len++] = mag[f * bins + j];
      const other = medianOf(buf, len);
      const h2 = harmonic * harmonic;
      const o2 = other * other;
      mask[f * bins + k] = h2 + o2 > 1e-20 ? o2 / (h2 + o2) : 0.5;
    }
  }
  const ost = channels.map((c) => {
    const s = stft(c, fftSize, hop);
    for (let i = 0; i < mask.length; i++) {
      s.re[i] *= mask[i];
      s.im[i] *= mask[i];
    }
    return istft(s, n);
  });
  const music = channels.map((c, i) => c.map((v, j) => v - ost[i][j]));
  return { ost, music };
}
