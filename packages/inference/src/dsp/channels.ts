// Channel helpers for planar audio (one Float32Array per channel).

/** Mean of the channels over [from, to), always a new array (callers may write to it). */
export function downmix(channels: Float32Array[], from = 0, to = channels[0].length): Float32Array {
  const out = new Float32Array(to - from);
  const g = 1 / channels.length;
  for (const ch of channels) for (let i = from; i < to; i++) out[i - from] += ch[i] * g;
  return out;
}

/** Per-sample difference a - b of two planar signals. */
export function subtract(a: Float32Array[], b: Float32Array[]): Float32Array[] {
  return a.map((ch, c) => {
    const out = new Float32Array(ch.length);
    for (let i = 0; i < ch.length; i++) out[i] = ch[i] - b[c][i];
    return out;
  });
}
