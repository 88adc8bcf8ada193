// Estimates how the infringer shaped the catalog music (a per-bin transfer for EQ and the residual
// sub-sample delay, times a per-frame gain for fades and compression) by least squares against the
// aligned reference in the STFT domain, subtracts the shaped reference, and cleans what the linear
// model cannot reach (the codec's noise around the music) with a Wiener-style post-filter. The OST is
// uncorrelated with the reference, so it only adds noise to sums taken over many time-frequency cells.
import { frameCount, istft, Scratch, stft, type Spectrogram } from '../dsp';

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
  /** Restored OST per channel, same length as the block (scratch buffers: the next block reuses them). */
  ost: Float32Array[];
  /** Energy of the subtracted music estimate and of the reference, for the reported gain. */
  musicEnergy: number;
  referenceEnergy: number;
}

/** Bins per band of the post-filter's floor estimate. */
const BAND_WIDTH = 8;

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

/** Statistics buffers of `size` cells from the scratch space. */
function statsBuffers(scratch: Scratch, name: string, size: number): CrossStats {
  return {
    ar: scratch.take(`${name}.ar`, size),
    ai: scratch.take(`${name}.ai`, size),
    w: scratch.take(`${name}.w`, size),
  };
}

function crossStats(X: Spectrogram, R: Spectrogram, out: CrossStats): CrossStats {
  const size = X.re.length;
  const { ar, ai, w } = out;
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
 * generalised least-squares fit leans on the cells where the music stands alone. Written into `out`
 * (cell by cell, so `out` may be `st` itself).
 */
function reweighted(
  st: CrossStats,
  X: Spectrogram,
  R: Spectrogram,
  t: { er: Float32Array; ei: Float32Array },
  gain: Float64Array,
  out: CrossStats,
  scratch: Scratch,
): void {
  const { frames, bins } = X;
  const size = frames * bins;
  const res = scratch.take('residual', size);
  let mean = 0;
  for (let f = 0; f < frames; f++) {
    const g = gain[f];
    for (let i = f * bins; i < (f + 1) * bins; i++) {
      const rr = R.re[i],
        ri = R.im[i],
        er = t.er[i],
        ei = t.ei[i];
      const dr = X.re[i] - g * (rr * er - ri * ei),
        di = X.im[i] - g * (rr * ei + ri * er);
      const v = dr * dr + di * di;
      res[i] = v;
      mean += v;
    }
  }
  const pooled = boxSum2d(res, frames, bins, 2, 1, scratch.take('pooled', size));
  mean = (mean * 15) / size;
  const floor = 1e-3 * mean + 1e-30;
  const { ar, ai, w } = out;
  for (let i = 0; i < size; i++) {
    const v = mean / (pooled[i] + floor);
    ar[i] = st.ar[i] * v;
    ai[i] = st.ai[i] * v;
    w[i] = st.w[i] * v;
  }
}

/** Separable box sums over a [frames][bins] grid: ±binPool bins, ±framePool frames, into `out`. */
function boxSum2d(
  grid: Float32Array,
  frames: number,
  bins: number,
  binPool: number,
  framePool: number,
  out: Float32Array,
): Float32Array {
  // Along frames, a running sum of whole rows (row-major order keeps memory access sequential).
  const acc = new Float64Array(bins);
  for (let f = 0; f < Math.min(framePool, frames); f++) {
    for (let k = 0, o = f * bins; k < bins; k++) acc[k] += grid[o + k];
  }
  for (let f = 0; f < frames; f++) {
    const add = f + framePool;
    const drop = f - framePool - 1;
    if (add < frames) for (let k = 0, o = add * bins; k < bins; k++) acc[k] += grid[o + k];
    if (drop >= 0) for (let k = 0, o = drop * bins; k < bins; k++) acc[k] -= grid[o + k];
    // Then across bins within the row.
    const row = f * bins;
    let run = 0;
    for (let k = 0; k < Math.min(binPool, bins); k++) run += acc[k];
    for (let k = 0; k < bins; k++) {
      if (k + binPool < bins) run += acc[k + binPool];
      if (k - binPool - 1 >= 0) run -= acc[k - binPool - 1];
      out[row + k] = run;
    }
  }
  return out;
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
  out: { er: Float32Array; ei: Float32Array },
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
  const { er, ei } = out;
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

/**
 * Per-band estimate of what the linear model leaves behind around the music (codec noise), as a
 * fraction of the music's power: a low percentile over frames of |X - Y|²/|Y|², since the OST only
 * ever adds to that ratio. `eo`/`ey`: per channel, [frame][band] energies of the residual and the music.
 */
function residualFloor(eo: Float64Array[], ey: Float64Array[], frames: number, bins: number): Float64Array {
  const bands = Math.ceil(bins / BAND_WIDTH);
  const floor = new Float64Array(bins);
  const ratios = new Float64Array(frames * eo.length);
  for (let b = 0; b < bands; b++) {
    let count = 0;
    for (let c = 0; c < eo.length; c++) {
      for (let f = 0, i = b; f < frames; f++, i += bands)
        if (ey[c][i] > 1e-12) ratios[count++] = eo[c][i] / ey[c][i];
    }
    let v = 0.01;
    if (count >= 20) {
      const used = ratios.subarray(0, count).sort();
      v = used[Math.floor(0.02 * count)];
    }
    v = Math.min(0.01, Math.max(1e-5, v));
    floor.fill(v, b * BAND_WIDTH, Math.min(bins, (b + 1) * BAND_WIDTH));
  }
  return floor;
}

/** Removes the shaped reference from one block of the upload. `refs` are aligned to `mix` sample by sample. */
export function removeBlock(
  mix: Float32Array[],
  refs: Float32Array[],
  sampleRate: number,
  options: ShapingOptions = {},
  scratch = new Scratch(),
): BlockResult {
  const { binPool = 6, framePool = 2, postFilter = 1, transferSeconds = 4, iterations = 2 } = options;
  const n = fftSizeFor(sampleRate);
  const hop = n / 2;
  const length = mix[0].length;
  const spectrogram = (name: string, x: Float32Array) => {
    const size = frameCount(x.length, hop) * (n / 2 + 1);
    return stft(x, n, hop, { re: scratch.take(`${name}.re`, size), im: scratch.take(`${name}.im`, size) });
  };
  const Xs = mix.map((x, c) => spectrogram(`X${c}`, x));
  // Each upload channel is explained by the reference channel of the same index (or the only one);
  // a reference channel shared by several upload channels is transformed once.
  const refSpecs = refs.slice(0, mix.length).map((r, c) => spectrogram(`R${c}`, r));
  const Rs = mix.map((_, c) => refSpecs[Math.min(c, refSpecs.length - 1)]);
  const { frames, bins } = Xs[0];
  const size = frames * bins;
  const stats = Xs.map((X, c) => crossStats(X, Rs[c], statsBuffers(scratch, `stats${c}`, size)));
  const transferFrames = Math.round((transferSeconds * sampleRate) / hop);
  // Alternating least squares for gain × transfer, starting from a flat transfer so that fades and
  // silences are in the gain from the start.
  let gain = fitGain(stats, null, frames, bins, framePool);
  let transfers: { er: Float32Array; ei: Float32Array }[] = [];
  let weighted = stats;
  for (let iter = 0; iter < iterations; iter++) {
    // Every round reweights the plain statistics; the last one may overwrite them.
    if (iter > 0 && iter < iterations - 1)
      weighted = stats.map((_, c) => statsBuffers(scratch, `weighted${c}`, size));
    else if (iter > 0) weighted = stats;
    if (iter > 0)
      stats.forEach((st, c) => reweighted(st, Xs[c], Rs[c], transfers[c], gain, weighted[c], scratch));
    transfers = weighted.map((st, c) =>
      fitTransfer(st, gain, frames, bins, binPool, transferFrames, {
        er: scratch.take(`E${c}.re`, size),
        ei: scratch.take(`E${c}.im`, size),
      }),
    );
    gain = fitGain(weighted, transfers, frames, bins, framePool);
  }
  // The music estimate Y = g·E·R is subtracted in place (X becomes the OST estimate); |Y|² and the
  // per-band energies are kept for the post-filter.
  const bands = Math.ceil(bins / BAND_WIDTH);
  let musicEnergy = 0;
  let referenceEnergy = 0;
  const eo = Xs.map(() => new Float64Array(frames * bands));
  const ey = Xs.map(() => new Float64Array(frames * bands));
  const ypow = Xs.map((X, c) => {
    const R = Rs[c];
    const { er, ei } = transfers[c];
    const p = scratch.take(`Y${c}.power`, size);
    const eoc = eo[c];
    const eyc = ey[c];
    for (let f = 0; f < frames; f++) {
      const g = gain[f];
      const row = f * bands;
      for (let k = 0, i = f * bins; k < bins; k++, i++) {
        const rr = R.re[i],
          ri = R.im[i];
        const yr = g * (rr * er[i] - ri * ei[i]),
          yi = g * (rr * ei[i] + ri * er[i]);
        const or = X.re[i] - yr,
          oi = X.im[i] - yi;
        X.re[i] = or;
        X.im[i] = oi;
        const py = yr * yr + yi * yi;
        p[i] = py;
        musicEnergy += py;
        referenceEnergy += rr * rr + ri * ri;
        const b = row + ((k / BAND_WIDTH) | 0);
        eoc[b] += or * or + oi * oi;
        eyc[b] += py;
      }
    }
    return p;
  });
  if (postFilter > 0) {
    const floor = residualFloor(eo, ey, frames, bins);
    for (const [c, O] of Xs.entries()) {
      const py = ypow[c];
      const { re, im } = O;
      for (let f = 0; f < frames; f++) {
        for (let k = 0, i = f * bins; k < bins; k++, i++) {
          const po = re[i] * re[i] + im[i] * im[i];
          const m = po / (po + postFilter * floor[k] * py[i] + 1e-20);
          re[i] *= m;
          im[i] *= m;
        }
      }
    }
  }
  return {
    ost: Xs.map((O, c) => istft(O, length, scratch.take(`ost${c}`, length))),
    musicEnergy,
    referenceEnergy,
  };
}
