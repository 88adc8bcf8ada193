// Separation quality measures.

/** Scale-invariant signal-to-distortion ratio in dB (Le Roux et al. 2019), zero-mean inputs assumed. */
export function siSdr(estimate: Float32Array, reference: Float32Array): number {
  const n = Math.min(estimate.length, reference.length);
  let dot = 0;
  let refEnergy = 0;
  for (let i = 0; i < n; i++) {
    dot += estimate[i] * reference[i];
    refEnergy += reference[i] * reference[i];
  }
  if (refEnergy === 0) return Number.NaN;
  const alpha = dot / refEnergy;
  let target = 0;
  let noise = 0;
  for (let i = 0; i < n; i++) {
    const t = alpha * reference[i];
    const e = estimate[i] - t;
    target += t * t;
    noise += e * e;
  }
  return 10 * Math.log10((target + 1e-12) / (noise + 1e-12));
}

/** Root-mean-square level. */
export function rms(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, x.length));
}

/** Level in dBFS of the RMS (−∞ for silence). */
export function rmsDb(x: Float32Array): number {
  return 20 * Math.log10(rms(x));
}
