import { describe, expect, it } from 'vitest';
import { siSdr } from '../src/dsp';
import { alignReference, referenceRange, RemovalError, removeReference } from '../src/removal';
import { GROW_SECONDS } from '../src/removal/extent';
import { mapPosition } from '../src/removal/timemap';

const SR = 48000;

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

/** Music-like reference: a vibrato tone, a chord tone and broadband noise hits on a beat, stereo. */
function musicLike(seconds: number, seed: number): Float32Array[] {
  const rnd = random(seed);
  const n = Math.round(seconds * SR);
  return [0, 1].map((c) => {
    const x = new Float32Array(n);
    let lp = 0;
    for (let i = 0; i < n; i++) {
      const t = i / SR;
      const beat = 0.4 + Math.exp(-((t * 2.3) % 1) * 3);
      lp = 0.3 * lp + rnd();
      x[i] =
        0.1 * Math.sin(2 * Math.PI * (220 + c * 3) * t + 2 * Math.sin(2 * Math.PI * 5 * t)) +
        0.05 * Math.sin(2 * Math.PI * 587 * t) * (0.5 + 0.5 * Math.sin(t)) +
        0.5 * beat * lp;
    }
    return x;
  });
}

/** OST-like signal: amplitude-modulated coloured noise, uncorrelated with the music. */
function ostLike(n: number, seed: number): Float32Array[] {
  const rnd = random(seed);
  return [0, 1].map(() => {
    const x = new Float32Array(n);
    let a = 0;
    let b = 0;
    for (let i = 0; i < n; i++) {
      a = 0.95 * a + rnd();
      b = 0.5 * b + rnd();
      x[i] = (0.03 * a + 0.1 * b) * (0.6 + 0.4 * Math.sin((2 * Math.PI * 3 * i) / SR));
    }
    return x;
  });
}

/** The reference as the infringer laid it: sped up, faded in and out, scaled, placed at `at` seconds. */
function shaped(
  ref: Float32Array[],
  n: number,
  at: number,
  refStart: number,
  speed: number,
  gain: number,
): Float32Array[] {
  return ref.map((ch) => {
    const y = new Float32Array(n);
    const first = Math.round(at * SR);
    const len = n - first - SR;
    for (let i = 0; i < len; i++) {
      const p = refStart * SR + i * speed;
      const k = Math.floor(p);
      const f = p - k;
      // Windowed-sinc read (independent of the code under test).
      let v = 0;
      for (let j = -24; j <= 24; j++) {
        const x = j - f;
        const w = 0.5 + 0.5 * Math.cos((Math.PI * x) / 25);
        v += (ch[k + j] ?? 0) * (Math.abs(x) < 1e-9 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x)) * w;
      }
      const fade = Math.min(1, i / (0.8 * SR), (len - i) / (0.5 * SR));
      y[first + i] = gain * fade * v;
    }
    return y;
  });
}

function add(a: Float32Array[], b: Float32Array[]): Float32Array[] {
  return a.map((c, ci) => c.map((v, i) => v + b[ci][i]));
}

describe('removeReference', { timeout: 60_000 }, () => {
  const ref = musicLike(20, 1);
  const n = 8 * SR;
  const ost = ostLike(n, 2);
  const music = shaped(ref, n, 1, 5, 1.02, 0.15);
  const mix = add(ost, music);

  it('removes a known reference with a fade and +2% speed to above 30 dB SI-SDR', () => {
    // The matcher's view: start and reference offset 40 ms off, speed coarse.
    const res = removeReference(mix, SR, ref, [
      { start: 1.04, end: 7, refStart: 5 + 0.04 * 1.02 + 0.03, speed: 1.015 },
    ]);
    expect(res.ost).toHaveLength(2);
    expect(res.ost[0].length).toBe(n);
    for (let c = 0; c < 2; c++) {
      expect(siSdr(mix[c], ost[c])).toBeLessThan(5);
      expect(siSdr(res.ost[c], ost[c])).toBeGreaterThan(30);
      // Stems add back up to the upload.
      for (let i = 0; i < n; i += 997) expect(res.ost[c][i] + res.bgm[c][i]).toBeCloseTo(mix[c][i], 5);
    }
    expect(res.segments).toHaveLength(1);
    expect(res.segments[0].method).toBe('reference');
    expect(res.segments[0].speed).toBeCloseTo(1.02, 4);
    // What is left after removal is the OST's share of the segment's energy.
    let ostEnergy = 0;
    let mixEnergy = 0;
    for (const [c, ch] of ost.entries()) {
      for (let i = Math.round(1.04 * SR); i < 7 * SR; i++) {
        ostEnergy += ch[i] * ch[i];
        mixEnergy += mix[c][i] * mix[c][i];
      }
    }
    expect(res.segments[0].residualDb).toBeCloseTo(10 * Math.log10(ostEnergy / mixEnergy), 0);
  });

  it('leaves no clicks at block boundaries and does not touch audio outside the segment', () => {
    const res = removeReference(mix, SR, ref, [{ start: 1.04, end: 4.5, refStart: 5.07, speed: 1.02 }], {
      blockSeconds: 0.7,
      margin: 0.3,
      grow: 0,
    });
    const err = res.ost[0].map((v, i) => v - ost[0][i]);
    // Error energy in 5 ms windows inside the processed span: no window stands out.
    const energies: number[] = [];
    for (let s = Math.round(1.5 * SR); s < 4.4 * SR; s += 240) {
      let e = 0;
      for (let i = s; i < s + 240; i++) e += err[i] * err[i];
      energies.push(e);
    }
    const sorted = [...energies].sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1];
    let signal = 0;
    for (let i = 1.5 * SR; i < 4.4 * SR; i++) signal += ost[0][i] * ost[0][i];
    expect(Math.max(...energies)).toBeLessThan(Math.max(20 * median, (1e-3 * signal) / energies.length));
    // Outside the segment plus margin the upload is returned unchanged.
    for (let i = Math.round(4.9 * SR); i < n; i += 101) expect(res.ost[0][i]).toBe(mix[0][i]);
    for (let i = 0; i < Math.round(0.7 * SR); i += 101) expect(res.ost[1][i]).toBe(mix[1][i]);
  });

  it('needs only the reference range it names (a caller decodes just that part of a long track)', () => {
    const segments = [{ start: 1.04, end: 7, refStart: 5 + 0.04 * 1.02 + 0.03, speed: 1.015 }];
    const range = referenceRange(segments, { grow: 0 });
    expect(range.start).toBeGreaterThan(2);
    expect(range.end).toBeLessThan(14);
    const [from, to] = [Math.round(range.start * SR), Math.round(range.end * SR)];
    const cut = removeReference(
      mix,
      SR,
      ref.map((c) => c.slice(from, to)),
      segments.map((s) => ({ ...s, refStart: s.refStart - from / SR })),
      { grow: 0 },
    );
    const whole = removeReference(mix, SR, ref, segments, { grow: 0 });
    for (let c = 0; c < 2; c++) expect(siSdr(cut.ost[c], whole.ost[c])).toBeGreaterThan(60);
    // By default the range also covers what the segment may grow into, up to the upload's ends.
    const grown = referenceRange(segments);
    expect(grown.end - range.end).toBeGreaterThan(GROW_SECONDS);
    const bounded = referenceRange(segments, { uploadSeconds: 8 });
    expect(bounded.end - range.end).toBeCloseTo(1 * 1.05, 1);
    expect(bounded.start).toBeCloseTo(Math.max(0, range.start - 1.04 * 1.05), 1);
  });

  it('grows a segment the matcher cut short to where the music is heard, and no further', () => {
    // The music lies over 1-7 s (faded in and out); the matcher found only 3-5 s of it.
    const segments = [{ start: 3, end: 5, refStart: 5 + 2 * 1.02, speed: 1.02 }];
    const res = removeReference(mix, SR, ref, segments);
    expect(res.segments[0].start).toBeGreaterThan(0.6);
    expect(res.segments[0].start).toBeLessThan(1.5);
    expect(res.segments[0].end).toBeGreaterThan(6.5);
    expect(res.segments[0].end).toBeLessThan(7.4);
    const short = removeReference(mix, SR, ref, segments, { grow: 0 });
    for (let c = 0; c < 2; c++) {
      expect(siSdr(res.ost[c], ost[c])).toBeGreaterThan(25);
      expect(siSdr(short.ost[c], ost[c])).toBeLessThan(10);
    }
    // Music that is not there does not make a segment grow: the reference 4 s later is another passage.
    const elsewhere = removeReference(ost, SR, ref, [{ ...segments[0], refStart: segments[0].refStart + 4 }]);
    expect(
      elsewhere.segments.length === 0 || elsewhere.segments[0].end - elsewhere.segments[0].start < 2.5,
    ).toBe(true);
  });

  it('rejects malformed input with a stable code', () => {
    expect(() => removeReference([], SR, ref, [])).toThrowError(RemovalError);
    try {
      removeReference([new Float32Array(10), new Float32Array(9)], SR, ref, []);
    } catch (e) {
      expect((e as RemovalError).code).toBe('REMOVAL_BAD_INPUT');
    }
  });
});

describe('alignReference', { timeout: 60_000 }, () => {
  it('recovers a known fractional delay to within a sample', () => {
    const ref = musicLike(12, 3);
    const n = 6 * SR;
    const trueStart = 2.5 * SR + 123.4; // reference sample heard at upload sample 0
    const music = shaped(ref, n + SR, 0, trueStart / SR, 1, 1).map((c) => c.subarray(0, n));
    const mix = add(ostLike(n, 4), music)[0];
    // The matcher is 45 ms off and gives no speed.
    const a = alignReference(mix, ref[0], SR, SR, 5 * SR, trueStart + SR + 0.045 * SR);
    for (const t of [1.5, 3, 4.5]) {
      expect(Math.abs(mapPosition(a.map, t * SR).pos - (trueStart + t * SR))).toBeLessThan(1);
    }
    expect(a.speed).toBeCloseTo(1, 4);
  });
});
