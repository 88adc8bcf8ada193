// Carries the network's mask (16 kHz mono STFT grid) over to an STFT grid at the input's own rate.
// The network only sees up to 8 kHz; above its band the mask of its top band (5.5-7.5 kHz) is
// extended, so fricatives and cymbals there follow the decision made just below them.
import { modelInfo } from './model';

const HIGH_BAND_HZ = [5500, 7500] as const;
/** Above this the network's input was rolled off by the resampler's anti-alias filter. */
const RESAMPLED_TOP_HZ = 7200;

/** STFT size at rate `sampleRate` with about the network's window length (a power of two). */
export function nativeFftSize(sampleRate: number): number {
  return 2 ** Math.round(Math.log2((modelInfo.fftSize * sampleRate) / modelInfo.sampleRate));
}

/**
 * mask16: frames16 x (fftSize/2+1) from the network. Returns frames x (fftSize/2+1) for an STFT of size
 * `fftSize` and hop `hop` at `sampleRate`, interpolated linearly in time and frequency.
 */
export function nativeMask(
  mask16: Float32Array,
  frames16: number,
  sampleRate: number,
  fftSize: number,
  hop: number,
  frames: number,
): Float32Array {
  const bins16 = modelInfo.fftSize / 2 + 1;
  const hz16 = modelInfo.sampleRate / modelInfo.fftSize;
  const bins = fftSize / 2 + 1;
  const hbLo = Math.round(HIGH_BAND_HZ[0] / hz16);
  const hbHi = Math.round(HIGH_BAND_HZ[1] / hz16);
  const high = new Float32Array(frames16);
  for (let f = 0; f < frames16; f++) {
    let s = 0;
    for (let k = hbLo; k <= hbHi; k++) s += mask16[f * bins16 + k];
    high[f] = s / (hbHi - hbLo + 1);
  }
  // Bins below `cut` read the network's mask; the rest take the extended top-band value.
  const topHz = sampleRate === modelInfo.sampleRate ? modelInfo.sampleRate / 2 : RESAMPLED_TOP_HZ;
  const cut = Math.min(bins, Math.floor((topHz * fftSize) / sampleRate) + 1);
  const k0 = new Int32Array(cut);
  const kw = new Float32Array(cut);
  for (let k = 0; k < cut; k++) {
    const q = Math.min((k * sampleRate) / fftSize / hz16, bins16 - 1);
    k0[k] = Math.min(Math.floor(q), bins16 - 2);
    kw[k] = q - k0[k];
  }
  const out = new Float32Array(frames * bins);
  const frameRatio = ((hop / sampleRate) * modelInfo.sampleRate) / modelInfo.hop;
  for (let f = 0; f < frames; f++) {
    const p = Math.min(f * frameRatio, frames16 - 1);
    const f0 = Math.floor(p);
    const f1 = Math.min(f0 + 1, frames16 - 1);
    const w = p - f0;
    const a = f0 * bins16;
    const b = f1 * bins16;
    const row = f * bins;
    for (let k = 0; k < cut; k++) {
      const i = k0[k];
      const x = kw[k];
      const ma = mask16[a + i] + x * (mask16[a + i + 1] - mask16[a + i]);
      const mb = mask16[b + i] + x * (mask16[b + i + 1] - mask16[b + i]);
      out[row + k] = ma + w * (mb - ma);
    }
    const h = high[f0] + w * (high[f1] - high[f0]);
    for (let k = cut; k < bins; k++) out[row + k] = h;
  }
  return out;
}
