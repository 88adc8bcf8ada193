// Signal shaping used to build mixtures: filters, fades, compression, level and speed changes.
// Plain functions over Float32Array channels; all are linear except `compress`, which is applied to the
// music alone before it is mixed, so ground-truth stems stay exact.

export type Channels = Float32Array[];

interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

/** RBJ-cookbook peaking or shelving filter. */
export function biquad(
  kind: 'peak' | 'lowshelf' | 'highshelf',
  freq: number,
  gainDb: number,
  q: number,
  rate: number,
): Biquad {
  const A = 10 ** (gainDb / 40);
  const w = (2 * Math.PI * freq) / rate;
  const cos = Math.cos(w);
  const alpha = Math.sin(w) / (2 * q);
  let b0: number, b1: number, b2: number, a0: number, a1: number, a2: number;
  if (kind === 'peak') {
    [b0, b1, b2] = [1 + alpha * A, -2 * cos, 1 - alpha * A];
    [a0, a1, a2] = [1 + alpha / A, -2 * cos, 1 - alpha / A];
  } else {
    const s = kind === 'lowshelf' ? 1 : -1;
    const sq = 2 * Math.sqrt(A) * alpha;
    b0 = A * (A + 1 - s * (A - 1) * cos + sq);
    b1 = s * 2 * A * (A - 1 - s * (A + 1) * cos);
    b2 = A * (A + 1 - s * (A - 1) * cos - sq);
    a0 = A + 1 + s * (A - 1) * cos + sq;
    a1 = -s * 2 * (A - 1 + s * (A + 1) * cos);
    a2 = A + 1 + s * (A - 1) * cos - sq;
  }
  return { b0: b0 / a0, b1: b1 / a0, b2: b2 / a0, a1: a1 / a0, a2: a2 / a0 };
}

export function filterInPlace(x: Float32Array, f: Biquad): void {
  let x1 = 0,
    x2 = 0,
    y1 = 0,
    y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const y = f.b0 * x[i] + f.b1 * x1 + f.b2 * x2 - f.a1 * y1 - f.a2 * y2;
    x2 = x1;
    x1 = x[i];
    y2 = y1;
    y1 = y;
    x[i] = y;
  }
}

export function scale(ch: Channels, gain: number): void {
  for (const c of ch) for (let i = 0; i < c.length; i++) c[i] *= gain;
}

/** Linear fade-in over [0, inSec) and fade-out over the last outSec. */
export function fade(ch: Channels, inSec: number, outSec: number, rate: number): void {
  const n = ch[0].length;
  const fi = Math.min(n, Math.round(inSec * rate));
  const fo = Math.min(n, Math.round(outSec * rate));
  for (const c of ch) {
    for (let i = 0; i < fi; i++) c[i] *= i / fi;
    for (let i = 0; i < fo; i++) c[n - 1 - i] *= i / fo;
  }
}

/** Gentle feed-forward compressor on the stereo-linked envelope (the "a little compression" of uploads). */
export function compress(ch: Channels, thresholdDb: number, ratio: number, rate: number): void {
  const attack = Math.exp(-1 / (0.01 * rate));
  const release = Math.exp(-1 / (0.2 * rate));
  const thr = 10 ** (thresholdDb / 20);
  let env = 0;
  for (let i = 0; i < ch[0].length; i++) {
    let peak = 0;
    for (const c of ch) peak = Math.max(peak, Math.abs(c[i]));
    env = peak > env ? attack * env + (1 - attack) * peak : release * env + (1 - release) * peak;
    const g = env > thr ? (thr * (env / thr) ** (1 / ratio)) / env : 1;
    for (const c of ch) c[i] *= g;
  }
}

/** Speed change as editors do without pitch correction: output sample i reads input at i*speed (cubic). */
export function changeSpeed(ch: Channels, speed: number): Channels {
  if (speed === 1) return ch.map((c) => c.slice());
  const n = Math.floor((ch[0].length - 1) / speed);
  return ch.map((x) => {
    const y = new Float32Array(n);
    const last = x.length - 1;
    for (let i = 0; i < n; i++) {
      const t = i * speed;
      const k = Math.floor(t);
      const f = t - k;
      const p0 = x[Math.max(0, k - 1)],
        p1 = x[k],
        p2 = x[Math.min(last, k + 1)],
        p3 = x[Math.min(last, k + 2)];
      y[i] = p1 + 0.5 * f * (p2 - p0 + f * (2 * p0 - 5 * p1 + 4 * p2 - p3 + f * (3 * (p1 - p2) + p3 - p0)));
    }
    return y;
  });
}

export function rmsOf(ch: Channels, from = 0, to = ch[0].length): number {
  let s = 0;
  for (const c of ch) for (let i = from; i < to; i++) s += c[i] * c[i];
  return Math.sqrt(s / Math.max(1, (to - from) * ch.length));
}

export function peakOf(ch: Channels): number {
  let p = 0;
  for (const c of ch) for (let i = 0; i < c.length; i++) p = Math.max(p, Math.abs(c[i]));
  return p;
}

export function zeros(count: number, frames: number): Channels {
  return Array.from({ length: count }, () => new Float32Array(frames));
}

/** Adds `src` (gain `g`) into `dst` starting at frame `at`, clipped to dst's length. */
export function addInto(dst: Channels, src: Channels, at: number, g = 1): void {
  for (let c = 0; c < dst.length; c++) {
    const s = src[c % src.length];
    const d = dst[c];
    const end = Math.min(d.length, at + s.length);
    for (let i = Math.max(0, at); i < end; i++) d[i] += g * s[i - at];
  }
}

/** Frames [from, from+len) of `src`, looping if it is shorter. */
export function loopSlice(src: Channels, from: number, len: number): Channels {
  return src.map((c) => {
    const out = new Float32Array(len);
    for (let i = 0; i < len; i++) out[i] = c[(from + i) % c.length];
    return out;
  });
}
