// Sample-precise alignment of a catalog reference to the upload. The matcher gives a start, a
// reference offset (±50 ms) and a coarse speed. A coarse search over speed and lag runs on a decimated
// copy; delay tracking with generalised cross-correlation (phase transform) on short windows along the
// segment then gives a time-varying delay, refined to a fraction of a sample from the cross-spectrum's
// phase slope, and turned into a piecewise-linear time map.
import { fftPlan, irfft, rfft } from '../dsp';
import { cutoffForSpeed, resampleMapped } from './resample';
import { linearMap, meanSpeed, type TimeMap } from './timemap';

export interface AlignOptions {
  /** Uncertainty of the matcher's reference offset, seconds. */
  maxOffset?: number;
  /** Largest speed change searched when the matcher gives none, as a fraction (0.03 = ±3%). */
  maxSpeedChange?: number;
}

export interface Alignment {
  map: TimeMap;
  /** Mean speed over the segment (reference seconds per upload second). */
  speed: number;
  /** Median normalised correlation peak of the tracking windows (0..1): how clearly the music was found. */
  confidence: number;
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p <<= 1;
  return p;
}

interface Delay {
  /** Lag in samples of the second signal against the first: a[j] ≈ b[j + lag]. */
  lag: number;
  /** Normalised correlation peak (phase transform): about the fraction of coherent bins. */
  peak: number;
}

/**
 * Generalised cross-correlation with phase transform between `a` (length n) and `b` (length n + 2L,
 * starting L samples earlier than `a`), for lags in [-L, L], restricted to normalised band [lo, hi].
 */
function gccPhat(
  a: Float32Array,
  b: Float32Array,
  maxLag: number,
  lo: number,
  hi: number,
  fractional: boolean,
): Delay {
  const size = nextPow2(b.length + maxLag);
  const plan = fftPlan(size);
  const bins = size / 2 + 1;
  const ar = new Float64Array(bins);
  const ai = new Float64Array(bins);
  const br = new Float64Array(bins);
  const bi = new Float64Array(bins);
  rfft(plan, a, ar, ai);
  rfft(plan, b, br, bi);
  const cr = new Float64Array(bins);
  const ci = new Float64Array(bins);
  const k0 = Math.max(1, Math.floor(lo * (bins - 1)));
  const k1 = Math.min(bins - 1, Math.ceil(hi * (bins - 1)));
  for (let k = k0; k <= k1; k++) {
    // conj(A)·B: peaks at the lag where b matches a.
    const re = ar[k] * br[k] + ai[k] * bi[k];
    const im = ar[k] * bi[k] - ai[k] * br[k];
    const mag = Math.hypot(re, im) + 1e-20;
    cr[k] = re / mag;
    ci[k] = im / mag;
  }
  const corr = new Float64Array(size);
  irfft(plan, cr, ci, corr);
  let best = -Infinity;
  let bestIdx = 0;
  for (let t = 0; t <= 2 * maxLag; t++) {
    if (corr[t] > best) {
      best = corr[t];
      bestIdx = t;
    }
  }
  // Fractional part: Newton steps on the band-limited correlation Σ Re(C·e^{iωτ}) around the integer
  // peak. (A phase-slope fit would be shrunk towards zero by the bins the OST dominates.)
  let tau = bestIdx;
  if (fractional) {
    const dw = (2 * Math.PI) / size;
    for (let iter = 0; iter < 3; iter++) {
      const stepRe = Math.cos(dw * tau),
        stepIm = Math.sin(dw * tau);
      let rotRe = Math.cos(dw * tau * k0),
        rotIm = Math.sin(dw * tau * k0);
      let d1 = 0,
        d2 = 0;
      for (let k = k0; k <= k1; k++) {
        const w = dw * k;
        const re = cr[k] * rotRe - ci[k] * rotIm;
        const im = cr[k] * rotIm + ci[k] * rotRe;
        d1 -= w * im;
        d2 -= w * w * re;
        const nr = rotRe * stepRe - rotIm * stepIm;
        rotIm = rotRe * stepIm + rotIm * stepRe;
        rotRe = nr;
      }
      if (d2 >= 0) break;
      tau = Math.max(bestIdx - 1, Math.min(bestIdx + 1, tau - d1 / d2));
    }
  }
  const peak = (best * size) / Math.max(1, k1 - k0 + 1) / 2;
  return { lag: tau - maxLag, peak };
}

function hannInPlace(x: Float32Array): void {
  const n = x.length;
  for (let i = 0; i < n; i++) x[i] *= 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / n);
}

/** Mix window [from, from+n), decimated by `step` and Hann-weighted. */
export function mixWindow(mix: Float32Array, from: number, n: number, step: number): Float32Array {
  const a = new Float32Array(n);
  if (step === 1) a.set(mix.subarray(from, from + n));
  else resampleMapped(mix, linearMap(from, from, step), from, a, cutoffForSpeed(1) / step);
  hannInPlace(a);
  return a;
}

/** Reference through the linear map (refAt, speed) for upload samples from - L*step on, every `step`. */
function refWindow(
  ref: Float32Array,
  from: number,
  refAt: number,
  speed: number,
  n: number,
  maxLag: number,
  step: number,
): Float32Array {
  const b = new Float32Array(n + 2 * maxLag);
  const p0 = refAt - maxLag * step * speed;
  resampleMapped(ref, linearMap(0, p0, speed * step), 0, b, cutoffForSpeed(speed) / step);
  return b;
}

export interface Track {
  /** Upload sample at the window centre. */
  t: number;
  /** Reference position found there. */
  r: number;
  peak: number;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

/** Weighted least-squares line r = a + b·t through the tracks. */
function fitLine(tracks: Track[]): { a: number; b: number } {
  let sw = 0,
    st = 0,
    sr = 0;
  for (const x of tracks) {
    sw += x.peak;
    st += x.peak * x.t;
    sr += x.peak * x.r;
  }
  const mt = st / sw,
    mr = sr / sw;
  let stt = 0,
    str = 0;
  for (const x of tracks) {
    stt += x.peak * (x.t - mt) ** 2;
    str += x.peak * (x.t - mt) * (x.r - mr);
  }
  const b = stt > 0 ? str / stt : Number.NaN;
  return { a: mr - b * mt, b };
}

/** One window: where in the reference the upload window [from, from+n) sits, near a predicted line. */
export function locate(
  mix: Float32Array,
  ref: Float32Array,
  lowRate: number,
  from: number,
  n: number,
  step: number,
  predicted: { refAt: number; speed: number },
  maxLag: number,
  a: Float32Array = mixWindow(mix, from, n, step),
): Track {
  const b = refWindow(ref, from, predicted.refAt, predicted.speed, n, maxLag, step);
  const hi = Math.min(0.9, 12000 / (lowRate / 2));
  const d = gccPhat(a, b, maxLag, 50 / (lowRate / 2), hi, step === 1);
  const centre = (n * step) / 2;
  // a[j] ≈ b[j + lag]: the window centre sits `lag` low-rate samples later in the reference.
  return { t: from + centre, r: predicted.refAt + (centre + d.lag * step) * predicted.speed, peak: d.peak };
}

/**
 * Coarse stage at ~8 kHz: a grid over speed with probe windows in the first seconds of the segment,
 * where the matcher's offset holds best; the best-scoring speed's probes fix offset and speed.
 */
function coarseSearch(
  mix: Float32Array,
  ref: Float32Array,
  sampleRate: number,
  from: number,
  to: number,
  refFrom: number,
  speed: number | undefined,
  opts: Required<AlignOptions>,
): { refAt: number; speed: number } {
  const step = Math.max(1, Math.floor(sampleRate / 8000));
  const lowRate = sampleRate / step;
  const n = Math.min(Math.round(1.5 * lowRate), Math.floor((to - from) / step) - 1);
  const maxLag = Math.round(opts.maxOffset * lowRate);
  const usable = Math.min(to - from, 12 * sampleRate) - n * step;
  const probes = usable > 0 ? [0.05, 0.35, 0.65, 0.95].map((f) => from + Math.round(f * usable)) : [from];
  const windows = probes.map((p) => mixWindow(mix, p, n, step));
  const span = speed === undefined ? opts.maxSpeedChange : 0.006;
  const centre = speed ?? 1;
  let best = { score: -Infinity, refAt: refFrom, speed: centre };
  for (let ds = -span; ds <= span + 1e-9; ds += 0.002) {
    const s = centre + ds;
    const tracks = probes.map((p, i) =>
      locate(
        mix,
        ref,
        lowRate,
        p,
        n,
        step,
        { refAt: refFrom + (p - from) * s, speed: s },
        maxLag,
        windows[i],
      ),
    );
    const score = tracks.reduce((sum, x) => sum + x.peak, 0);
    if (score <= best.score) continue;
    const line = tracks.length > 1 ? fitLine(tracks) : { a: Number.NaN, b: Number.NaN };
    const refined = Number.isFinite(line.b) && Math.abs(line.b - s) < 0.002 ? line.b : s;
    const at =
      Number.isFinite(line.b) && refined !== s
        ? line.a + line.b * from
        : tracks[0].r - (tracks[0].t - from) * s;
    best = { score, refAt: at, speed: refined };
  }
  return { refAt: best.refAt, speed: best.speed };
}

/**
 * Fine stage: delay tracking at full rate through the segment in time order, each window searched
 * near the line through the last good windows, so a slightly wrong speed cannot walk out of range.
 * Returns the smoothed anchors as a time map.
 */
function trackDelay(
  mix: Float32Array,
  ref: Float32Array,
  sampleRate: number,
  from: number,
  to: number,
  start: { refAt: number; speed: number },
): { map: TimeMap; confidence: number } {
  const n = Math.min(8192, to - from);
  const maxLag = Math.round(0.004 * sampleRate);
  const length = to - from;
  const spacing = Math.round(Math.min(2, Math.max(1, length / sampleRate / 40)) * sampleRate);
  const tracks: Track[] = [];
  const good: Track[] = [];
  for (let s = from; s + n <= to || s === from; s += spacing) {
    let predicted = { refAt: start.refAt + (s - from) * start.speed, speed: start.speed };
    if (good.length >= 2) {
      const line = fitLine(good.slice(-8));
      if (Number.isFinite(line.b) && Math.abs(line.b - start.speed) < 0.002)
        predicted = { refAt: line.a + line.b * s, speed: line.b };
      else {
        const last = good[good.length - 1];
        predicted = { refAt: last.r + (s - last.t) * start.speed, speed: start.speed };
      }
    } else if (good.length === 1) {
      predicted = { refAt: good[0].r + (s - good[0].t) * start.speed, speed: start.speed };
    }
    const x = locate(mix, ref, sampleRate, s, n, 1, predicted, maxLag);
    tracks.push(x);
    const expected = predicted.refAt + (n / 2) * predicted.speed;
    if (x.peak >= 0.04 && Math.abs(x.r - expected) < 0.75 * maxLag) good.push(x);
  }
  const confidence = median(tracks.map((x) => x.peak));
  if (good.length === 0) {
    return { map: linearMap(from, start.refAt, start.speed), confidence };
  }
  // Robust smoothing: a line for the speed, a running median of the departures for drift, and
  // windows far from that curve dropped as outliers.
  const line = good.length >= 2 ? fitLine(good) : { a: Number.NaN, b: Number.NaN };
  const slope = Number.isFinite(line.b) ? line.b : start.speed;
  const base = (t: number) =>
    Number.isFinite(line.b) ? line.a + line.b * t : good[0].r + (t - good[0].t) * slope;
  const resid = good.map((x) => x.r - base(x.t));
  const smooth = resid.map((_, i) => median(resid.slice(Math.max(0, i - 2), i + 3)));
  const kept = good.filter((_, i) => Math.abs(resid[i] - smooth[i]) <= 2);
  if (kept.length < 5) {
    const r0 = base(from);
    return { map: linearMap(from, r0, slope), confidence };
  }
  const keptResid = kept.map((x) => x.r - base(x.t));
  const at = Float64Array.from(kept.map((x) => x.t));
  const refPos = Float64Array.from(
    kept.map((x, i) => {
      const window = keptResid.slice(Math.max(0, i - 2), i + 3);
      return base(x.t) + window.reduce((s, v) => s + v, 0) / window.length;
    }),
  );
  return { map: { at, ref: refPos }, confidence };
}

/**
 * Aligns `ref` to `mix` over upload samples [from, to), given the matcher's reference start (in
 * reference samples at `from`) and optional speed.
 */
export function alignReference(
  mix: Float32Array,
  ref: Float32Array,
  sampleRate: number,
  from: number,
  to: number,
  refFrom: number,
  speed?: number,
  options: AlignOptions = {},
): Alignment {
  const opts: Required<AlignOptions> = { maxOffset: 0.08, maxSpeedChange: 0.03, ...options };
  const coarse = coarseSearch(mix, ref, sampleRate, from, to, refFrom, speed, opts);
  const { map, confidence } = trackDelay(mix, ref, sampleRate, from, to, coarse);
  return { map, speed: meanSpeed(map, from, to), confidence };
}
