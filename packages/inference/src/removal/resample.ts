// Reads a reference signal at arbitrary fractional positions with a Kaiser-windowed sinc
// interpolator: linear or cubic interpolation leaves errors around -30 dB at high frequencies,
// which would cap how much music can be subtracted.
import { mapPosition, type TimeMap } from './timemap';

/**
 * 24 taps: the removal benchmark's SI-SDR is the same as with 32 (to 0.1 dB at every ratio, every 3rd
 * upload), at three quarters of the cost of the remover's largest single step.
 */
const HALF_TAPS = 12;
const PHASES = 2048;
/** Taps per output sample (a multiple of 4: the interior loop is unrolled by four). */
const TAPS = 2 * HALF_TAPS;

interface Kernel {
  /** (PHASES + 1) rows of 2*HALF_TAPS coefficients; row p is for fractional offset p/PHASES (the nearest
   * row is used: a 1/2048-sample position error stays below -60 dB up to 10 kHz). */
  table: Float32Array;
}

const kernels = new Map<number, Kernel>();

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < 1e-12 * sum) break;
  }
  return sum;
}

/** Kernel for a cutoff given as a fraction of the source Nyquist frequency. */
function kernel(cutoff: number): Kernel {
  const key = Math.round(cutoff * 1e4);
  const cached = kernels.get(key);
  if (cached) return cached;
  const taps = TAPS;
  const beta = 8.6;
  const norm = besselI0(beta);
  const table = new Float32Array((PHASES + 1) * taps);
  for (let p = 0; p <= PHASES; p++) {
    const frac = p / PHASES;
    let sum = 0;
    for (let j = 0; j < taps; j++) {
      // Tap j sits at source index floor(pos) - HALF_TAPS + 1 + j, at distance x from pos.
      const x = j - HALF_TAPS + 1 - frac;
      const u = x / HALF_TAPS;
      const win = Math.abs(u) >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - u * u)) / norm;
      const arg = Math.PI * cutoff * x;
      const v = (Math.abs(arg) < 1e-9 ? cutoff : Math.sin(arg) / (Math.PI * x)) * win;
      table[p * taps + j] = v;
      sum += v;
    }
    // Unit DC gain for every phase.
    for (let j = 0; j < taps; j++) table[p * taps + j] /= sum;
  }
  const k = { table };
  kernels.set(key, k);
  return k;
}

/**
 * Band limit for reading a reference played back at `speed`: below the new Nyquist when sped up. One
 * cutoff serves the whole ±3% range (what it loses is above 22 kHz at 48 kHz), so one table is built.
 */
export function cutoffForSpeed(speed: number): number {
  return Math.min(0.94, 0.97 / speed);
}

/** Source sample at fractional position `pos` near the ends of the signal (zero outside it). */
function readAtEdge(src: Float32Array, pos: number, table: Float32Array): number {
  const base = Math.floor(pos);
  const taps = TAPS;
  const row = Math.round((pos - base) * PHASES) * taps;
  const first = base - HALF_TAPS + 1;
  let acc = 0;
  for (let j = 0; j < taps; j++) {
    const idx = first + j;
    if (idx >= 0 && idx < src.length) acc += src[idx] * table[row + j];
  }
  return acc;
}

/**
 * Writes src read through `map` for upload samples [from, from + out.length) into `out`:
 * out[i] = src(map(from + i)).
 */
export function resampleMapped(
  src: Float32Array,
  map: TimeMap,
  from: number,
  out: Float32Array,
  cutoff: number,
): void {
  const { table } = kernel(cutoff);
  const lastValid = src.length + HALF_TAPS;
  let seg = mapPosition(map, from).index;
  // Interior samples (all taps inside the signal) take the unrolled path: this loop is most of the
  // remover's resampling time.
  const interiorLo = HALF_TAPS - 1;
  const interiorHi = src.length - HALF_TAPS - 1;
  const last = map.at.length - 2;
  for (let i = 0; i < out.length;) {
    const t = from + i;
    // Samples up to the next anchor share one linear piece of the map.
    const end = seg < last ? Math.min(out.length, Math.ceil(map.at[seg + 1] - from)) : out.length;
    const slope = (map.ref[seg + 1] - map.ref[seg]) / (map.at[seg + 1] - map.at[seg]);
    const base = map.ref[seg] + (t - map.at[seg]) * slope;
    const stop = Math.max(end, i + 1);
    for (let k = 0; i < stop; i++, k++) {
      const pos = base + k * slope;
      if (pos >= interiorLo && pos < interiorHi) {
        const ib = Math.floor(pos);
        const row = ((pos - ib) * PHASES + 0.5) | 0;
        let r = row * TAPS;
        let s0 = ib - HALF_TAPS + 1;
        let a0 = 0,
          a1 = 0,
          a2 = 0,
          a3 = 0;
        for (let j = 0; j < TAPS; j += 4, s0 += 4, r += 4) {
          a0 += src[s0] * table[r];
          a1 += src[s0 + 1] * table[r + 1];
          a2 += src[s0 + 2] * table[r + 2];
          a3 += src[s0 + 3] * table[r + 3];
        }
        out[i] = a0 + a1 + a2 + a3;
      } else out[i] = pos <= -HALF_TAPS || pos >= lastValid ? 0 : readAtEdge(src, pos, table);
    }
    if (seg < last) seg++;
  }
}
