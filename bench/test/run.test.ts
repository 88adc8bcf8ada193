import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadManifest, type Manifest } from '../src/manifest';

const run = promisify(execFile);
const dir = await mkdtemp(join(tmpdir(), 'bench-run-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const empty: Manifest = {
  version: 1,
  seed: 1,
  sampleRate: 48000,
  options: {
    seed: 1,
    originals: 0,
    catalogShare: 0.6,
    reuploadsPerRatio: 0,
    cleanPerTransform: 0,
    newWorks: 0,
    edgePerCase: 0,
    quietMusic: 0,
    excerpts: 0,
    uploadSeconds: 10,
  },
  music: [],
  originals: [],
  uploads: [],
  musicExcerpts: [],
};

function bench(args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'src/run.ts', ...args], {
    cwd: join(import.meta.dirname, '..'),
  });
}

describe('runner', () => {
  it('runs the named suite and writes one JSON and one Markdown report', async () => {
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(empty));
    await bench(['--suite', 'dataset', '--data', dir, '--out', join(dir, 'out')]);
    const report = JSON.parse(await readFile(join(dir, 'out/latest.json'), 'utf8'));
    expect(report.command).toContain('--suite dataset');
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(Object.keys(report.suites)).toEqual(['dataset']);
    expect(report.suites.dataset.error).toBeUndefined();
    expect(report.suites.dataset.figures.uploads.total).toBe(0);
    const md = await readFile(join(dir, 'out/latest.md'), 'utf8');
    expect(md).toContain('## dataset');
  }, 30_000);

  it('refuses an unknown suite with a clear error', async () => {
    await expect(bench(['--suite', 'nosuch', '--data', dir])).rejects.toMatchObject({
      stderr: expect.stringContaining('BENCH_NO_SUITE'),
    });
  }, 30_000);

  it('says how to get a manifest when there is none', async () => {
    await expect(loadManifest(join(dir, 'none/manifest.json'))).rejects.toThrow(
      /BENCH_NO_MANIFEST.*bench:build/,
    );
  });
});
