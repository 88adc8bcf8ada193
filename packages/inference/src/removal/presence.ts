// How clearly a catalog recording's waveform is present in an upload at a given place. Landmark votes are
// few when music sits far under speech, and chance gives other tracks as many; the waveform cannot agree
// by chance. Short windows along the segment are cross-correlated with the reference near the predicted
// lag (phase transform, so every frequency counts alike), and their correlations are summed along
// straight lines of lag against time (a slightly wrong speed makes the lag drift): the music's windows
// add up on one line, chance peaks do not. The best line's mean (its best second left out, so a sound two
// recordings share for a moment cannot carry it) is compared with the same measure with
// the reference shifted by seconds: the null is the same two recordings, misaligned, so no threshold
// depends on genre, loudness or catalog size.
import { fftPlan, irfft, rfft, type FftPlan } from '../dsp';
import { mixWindow } from './align';
import { cutoffForSpeed, resampleMapped } from './resample';
import { linearMap } from './timemap';

export interface PresenceGuess {
  /** Upload samples [from, to) to judge. */
  from: number;
  to: number;
  /** Reference sample at `from` (may be fractional). */
  refFrom: number;
  /** Reference samples per upload sample. */
  speed: number;
}

export interface Presence {
  /** Mean normalised correlation (its best second left out) of the windows along the best line at the guessed place (0..1). */
  score: number;
  /** Mean and spread of that score with the reference shifted. */
  nullMean: number;
  nullStd: number;
  /**
   * (score - nullMean) / nullStd; -Infinity when the segment or the reference is too short to judge.
   * Below sqrt(NULL_SHIFTS - 1) ≈ 2.6 it may come from fewer shifts (the check stops once it cannot pass).
   */
  z: number;
}

const WINDOW_SECONDS = 0.75;
/**
 * Windows overlap by half, up to this many: a coincidence such as a drum sample two recordings share
 * lines up in one or two of them, a recording present in the upload in many.
 */
const MAX_WINDOWS = 24;
/** Windows a screen of many places reads (presenceScore): spread over the segment, a third of a check's. */
const SCREEN_WINDOWS = 8;
/** Windows a verdict needs (3.4 s): a shorter segment says too little. */
const MIN_WINDOWS = 8;
/** Lag searched around the prediction: the matcher's offset error plus drift from a 0.5% speed error. */
const MAX_LAG_SECONDS = 0.064;
/** Speed error (fraction) the lines cover: the matcher's hypotheses are 1% apart. */
const MAX_DRIFT = 0.006;
/** Consecutive windows a moment of shared sound can lift (about a second), left out of a line's score. */
const MOMENT_WINDOWS = 3;
/** Lag tolerance of a line, samples each side (a phase-transform peak is a sample or two wide). */
const LINE_TOLERANCE = 6;
const LOW_HZ = 100;
const HIGH_HZ = 3600;
/** Reference shifts (seconds) for the null, nearest first; those leaving the reference are skipped. */
const SHIFTS_SECONDS = [3, -3, 5, -5, 7, -7, 9, -9, 11, -11, 13, -13, 15, -15, 17, -17, 19, -19];
const NULL_SHIFTS = 8;
const MIN_NULL_SHIFTS = 6;
/** Spread floor: a null from a few near-silent windows must not make any score look significant. */
const MIN_STD = 0.005;

/** Reference seconds a check reads on each side of a segment (the null's shifts and the lag search). */
export const PRESENCE_MARGIN_SECONDS = 20;

const NONE: Presence = { score: 0, nullMean: 0, nullStd: 0, z: -Infinity };

export function referencePresence(
  mix: Float32Array,
  ref: Float32Array,
  sampleRate: number,
  guess: PresenceGuess,
): Presence {
  const check = prepare(mix, ref, sampleRate, guess, MAX_WINDOWS);
  if (!check) return NONE;
  const score = check.scoreAt(0);
  // A null at or above the score settles it: with k nulls, one of them >= score bounds z by sqrt(k - 1)
  // (< 2.7), so the other shifts are not worth computing (most checked candidates stop here).
  const nulls: number[] = [];
  for (const shift of check.shifts) {
    nulls.push(check.scoreAt(shift));
    if (nulls[nulls.length - 1] >= score) break;
  }
  const nullMean = nulls.reduce((a, b) => a + b, 0) / nulls.length;
  const nullStd = Math.sqrt(nulls.reduce((a, b) => a + (b - nullMean) ** 2, 0) / nulls.length);
  return { score, nullMean, nullStd, z: (score - nullMean) / Math.max(nullStd, MIN_STD) };
}

/**
 * The score alone at the guessed place, from SCREEN_WINDOWS windows and no null: a cheap first pass that
 * ranks many places, so that only the best few need referencePresence. -Infinity where that could not judge.
 * `compare` ranks places that are all present (repeats of a passage): every window the segment holds is
 * read, and a place too near the recording's ends for a null is still scored.
 */
export function presenceScore(
  mix: Float32Array,
  ref: Float32Array,
  sampleRate: number,
  guess: PresenceGuess,
  compare = false,
): number {
  const check = compare
    ? prepare(mix, ref, sampleRate, guess, MAX_WINDOWS, 0)
    : prepare(mix, ref, sampleRate, guess, SCREEN_WINDOWS);
  return check?.scoreAt(0) ?? -Infinity;
}

/** The measure at a reference shift (samples) from the guess, and the shifts of the null; none if too short. */
function prepare(
  mix: Float32Array,
  ref: Float32Array,
  sampleRate: number,
  guess: PresenceGuess,
  maxWindows: number,
  minNullShifts = MIN_NULL_SHIFTS,
): { scoreAt: (shift: number) => number; shifts: number[] } | undefined {
  const n = Math.round(WINDOW_SECONDS * sampleRate);
  const maxLag = Math.round(MAX_LAG_SECONDS * sampleRate);
  const from = Math.max(0, Math.round(guess.from));
  const to = Math.min(mix.length, Math.round(guess.to));
  const fitting = Math.floor((to - from - n) / (n / 2)) + 1;
  if (to - from < n || fitting < MIN_WINDOWS) return undefined;
  const count = Math.min(maxWindows, fitting);
  const starts = Array.from({ length: count }, (_, i) =>
    count === 1 ? from : from + Math.round((i * (to - from - n)) / (count - 1)),
  );
  const span = (to - from) * guess.speed;
  const fits = (shift: number) => {
    const a = guess.refFrom + shift - maxLag * guess.speed;
    return a >= 0 && a + span + 2 * maxLag * guess.speed <= ref.length;
  };
  const shifts = SHIFTS_SECONDS.map((d) => Math.round(d * sampleRate))
    .filter(fits)
    .slice(0, NULL_SHIFTS);
  if (shifts.length < minNullShifts) return undefined;
  const corr = new Correlator(n, maxLag, sampleRate);
  const windows = starts.map((s) => corr.whitenedWindow(mix, s));
  const lines = driftLines(starts, maxLag);
  const scoreAt = (shift: number) => {
    const curves = starts.map((s, i) =>
      corr.correlate(windows[i], ref, guess.refFrom + shift + (s - from) * guess.speed, guess.speed),
    );
    return bestLine(curves, lines);
  };
  return { scoreAt, shifts };
}

/** Each window's lag offset (samples) on each line of the drift grid, relative to the first window. */
function driftLines(starts: number[], maxLag: number): Int32Array[] {
  const extent = starts[starts.length - 1] - starts[0];
  const step = extent > 0 ? (2 * LINE_TOLERANCE) / extent : 1;
  const lines: Int32Array[] = [];
  for (let d = -MAX_DRIFT; d <= MAX_DRIFT + 1e-12; d += step) {
    lines.push(
      Int32Array.from(starts, (s) => Math.max(-maxLag, Math.min(maxLag, Math.round(d * (s - starts[0]))))),
    );
    if (extent === 0) break;
  }
  return lines;
}

/**
 * The windows' (tolerance-widened) correlations along the line and lag where their mean is highest,
 * averaged without their best MOMENT_WINDOWS consecutive windows: music present in the upload holds up
 * along the segment, even when it comes and goes, while a sound two recordings share for a moment (one
 * sampled note) lifts two or three neighbouring windows, which this leaves out.
 */
function bestLine(curves: Float32Array[], lines: Int32Array[]): number {
  const lags = curves[0].length;
  const sum = new Float32Array(lags);
  let best = { value: -Infinity, line: lines[0], lag: 0 };
  for (const line of lines) {
    sum.fill(0);
    for (let i = 0; i < curves.length; i++) {
      const c = curves[i];
      const d = line[i];
      const lo = Math.max(0, -d);
      const hi = Math.min(lags, lags - d);
      for (let l = lo; l < hi; l++) sum[l] += c[l + d];
    }
    for (let l = 0; l < lags; l++) if (sum[l] > best.value) best = { value: sum[l], line, lag: l };
  }
  const values = curves.map((c, i) => c[best.lag + best.line[i]] ?? 0);
  const run = Math.min(MOMENT_WINDOWS, values.length - 1);
  let moment = -Infinity;
  for (let i = 0; i + run <= values.length; i++) {
    let s = 0;
    for (let j = i; j < i + run; j++) s += values[j];
    moment = Math.max(moment, s);
  }
  return (best.value - moment) / (values.length - run);
}

/** Phase-transform cross-correlation of fixed-size upload windows against the reference. */
class Correlator {
  private readonly size: number;
  private readonly plan: FftPlan;
  private readonly k0: number;
  private readonly k1: number;
  private readonly b: Float32Array;
  private readonly padded: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly out: Float64Array;

  constructor(
    private readonly n: number,
    private readonly maxLag: number,
    sampleRate: number,
  ) {
    let size = 1;
    while (size < n + 2 * maxLag) size <<= 1;
    this.size = size;
    this.plan = fftPlan(size);
    const bins = size / 2 + 1;
    this.k0 = Math.max(1, Math.floor((LOW_HZ / sampleRate) * size));
    this.k1 = Math.min(bins - 1, Math.ceil((HIGH_HZ / sampleRate) * size));
    this.b = new Float32Array(n + 2 * maxLag);
    this.padded = new Float64Array(size);
    this.re = new Float64Array(bins);
    this.im = new Float64Array(bins);
    this.out = new Float64Array(size);
  }

  /** Spectrum of the Hann-weighted upload window [from, from + n), each bin scaled to unit magnitude. */
  whitenedWindow(mix: Float32Array, from: number): { re: Float64Array; im: Float64Array } {
    const { n, size, k0, k1 } = this;
    const x = new Float64Array(size);
    x.set(mixWindow(mix, from, n, 1));
    const re = new Float64Array(size / 2 + 1);
    const im = new Float64Array(size / 2 + 1);
    rfft(this.plan, x, re, im);
    for (let k = k0; k <= k1; k++) {
      const m = Math.sqrt(re[k] * re[k] + im[k] * im[k]) + 1e-20;
      re[k] /= m;
      im[k] /= m;
    }
    return { re, im };
  }

  /**
   * Correlation of a whitened window with the reference read at `speed` from `refAt` - maxLag on, for
   * lags -maxLag..maxLag (index 0..2·maxLag), widened by LINE_TOLERANCE; identical signals peak at 1.
   */
  correlate(
    a: { re: Float64Array; im: Float64Array },
    ref: Float32Array,
    refAt: number,
    speed: number,
  ): Float32Array {
    const { b, padded, re, im, out, k0, k1, maxLag } = this;
    readReference(ref, refAt - maxLag * speed, speed, b);
    padded.fill(0);
    padded.set(b);
    rfft(this.plan, padded, re, im);
    for (let k = 0; k < re.length; k++) {
      if (k < k0 || k > k1) {
        re[k] = 0;
        im[k] = 0;
        continue;
      }
      // conj(A)·B with B whitened: peaks at the lag where the reference matches the window.
      const m = Math.sqrt(re[k] * re[k] + im[k] * im[k]) + 1e-20;
      const br = re[k] / m;
      const bi = im[k] / m;
      re[k] = a.re[k] * br + a.im[k] * bi;
      im[k] = a.re[k] * bi - a.im[k] * br;
    }
    irfft(this.plan, re, im, out);
    const scale = this.size / (2 * (k1 - k0 + 1));
    const lags = 2 * maxLag + 1;
    const widened = new Float32Array(lags);
    for (let l = 0; l < lags; l++) {
      let m = -Infinity;
      for (let j = Math.max(0, l - LINE_TOLERANCE); j <= Math.min(lags - 1, l + LINE_TOLERANCE); j++)
        if (out[j] > m) m = out[j];
      widened[l] = m * scale;
    }
    return widened;
  }
}

/** The reference from position `at` on, read at `speed` (a plain copy when the speed is 1). */
function readReference(ref: Float32Array, at: number, speed: number, out: Float32Array): void {
  if (speed === 1) {
    const a = Math.round(at);
    const lo = Math.max(0, a);
    const hi = Math.min(ref.length, a + out.length);
    out.fill(0);
    if (hi > lo) out.set(ref.subarray(lo, hi), lo - a);
  } else {
    resampleMapped(ref, linearMap(0, at, speed), 0, out, cutoffForSpeed(speed));
  }
}
