// The analysis pipeline end to end on real media (ffmpeg-made), a real catalog in Postgres and the
// real models: the verdict, the music found, the files written, and bad input.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { probeMedia, decodeAudio } from '@undub/inference/media';
import { loadSeparator, type Separator } from '@undub/inference/separation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeMedia, type E2eMedia } from '../../../test/e2e/media';
import { addMusic, addOriginal } from '../src/catalog';
import { loadConfig, type Config } from '../src/config';
import { openDatabase, type Database } from '../src/db';
import { analyzeFile } from '../src/pipeline/analyze';
import { analysisReport } from '../src/pipeline/report';
import { createTestDatabase, type TestDatabase } from './support/database';

const run = promisify(execFile);
const ff = (...args: string[]) => run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
const repoRoot = path.resolve(import.meta.dirname, '../../..');

let testDb: TestDatabase;
let db: Database;
let config: Config;
let separator: Separator;
let dir: string;
let media: E2eMedia;

beforeAll(async () => {
  testDb = await createTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'undub-analyze-'));
  config = loadConfig({ DATABASE_URL: testDb.url, UNDUB_DATA_DIR: path.join(dir, 'data') });
  db = await openDatabase(config);
  separator = await loadSeparator();
  media = await makeMedia(dir);
  // A tune with many distinct notes (a pseudo-random melody over a bass line), laid over 10 s of the
  // original at about the OST's level: what an infringer does.
  const notes = (rate: number, mul: number, mod: number) => `pow(2,mod(floor(t*${rate})*${mul},${mod})/12)`;
  const tune = `aevalsrc='0.2*sin(2*PI*330*${notes(4, 7, 19)}*t)+0.15*sin(2*PI*110*${notes(2, 5, 13)}*t)+0.08*sin(2*PI*660*${notes(8, 11, 23)}*t)':s=48000:d=40`;
  media.music = path.join(dir, 'melody.wav');
  await ff('-f', 'lavfi', '-i', tune, '-ac', '2', media.music);
  media.upload = path.join(dir, 'melody-upload.mp4');
  await ff(
    '-ss',
    '4',
    '-t',
    '10',
    '-i',
    media.original,
    '-ss',
    '12',
    '-t',
    '10',
    '-i',
    media.music,
    '-filter_complex',
    '[1:a]volume=0.8[m];[0:a][m]amix=inputs=2:duration=first:normalize=0[a]',
    '-map',
    '0:v',
    '-map',
    '[a]',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-b:a',
    '192k',
    media.upload,
  );
  await addMusic(db, media.music, { externalId: 'tune-1', title: 'Tune' });
  await addOriginal(db, media.original, { externalId: 'work-1', title: 'Work' });
}, 180_000);

afterAll(async () => {
  await separator?.release();
  await db?.close();
  await testDb?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const analyze = (file: string, out: string, opts: { restore?: boolean; maxDurationSeconds?: number } = {}) =>
  analyzeFile(
    file,
    {
      db,
      config: { ...config, maxDurationSeconds: opts.maxDurationSeconds ?? config.maxDurationSeconds },
      separator,
    },
    { outDir: path.join(dir, out), restore: opts.restore },
  );

describe('analyzeFile', () => {
  it('judges a re-upload with overlaid catalog music and writes the restored files', async () => {
    const a = await analyze(media.upload, 'reupload');
    expect(a.verdict.verdict).toBe('reupload');
    expect(a.verdict.originalId).toBe('work-1');
    expect(a.musicMatches.map((m) => m.musicId)).toContain('tune-1');
    expect(a.restoration?.provenance.some((p) => p.method === 'reference')).toBe(true);

    const report = analysisReport(a);
    expect(report.bgm.present).toBe(true);
    expect(Object.keys(report.timings)).toEqual(
      expect.arrayContaining([
        'probe',
        'decode',
        'identify_music',
        'remove_bgm',
        'match_originals',
        'decide',
      ]),
    );
    // Stems keep the upload's rate and length; the restored video keeps its picture.
    const upload = await probeMedia(media.upload);
    const ost = await decodeAudio(report.stems.ost!, { sampleRate: a.sampleRate!, channels: 2 });
    const mix = await decodeAudio(media.upload, { sampleRate: a.sampleRate!, channels: 2 });
    expect(Math.abs(ost[0].length - mix[0].length)).toBeLessThan(a.sampleRate! * 0.01);
    expect(existsSync(report.stems.bgm!)).toBe(true);
    const restored = await probeMedia(report.restoredVideo!);
    expect(restored.video?.codec).toBe(upload.video?.codec);
    expect(restored.video?.width).toBe(upload.video?.width);
  });

  it('still judges without restoration (--no-restore) and removes nothing', async () => {
    const a = await analyze(media.upload, 'unrestored', { restore: false });
    expect(['reupload', 'uncertain', 'original']).toContain(a.verdict.verdict);
    expect(a.restoration?.provenance).toEqual([]);
  });

  it('reports catalog music on a new work without calling it a re-upload', async () => {
    const work = path.join(dir, 'new-work.mp4');
    await ff(
      '-f',
      'lavfi',
      '-i',
      'mandelbrot=size=320x180:rate=25',
      '-ss',
      '3',
      '-t',
      '10',
      '-i',
      media.music,
      '-map',
      '0:v',
      '-map',
      '1:a',
      '-t',
      '10',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-b:a',
      '192k',
      work,
    );
    const a = await analyze(work, 'new-work');
    expect(a.verdict.verdict).not.toBe('reupload');
    expect(a.verdict.musicRights.map((m) => m.musicId)).toContain('tune-1');
  });

  it('judges a video without an audio track by its picture', async () => {
    const silent = path.join(dir, 'no-audio.mp4');
    await ff('-ss', '2', '-t', '8', '-i', media.original, '-an', '-c:v', 'copy', silent);
    const a = await analyze(silent, 'no-audio');
    expect(a.verdict.verdict).toBe('reupload');
    expect(a.outputs.ost).toBeNull();
  });

  it('refuses bad media with a clear code', async () => {
    const junk = path.join(dir, 'junk.mp4');
    await writeFile(junk, Buffer.from('this is not a video at all'.repeat(100)));
    await expect(analyze(junk, 'junk')).rejects.toMatchObject({ code: expect.stringMatching(/^MEDIA_/) });

    const empty = path.join(dir, 'empty.mp4');
    await writeFile(empty, Buffer.alloc(0));
    await expect(analyze(empty, 'empty')).rejects.toMatchObject({ code: expect.stringMatching(/^MEDIA_/) });

    await expect(analyze(media.upload, 'too-long', { maxDurationSeconds: 5 })).rejects.toMatchObject({
      code: 'MEDIA_TOO_LONG',
    });
  });
});

describe('undub analyze', () => {
  it('prints a JSON error and exits non-zero for a corrupt file', async () => {
    const junk = path.join(dir, 'junk2.mp4');
    await writeFile(junk, Buffer.from('garbage'.repeat(50)));
    const result = await run(
      'node',
      ['apps/api/bin/undub.mjs', 'analyze', junk, '--out', path.join(dir, 'cli'), '--json'],
      {
        cwd: repoRoot,
        env: { ...process.env, DATABASE_URL: testDb.url, UNDUB_DATA_DIR: path.join(dir, 'data') },
      },
    ).then(
      () => ({ code: 0, stdout: '' }),
      (err: { code: number; stdout: string }) => err,
    );
    expect(result.code).not.toBe(0);
    expect(JSON.parse(result.stdout).error.code).toMatch(/^MEDIA_/);
  });
});
