// Band-limited resampling by any ratio: a Blackman-windowed sinc read from a precomputed table
// (linear interpolation between table phases), so no trigonometry runs per sample.

const ZEROS = 12; // sinc zero crossings per side
const PHASES = 512; // table resolution per unit of kernel time
let table: Float32Array | undefined;

function kernelTable(): Float32Array {
  if (table) return table;
  table = new Float32Array(ZEROS * PHASES + 2);
  for (let i = 0; i < table.length; i++) {
    const x = i / PHASES; // in zero crossings, 0..ZEROS
    const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const w =
      x >= ZEROS
        ? 0
        : 0.42 + 0.5 * Math.cos((Math.PI * x) / ZEROS) + 0.08 * Math.cos((2 * Math.PI * x) / ZEROS);
    table[i] = sinc * w;
  }
  return table;
}

/** Kernel weight at `distance` input samples from the centre. */
function weight(tab: Float32Array, distance: number, step: number): number {
  const pos = Math.abs(distance) * step;
  const k = pos | 0;
  const frac = pos - k;
  return tab[k] + frac * (tab[k + 1] - tab[k]);
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Output phases beyond which the per-phase weights are not precomputed. */
const MAX_PHASES = 1024;

/** Resamples x from rate `from` to rate `to` (any ratio); the output is low-passed below the lower Nyquist. */
export function resample(x: Float32Array, from: number, to: number): Float32Array {
  if (from === to) return x;
  const tab = kernelTable();
  const ratio = to / from;
  // Cut a little below the lower Nyquist frequency; kernel time is measured in output-rate zero crossings.
  const cutoff = 0.95 * Math.min(1, ratio);
  const outLen = Math.floor(x.length * ratio);
  const out = new Float32Array(outLen);
  const halfWidth = ZEROS / cutoff; // in input samples
  const step = cutoff * PHASES; // table index per input sample of distance
  const generic = (j: number) => {
    const centre = j / ratio;
    const lo = Math.max(0, Math.ceil(centre - halfWidth));
    const hi = Math.min(x.length - 1, Math.floor(centre + halfWidth));
    let acc = 0;
    for (let i = lo; i <= hi; i++) acc += x[i] * weight(tab, i - centre, step);
    return acc * cutoff;
  };
  // Between integer rates the kernel positions repeat every `up` outputs (to/from = up/down in lowest
  // terms): the weights of each phase are computed once, and away from the ends every output is a
  // plain dot product.
  const g = Number.isInteger(from) && Number.isInteger(to) ? gcd(from, to) : 0;
  const up = g ? to / g : 0;
  const down = g ? from / g : 0;
  if (!g || up > MAX_PHASES) {
    for (let j = 0; j < outLen; j++) out[j] = generic(j);
    return out;
  }
  const phases = Array.from({ length: up }, (_, p) => {
    const offset = (p * down) / up;
    const first = Math.ceil(offset - halfWidth);
    const last = Math.floor(offset + halfWidth);
    const w = new Float64Array(last - first + 1);
    for (let i = first; i <= last; i++) w[i - first] = weight(tab, i - offset, step);
    return { first, w };
  });
  for (let j = 0; j < outLen; j++) {
    const p = j % up;
    const { first, w } = phases[p];
    const start = ((j - p) / up) * down + first;
    if (start < 0 || start + w.length > x.length) {
      out[j] = generic(j);
      continue;
    }
    let acc = 0;
    for (let i = 0; i < w.length; i++) acc += x[start + i] * w[i];
    out[j] = acc * cutoff;
  }
  return out;
}
