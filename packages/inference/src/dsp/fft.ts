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

/**
 * In-place iterative complex FFT of plan.re/plan.im (size n/2), input already bit-reversed. Stages run
 * in pairs (radix-2², one pass over the data per two stages), after one plain stage when the number
 * of stages is odd.
 */
function complexFft(p: FftPlan, inverse: boolean): void {
  const { re, im, cos, sin } = p;
  const m = re.length;
  const sign = inverse ? -1 : 1;
  let h = 1;
  if (Math.log2(m) % 2 === 1) {
    for (let a = 0; a < m; a += 2) {
      const xr = re[a + 1],
        xi = im[a + 1];
      re[a + 1] = re[a] - xr;
      im[a + 1] = im[a] - xi;
      re[a] += xr;
      im[a] += xi;
    }
    h = 2;
  }
  // Sub-transforms of length h become length 4h: butterflies (j, j+h) and (j+2h, j+3h) with W_2h^j,
  // then (j, j+2h) with W_4h^j and (j+h, j+3h) with W_4h^(j+h) = W_4h^j · (∓i).
  for (; h < m; h *= 4) {
    const stepA = m / (2 * h);
    const stepB = m / (4 * h);
    for (let j = 0; j < h; j++) {
      const ar = cos[j * stepA],
        ai = sign * sin[j * stepA];
      const br = cos[j * stepB],
        bi = sign * sin[j * stepB];
      for (let s = j; s < m; s += 4 * h) {
        const i1 = s + h,
          i2 = i1 + h,
          i3 = i2 + h;
        const x0r = re[s],
          x0i = im[s];
        const x1r = re[i1] * ar - im[i1] * ai,
          x1i = re[i1] * ai + im[i1] * ar;
        const x2r = re[i2],
          x2i = im[i2];
        const x3r = re[i3] * ar - im[i3] * ai,
          x3i = re[i3] * ai + im[i3] * ar;
        const y0r = x0r + x1r,
          y0i = x0i + x1i,
          y1r = x0r - x1r,
          y1i = x0i - x1i;
        const y2r = x2r + x3r,
          y2i = x2i + x3i,
          y3r = x2r - x3r,
          y3i = x2i - x3i;
        const u2r = y2r * br - y2i * bi,
          u2i = y2r * bi + y2i * br;
        // W_4h^j · y3, then rotated by -i (forward) or +i (inverse).
        const wr = y3r * br - y3i * bi,
          wi = y3r * bi + y3i * br;
        const u3r = sign * wi,
          u3i = -sign * wr;
        re[s] = y0r + u2r;
        im[s] = y0i + u2i;
        re[i2] = y0r - u2r;
        im[i2] = y0i - u2i;
        re[i1] = y1r + u3r;
        im[i1] = y1i + u3i;
        re[i3] = y1r - u3r;
        im[i3] = y1i - u3i;
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
