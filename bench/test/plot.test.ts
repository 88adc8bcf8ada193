import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { linePlot, lineSvg } from '../src/plot';

const dir = await mkdtemp(join(tmpdir(), 'bench-plot-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('linePlot', () => {
  it('writes a 720x420 PNG', async () => {
    const file = await linePlot(join(dir, 'a.png'), {
      title: 'growth <& test>',
      xLabel: 'tracks',
      yLabel: 'ms',
      logX: true,
      series: [
        {
          name: 'median',
          points: [
            [1000, 5],
            [10000, 9],
            [100000, 30],
          ],
        },
      ],
    });
    const dims = execFileSync('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'stream=codec_name,width,height',
      '-of',
      'csv=p=0',
      file,
    ]);
    expect(dims.toString().trim()).toBe('png,720,420');
  });

  it('escapes text and refuses a chart without finite points', () => {
    const svg = lineSvg({
      title: 'a<b',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          name: 's',
          points: [
            [0, 1],
            [1, 2],
          ],
        },
      ],
    });
    expect(svg).toContain('a&lt;b');
    expect(() =>
      lineSvg({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 's', points: [[0, Number.NaN]] }] }),
    ).toThrow(/BENCH_PLOT_EMPTY/);
  });
});
