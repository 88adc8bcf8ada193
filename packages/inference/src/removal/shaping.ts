// Estimates how the infringer shaped the catalog music (a per-bin transfer for EQ and the residual
// sub-sample delay, times a per-frame gain for fades and compression) by least squares against the
// aligned reference in the STFT domain, subtracts the shaped reference, and cleans what the linear
// model cannot reach (the codec's noise around the music) with a Wiener-style post-filter. The OST is
// uncorrelated with the reference, so it only adds noise to sums taken over many time-frequency cells.
import { istft, stft, type Spectrogram } from '../dsp';

export interface ShapingOptions {
  /** Transfer smoothing across bins: ±this many bins share one estimate. */
  binPool?: number;
  /** Gain smoothing across frames: ±this many frames. */
  framePool?: number;
  /** Transfer smoothing over time: ±this many seconds share one estimate. */
  transferSeconds?: number;
  /** Post-filter strength (0 disables it). */
  postFilter?: number;
  /** Alternating least-squares rounds for gain and transfer. */
  iterations?: number;
}

export interface BlockResult {
  /** Restored OST per channel, same length as the block. */
  ost: Float32Array[];
  /** Energy of the subtracted music estimate and of the reference, for the reported gain. */
  musicEnergy: number;
  referenceEnergy: number;
}

export function fftSizeFor(sampleRate: number): number {
  let n = 256;
  while (n < sampleRate * 0.04) n <<= 1;
  return n;
}

/** Box sums of `x` over ±r neighbours (clipped at the ends), in place into `out`. */
function boxSum(x: Float64Array, r: number, out: Float64Array): void {
  const n = x.length;
  let acc = 0;
  for (let i = 0; i < Math.min(r, n); i++) acc += x[i];
  for (let i = 0; i < n; i++) {
    if (i + r < n) acc += x[i + r];
    if (i - r - 1 >= 0) acc -= x[i - r - 1];
    out[i] = acc;
  }
}

/** Sufficient statistics of one channel for the least-squares fits: a = X·conj(R), w = |R|². */
interface CrossStats {
  ar: Float32Array;
  ai: Float32Array;
  w: Float32Array;
}

function crossStats(X: Spectrogram, R: Spectrogram): CrossStats {
  const size = X.re.length;
  const ar = new Float32Array(size),
    ai = new Float32Array(size),
    w = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const rr = R.re[i],
      ri = R.im[i],
      xr = X.re[i],
      xi = X.im[i];
    ar[i] = xr * rr + xi * ri;
    ai[i] = xi * rr - xr * ri;
    w[i] = rr * rr + ri * ri;
  }
  return { ar, ai, w };
}

/**
 * Statistics reweighted by the inverse of the local residual power |X - g·E·R|² (smoothed over
 * neighbouring cells): cells where the OST is loud say little about the music's shaping, so a
 * generalised least-squares fit leans on the cells where the music stands alone.
 */
function reweighted(
  st: CrossStats,
  X: Spectrogram,
  R: Spectrogram,
  t: { er: Float32Array; ei: Float32Array },
  gain: Float64Array,
): CrossStats {
  const { frames, bins } = X;
  const size = frames * bins;
  const res = new Float64Array(size);
  let mean = 0;
  for (let f = 0; f < frames; f++) {
    const g = gain[f];
    for (let i = f * bins; i < (f + 1) * bins; i++) {
      const yr = g * (R.re[i] * t.er[i] - R.im[i] * t.ei[i]);
      const yi = g * (R.re[i] * t.ei[i] + R.im[i] * t.er[i]);
      const dr = X.re[i] - yr,
        di = X.im[i] - yi;
      res[i] = dr * dr + di * di;
      mean += res[i];
    }
  }
  boxSum2d(res, frames, bins, 2, 1);
  mean = (mean * 15) / size;
  const floor = 1e-3 * mean + 1e-30;
  const ar = new Float32Array(size),
    ai = new Float32Array(size),
    w = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const v = mean / (res[i] + floor);
    ar[i] = st.ar[i] * v;
    ai[i] = st.ai[i] * v;
    w[i] = st.w[i] * v;
  }
  return { ar, ai, w };
}

/** In-place separable box sums over a [frames][bins] grid: ±binPool bins, ±framePool frames. */
function boxSum2d(
  grid: Float64Array,
  frames: number,
  bins: number,
  binPool: number,
  framePool: number,
): void {
  const tmp = new Float64Array(bins);
  for (let f = 0; f < frames; f++) {
    const slice = grid.subarray(f * bins, (f + 1) * bins);
    boxSum(slice, binPool, tmp);
    slice.set(tmp);
  }
  if (framePool <= 0) return;
  // Along frames, a running sum of whole rows (row-major order keeps memory access sequential).
  const src = grid.slice();
  const acc = new Float64Array(bins);
  for (let f = 0; f < Math.min(framePool, frames); f++) {
    for (let k = 0, o = f * bins; k < bins; k++) acc[k] += src[o + k];
  }
  for (let f = 0; f < frames; f++) {
    const add = f + framePool;
    const drop = f - framePool - 1;
    if (add < frames) for (let k = 0, o = add * bins; k < bins; k++) acc[k] += src[o + k];
    if (drop >= 0) for (let k = 0, o = drop * bins; k < bins; k++) acc[k] -= src[o + k];
    grid.set(acc, f * bins);
  }
}

/**
 * Complex transfer E(f, k) = Σ g·a / Σ g²·w, the sums pooled over ±binPool bins and ±framePool frames:
 * slow changes (EQ automation, a residual delay drifting by a fraction of a sample) are followed, while
 * each estimate still averages enough cells for the OST to cancel out.
 */
function fitTransfer(
  st: CrossStats,
  gain: Float64Array,
  frames: number,
  bins: number,
  binPool: number,
  framePool: number,
): { er: Float32Array; ei: Float32Array } {
  // The pooled sums change slowly over frames, so they are formed on every `stride`-th frame by a
  // running sum of whole rows and interpolated in between.
  const stride = Math.max(1, Math.floor(framePool / 8));
  const rows = Math.floor((frames - 1) / stride) + 1;
  const acc = [new Float64Array(bins), new Float64Array(bins), new Float64Array(bins)];
  const sampled = [0, 1, 2].map(() => new Float64Array(rows * bins));
  const tmp = new Float64Array(bins);
  let total = 0;
  const addRow = (f: number, sign: number) => {
    const g = gain[f];
    if (g === 0) return;
    const [nr, ni, d] = acc;
    for (let k = 0, i = f * bins; k < bins; k++, i++) {
      nr[k] += sign * g * st.ar[i];
      ni[k] += sign * g * st.ai[i];
      d[k] += sign * g * g * st.w[i];
    }
  };
  for (let f = 0; f < Math.min(framePool, frames); f++) addRow(f, 1);
  for (let f = 0; f < frames; f++) {
    if (f + framePool < frames) addRow(f + framePool, 1);
    if (f - framePool - 1 >= 0) addRow(f - framePool - 1, -1);
    if (f % stride !== 0) continue;
    const row = f / stride;
    for (let j = 0; j < 3; j++) {
      boxSum(acc[j], binPool, tmp);
      sampled[j].set(tmp, row * bins);
    }
  }
  for (let i = 0; i < gain.length; i++) {
    let rowEnergy = 0;
    for (let k = 0, o = i * bins; k < bins; k++) rowEnergy += st.w[o + k];
    total += gain[i] * gain[i] * rowEnergy;
  }
  const ridge = (1e-6 * total) / (frames * bins) + 1e-20;
  const er = new Float32Array(frames * bins),
    ei = new Float32Array(frames * bins);
  const [nr, ni, d] = sampled;
  for (let f = 0; f < frames; f++) {
    const pos = f / stride;
    const r0 = Math.min(rows - 1, Math.floor(pos));
    const r1 = Math.min(rows - 1, r0 + 1);
    const w = pos - r0;
    for (let k = 0; k < bins; k++) {
      const a = r0 * bins + k;
      const b = r1 * bins + k;
      const den = (1 - w) * d[a] + w * d[b] + ridge;
      er[f * bins + k] = ((1 - w) * nr[a] + w * nr[b]) / den;
      ei[f * bins + k] = ((1 - w) * ni[a] + w * ni[b]) / den;
    }
  }
  return { er, ei };
}

/**
 * Per-frame real gain g(f) = Σ Re(conj(E)·a) / Σ |E|²·w over all channels and bins, smoothed over
 * ±framePool frames. Without E (the first pass) the transfer is taken as flat.
 */
function fitGain(
  stats: CrossStats[],
  transfers: { er: Float32Array; ei: Float32Array }[] | null,
  frames: number,
  bins: number,
  framePool: number,
): Float64Array {
  const num = new Float64Array(frames),
    den = new Float64Array(frames);
  for (const [c, st] of stats.entries()) {
    const t = transfers?.[c];
    for (let f = 0; f < frames; f++) {
      let n = 0,
        d = 0;
      for (let i = f * bins; i < (f + 1) * bins; i++) {
        if (t) {
          const er = t.er[i],
            ei = t.ei[i];
          n += er * st.ar[i] + ei * st.ai[i];
          d += (er * er + ei * ei) * st.w[i];
        } else {
          n += st.ar[i];
          d += st.w[i];
        }
      }
      num[f] += n;
      den[f] += d;
    }
  }
  const ns = new Float64Array(frames),
    ds = new Float64Array(frames);
  boxSum(num, framePool, ns);
  boxSum(den, framePool, ds);
  let maxDen = 0;
  for (let f = 0; f < frames; f++) maxDen = Math.max(maxDen, ds[f]);
  const g = new Float64Array(frames);
  for (let f = 0; f < frames; f++) g[f] = ds[f] > 1e-9 * maxDen ? Math.max(0, ns[f] / ds[f]) : 0;
  return g;
}

/** Music template Y = E·R for one channel. */
function template(R: Spectrogram, er: Float32Array, ei: Float32Array): Spectrogram {
  const re = new Float32Array(R.re.length),
    im = new Float32Array(R.im.length);
  for (let i = 0; i < re.length; i++) {
    const rr = R.re[i],
      ri = R.im[i];
    re[i] = rr * er[i] - ri * ei[i];
    im[i] = rr * ei[i] + ri * er[i];
  }
  return { ...R, re, im };
}

/**
 * Per-band estimate of what the linear model leaves behind around the music (codec noise), as a
 * fraction of the music's power: a low percentile over frames of |X - Y|²/|Y|², since the OST only
 * ever adds to that ratio.
 */
function residualFloor(Os: Spectrogram[], Ys: Spectrogram[]): Float64Array {
  const { frames, bins } = Os[0];
  const bandWidth = 8;
  const bands = Math.ceil(bins / bandWidth);
  const floor = new Float64Array(bins);
  const ratios = new Float64Array(frames * Os.length);
  for (let b = 0; b < bands; b++) {
    let count = 0;
    const k0 = b * bandWidth,
      k1 = Math.min(bins, k0 + bandWidth);
    for (const [c, O] of Os.entries()) {
      const Y = Ys[c];
      for (let f = 0; f < frames; f++) {
        let eo = 0,
          ey = 0;
        for (let k = k0; k < k1; k++) {
          const i = f * bins + k;
          eo += O.re[i] * O.re[i] + O.im[i] * O.im[i];
          ey += Y.re[i] * Y.re[i] + Y.im[i] * Y.im[i];
        }
        if (ey > 1e-12) ratios[count++] = eo / ey;
      }
    }
    let v = 0.01;
    if (count >= 20) {
      const used = ratios.subarray(0, count).sort();
      v = used[Math.floor(0.02 * count)];
    }
    v = Math.min(0.01, Math.max(1e-5, v));
    for (let k = k0; k < k1; k++) floor[k] = v;
  }
  return floor;
}

/** Removes the shaped reference from one block of the upload. `refs` are aligned to `mix` sample by sample. */
export function removeBlock(
  mix: Float32Array[],
  refs: Float32Array[],
  sampleRate: number,
  options: ShapingOptions = {},
): BlockResult {
  const { binPool = 6, framePool = 2, postFilter = 1, transferSeconds = 4, iterations = 2 } = options;
  const n = fftSizeFor(sampleRate);
  const hop = n / 2;
  const length = mix[0].length;
  const Xs = mix.map((x) => stft(x, n, hop));
  // Each upload channel is explained by the reference channel of the same index (or the only one).
  const Rs = mix.map((_, c) => stft(refs[Math.min(c, refs.length - 1)], n, hop));
  const { frames, bins } = Xs[0];
  const stats = Xs.map((X, c) => crossStats(X, Rs[c]));
  const transferFrames = Math.round((transferSeconds * sampleRate) / hop);
  // Alternating least squares for gain × transfer, starting from a flat transfer so that fades and
  // silences are in the gain from the start.
  let gain = fitGain(stats, null, frames, bins, framePool);
  let transfers: { er: Float32Array; ei: Float32Array }[] = [];
  let weighted = stats;
  for (let iter = 0; iter < iterations; iter++) {
    if (iter > 0) weighted = stats.map((st, c) => reweighted(st, Xs[c], Rs[c], transfers[c], gain));
    transfers = weighted.map((st) => fitTransfer(st, gain, frames, bins, binPool, transferFrames));
    gain = fitGain(weighted, transfers, frames, bins, framePool);
  }
  const Ys = Rs.map((R, c) => template(R, transfers[c].er, transfers[c].ei));
  let musicEnergy = 0;
  let referenceEnergy = 0;
  const Os = Xs.map((X, c) => {
    const Y = Ys[c];
    const R = Rs[c];
    const re = new Float32Array(X.re.length),
      im = new Float32Array(X.im.length);
    for (let f = 0; f < frames; f++) {
      const g = gain[f];
      for (let k = 0; k < bins; k++) {
        const i = f * bins + k;
        Y.re[i] *= g;
        Y.im[i] *= g;
        re[i] = X.re[i] - Y.re[i];
        im[i] = X.im[i] - Y.im[i];
        musicEnergy += Y.re[i] * Y.re[i] + Y.im[i] * Y.im[i];
        referenceEnergy += R.re[i] * R.re[i] + R.im[i] * R.im[i];
      }
    }
    return { ...X, re, im };
  });
  if (postFilter > 0) {
    const floor = residualFloor(Os, Ys);
    for (const [c, O] of Os.entries()) {
      const Y = Ys[c];
      for (let f = 0; f < frames; f++) {
        for (let k = 0; k < bins; k++) {
          const i = f * bins + k;
          const po = O.re[i] * O.re[i] + O.im[i] * O.im[i];
          const pm = postFilter * floor[k] * (Y.re[i] * Y.re[i] + Y.im[i] * Y.im[i]);
          const m = po / (po + pm + 1e-20);
          O.re[i] *= m;
          O.im[i] *= m;
        }
      }
    }
  }
  return { ost: Os.map((O) => istft(O, length)), musicEnergy, referenceEnergy };
}
