import { describe, expect, it } from 'vitest';
import { changeSpeed } from '../src/build/shape';
import { Rng } from '../src/build/rng';
import {
  bySiSdrRatio,
  ceilingOf,
  markdownTable,
  median,
  percentile,
  siSdrStereo,
  summarize,
} from '../src/score';

describe('scoring helpers', () => {
  it('computes interpolated percentiles and ignores non-finite values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(percentile([0, 10], 25)).toBe(2.5);
    expect(median([1, Number.NaN, 3])).toBe(2);
    expect(Number.isNaN(median([]))).toBe(true);
    expect(summarize([1, 2, 3, 4]).n).toBe(4);
  });

  it('gives a perfect ceiling when the true BGM is subtracted from an uncoded mix', () => {
    const ost = [
      new Float32Array(1000).map((_, i) => Math.sin(i / 7)),
      new Float32Array(1000).map((_, i) => Math.cos(i / 5)),
    ];
    const bgm = [
      new Float32Array(1000).map((_, i) => Math.sin(i / 3)),
      new Float32Array(1000).map((_, i) => Math.sin(i / 11)),
    ];
    const mix = ost.map((c, ch) => c.map((x, i) => x + bgm[ch][i]));
    expect(siSdrStereo(ceilingOf(mix, bgm), ost)).toBeGreaterThan(100);
    expect(siSdrStereo(mix, ost)).toBeLessThan(10);
  });

  it('formats Markdown tables', () => {
    expect(
      markdownTable(
        ['a', 'b'],
        [
          ['x', 1.234],
          ['y', Number.NaN],
        ],
      ),
    ).toBe('| a | b |\n| --- | --- |\n| x | 1.2 |\n| y | – |\n');
  });

  it('groups SI-SDR rows by ratio into figures and a table', () => {
    const { figures, table } = bySiSdrRatio([
      { ratioDb: 0, siSdr: 20, mixtureSiSdr: 0, ceilingSiSdr: 30 },
      { ratioDb: 0, siSdr: 22, mixtureSiSdr: 1 },
      { ratioDb: -10, siSdr: 10, mixtureSiSdr: -10 },
    ]);
    expect(Object.keys(figures)).toEqual(['0dB', '-10dB']);
    expect(table).toContain('| -10 dB | 1 | 10.0 |');
  });
});

describe('builder primitives', () => {
  it('draws the same stream for the same seed and key, another for another key', () => {
    const a = new Rng(1, 'x');
    const b = new Rng(1, 'x');
    const c = new Rng(1, 'y');
    const xs = [a.next(), a.next(), a.next()];
    expect([b.next(), b.next(), b.next()]).toEqual(xs);
    expect(c.next()).not.toBe(xs[0]);
  });

  it('changes speed by resampling: a 3% faster tone is 3% shorter and 3% higher', () => {
    const n = 48000;
    const tone = new Float32Array(n).map((_, i) => Math.sin((2 * Math.PI * 1000 * i) / 48000));
    const [fast] = changeSpeed([tone], 1.03);
    expect(Math.abs(fast.length - n / 1.03)).toBeLessThan(2);
    let crossings = 0;
    for (let i = 1; i < fast.length; i++) if (fast[i - 1] < 0 && fast[i] >= 0) crossings++;
    expect(Math.abs(crossings / (fast.length / 48000) - 1030)).toBeLessThan(3);
  });
});
