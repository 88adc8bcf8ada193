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
  for (let j = 0; j < outLen; j++) {
    const centre = j / ratio;
    const lo = Math.max(0, Math.ceil(centre - halfWidth));
    const hi = Math.min(x.length - 1, Math.floor(centre + halfWidth));
    let acc = 0;
    for (let i = lo; i <= hi; i++) {
      const pos = Math.abs(i - centre) * step;
      const k = pos | 0;
      const frac = pos - k;
      acc += x[i] * (tab[k] + frac * (tab[k + 1] - tab[k]));
    }
    out[j] = acc * cutoff;
  }
  return out;
}
