import { describe, expect, it } from 'vitest';
import { fftPlan, irfft, rfft, siSdr, stft, istft } from '../src/dsp';

function naiveDft(x: Float64Array): { re: number[]; im: number[] } {
  const n = x.length;
  const re: number[] = [];
  const im: number[] = [];
  for (let k = 0; k <= n / 2; k++) {
    let r = 0;
    let i = 0;
    for (let t = 0; t < n; t++) {
      r += x[t] * Math.cos((-2 * Math.PI * k * t) / n);
      i += x[t] * Math.sin((-2 * Math.PI * k * t) / n);
    }
    re.push(r);
    im.push(i);
  }
  return { re, im };
}

describe('rfft', () => {
  it('matches a direct DFT and inverts exactly', () => {
    const n = 64;
    const x = new Float64Array(n).map((_, i) => Math.sin(i * 0.37) + 0.5 * Math.cos(i * 1.3) + (i % 5) * 0.1);
    const plan = fftPlan(n);
    const re = new Float64Array(n / 2 + 1);
    const im = new Float64Array(n / 2 + 1);
    rfft(plan, x, re, im);
    const ref = naiveDft(x);
    for (let k = 0; k <= n / 2; k++) {
      expect(re[k]).toBeCloseTo(ref.re[k], 9);
      expect(im[k]).toBeCloseTo(ref.im[k], 9);
    }
    const back = new Float64Array(n);
    irfft(plan, re, im, back);
    for (let i = 0; i < n; i++) expect(back[i]).toBeCloseTo(x[i], 9);
  });

  it('rejects sizes that are not powers of two', () => {
    expect(() => fftPlan(100)).toThrow(/power of two/);
  });
});

describe('stft', () => {
  it('reconstructs the signal (SI-SDR above 100 dB)', () => {
    const x = new Float32Array(10_000).map(
      (_, i) => Math.sin(i * 0.05) * Math.exp(-i / 8000) + 0.1 * Math.sin(i * 1.7),
    );
    const y = istft(stft(x, 1024, 256), x.length);
    expect(y.length).toBe(x.length);
    expect(siSdr(y, x)).toBeGreaterThan(100);
  });
});
