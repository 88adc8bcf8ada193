// How far the music reaches beyond the segment the matcher reported. A landmark span ends at the last
// anchor that agreed, often seconds before the music does (the targets an anchor pairs with lie up to
// two seconds later, and under a loud soundtrack few pairs survive near the ends), and what the span
// leaves out would go to the separation model instead of the reference. Windows outward from each end
// are correlated with the reference along the alignment's line, at the predicted lag only, and the
// segment grows while they find it.
import { locate } from './align';
import { mapPosition, type TimeMap } from './timemap';

/** Farthest a segment grows on each side, seconds: longer music is found by the matcher in its own segments. */
export const GROW_SECONDS = 15;
const WINDOW_SECONDS = 0.75;
const HOP_SECONDS = 0.25;
/** Correlation rate: the band where music and OST differ most, and cheap to correlate. */
const LOW_RATE = 8000;
/** Lag searched around the line, low-rate samples: the alignment is sample-precise, only drift remains. */
const MAX_LAG = 8;
/**
 * Normalised phase-transform peak that counts as the reference heard. Unrelated audio peaks near 0.03 at
 * most over these lags (about 3600 bins at 1/sqrt(2·bins) each); music 10 dB under speech near 0.1.
 */
export const MIN_HEARD_PEAK = 0.06;
/** Windows in a row without the reference that end the growth (2 s: a pause, or a fade in or out). */
const MISSES = 8;

/**
 * The upload samples [from, to) grown while the reference, read through `map`, is heard in `mono`, within
 * [lo, hi) (where the reference exists). `speed` is the alignment's mean speed.
 */
export function heardExtent(
  mono: Float32Array,
  ref: Float32Array,
  sampleRate: number,
  map: TimeMap,
  speed: number,
  span: { from: number; to: number; lo: number; hi: number },
): { from: number; to: number } {
  const step = Math.max(1, Math.floor(sampleRate / LOW_RATE));
  const lowRate = sampleRate / step;
  const n = Math.round(WINDOW_SECONDS * lowRate);
  const width = n * step;
  const hop = Math.round(HOP_SECONDS * sampleRate);
  const heard = (start: number) =>
    locate(mono, ref, lowRate, start, n, step, { refAt: mapPosition(map, start).pos, speed }, MAX_LAG).peak >=
    MIN_HEARD_PEAK;
  // Forward: windows starting half a window before the end; the end moves to the middle of the last
  // window that heard the reference (a window straddling the music's end can still hear it), or to the
  // limit when the last window that fits there heard it.
  let to = span.to;
  for (let s = span.to - width / 2, misses = 0; misses < MISSES; s += hop) {
    const last = s + width >= span.hi;
    const start = last ? span.hi - width : s;
    if (start < span.lo) break;
    if (heard(start)) {
      to = Math.max(to, last ? span.hi : Math.round(s + width / 2));
      misses = 0;
    } else misses++;
    if (last) break;
  }
  let from = span.from;
  for (let s = span.from - width / 2, misses = 0; misses < MISSES; s -= hop) {
    const last = s <= span.lo;
    const start = last ? span.lo : s;
    if (start + width > span.hi) break;
    if (heard(start)) {
      from = Math.min(from, last ? span.lo : Math.round(s + width / 2));
      misses = 0;
    } else misses++;
    if (last) break;
  }
  return { from, to };
}
