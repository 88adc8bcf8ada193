// Radix-2 FFT for real signals. A real FFT of size n runs as one complex FFT of size n/2
// (even/odd samples packed as re/im) followed by a split step; plans are cached per size.

export interface FftPlan {
  readonly n: number;
  /** Complex-FFT twiddles for size n/2: cos and sin of -2πk/(n/2). */
  readonly cos: Float64Array;
  readonly sin: Float64Array;
  /** Split-step twiddles for size n: cos and sin of -2πk/n, k < n/2. */
  readonly splitCos: Float64Array;
  readonly splitSin: Float64Array;
  readonly bitrev: Uint32Array;
  /** Scratch buffers for the half-size complex transform. */
  readonly re: Float64Array;
  readonly im: Float64Array;
}

const plans = new Map<number, FftPlan>();

export function fftPlan(n: number): FftPlan {
  const cached = plans.get(n);
  if (cached) return cached;
  if (n < 4 || (n & (n - 1)) !== 0) throw new Error(`FFT size must be a power of two >= 4, got ${n}`);
  const m = n >> 1;
  const cos = new Float64Array(m >> 1);
  const sin = new Float64Array(m >> 1);
  for (let k = 0; k < m >> 1; k++) {
    cos[k] = Math.cos((-2 * Math.PI * k) / m);
    sin[k] = Math.sin((-2 * Math.PI * k) / m);
  }
  const splitCos = new Float64Array(m);
  const splitSin = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    splitCos[k] = Math.cos((-2 * Math.PI * k) / n);
    splitSin[k] = Math.sin((-2 * Math.PI * k) / n);
  }
  const bits = Math.log2(m);
  const bitrev = new Uint32Array(m);
  for (let i = 0; i < m; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    bitrev[i] = r;
  }
  const plan: FftPlan = {
    n,
    cos,
    sin,
    splitCos,
    splitSin,
    bitrev,
    re: new Float64Array(m),
    im: new Float64Array(m),
  };
  plans.set(n, plan);
  return plan;
}

/** In-place iterative complex FFT of plan.re/plan.im (size n/2), input already bit-reversed. */
function complexFft(p: FftPlan, inverse: boolean): void {
  const { re, im, cos, sin } = p;
  const m = re.length;
  const sign = inverse ? -1 : 1;
  for (let size = 2; size <= m; size <<= 1) {
    const half = size >> 1;
    const step = m / size;
    for (let start = 0; start < m; start += size) {
      for (let j = 0, k = 0; j < half; j++, k += step) {
        const wr = cos[k];
        const wi = sign * sin[k];
        const a = start + j;
        const b = a + half;
        const xr = re[b] * wr - im[b] * wi;
        const xi = re[b] * wi + im[b] * wr;
        re[b] = re[a] - xr;
        im[b] = im[a] - xi;
        re[a] += xr;
        im[a] += xi;
      }
    }
  }
}

/**
 * Forward real FFT of `input` (length n, or shorter: zero padded) into `outRe`/`outIm`
 * (length n/2 + 1 each: bins 0..n/2).
 */
export function rfft(
  p: FftPlan,
  input: ArrayLike<number>,
  outRe: Float32Array | Float64Array,
  outIm: Float32Array | Float64Array,
): void {
  const m = p.n >> 1;
  const { re, im, bitrev } = p;
  const len = input.length;
  for (let i = 0; i < m; i++) {
    const j = bitrev[i];
    const e = 2 * i;
    re[j] = e < len ? input[e] : 0;
    im[j] = e + 1 < len ? input[e + 1] : 0;
  }
  complexFft(p, false);
  // Split the packed spectrum Z into the spectrum X of the real signal.
  outRe[0] = re[0] + im[0];
  outIm[0] = 0;
  outRe[m] = re[0] - im[0];
  outIm[m] = 0;
  for (let k = 1; k < m; k++) {
    const zr = re[k],
      zi = im[k];
    const cr = re[m - k],
      ci = -im[m - k]; // conj(Z[m-k])
    const er = 0.5 * (zr + cr),
      ei = 0.5 * (zi + ci); // even part
    const orr = 0.5 * (zi - ci),
      oi = -0.5 * (zr - cr); // odd part: (Z - conj)/2i
    const wr = p.splitCos[k],
      wi = p.splitSin[k];
    outRe[k] = er + wr * orr - wi * oi;
    outIm[k] = ei + wr * oi + wi * orr;
  }
}

/** Inverse of rfft: spectrum bins 0..n/2 back to n real samples (scaled by 1/n). */
export function irfft(
  p: FftPlan,
  inRe: ArrayLike<number>,
  inIm: ArrayLike<number>,
  out: Float32Array | Float64Array,
): void {
  const m = p.n >> 1;
  const { re, im, bitrev } = p;
  // Rebuild the packed spectrum Z[k] = E[k] + i·O[k] from X, then inverse complex FFT.
  for (let k = 0; k < m; k++) {
    const xr = inRe[k],
      xi = inIm[k];
    const yr = inRe[m - k],
      yi = -inIm[m - k]; // conj(X[m-k])
    const er = 0.5 * (xr + yr),
      ei = 0.5 * (xi + yi);
    const dr = 0.5 * (xr - yr),
      di = 0.5 * (xi - yi);
    // O[k] = D[k] * conj(W[k])
    const wr = p.splitCos[k],
      wi = -p.splitSin[k];
    const or_ = dr * wr - di * wi,
      oi = dr * wi + di * wr;
    const j = bitrev[k];
    re[j] = er - oi;
    im[j] = ei + or_;
  }
  complexFft(p, true);
  const scale = 1 / m;
  for (let i = 0; i < m; i++) {
    out[2 * i] = re[i] * scale;
    out[2 * i + 1] = im[i] * scale;
  }
}
