// The catalog against a real Postgres and real ffmpeg: adding, identifying, removing, and bad input
// through the `undub` CLI (in process) storing nothing.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { decodeAudio, decodeFrames, encodeAudio } from '@undub/inference/media';
import { DECODE_HEIGHT, DECODE_WIDTH, HASH_FPS } from '@undub/inference/videohash';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogError, addOriginal, identifyMusic, loadMusicReference, matchOriginals } from '../src/catalog';
import { main } from '../src/cli/main';
import { loadConfig } from '../src/config';
import { openDatabase, type Database } from '../src/db';
import { makeVideo, tempDir, truncate } from '../../../packages/inference/test/support/media-fixtures';
import { mix, synthBabble, synthMusic } from '../../../packages/inference/test/support/synth-audio';
import { createTestDatabase, type TestDatabase } from './support/database';

const SR = 22050;
const tmp = tempDir();
const at = (name: string) => path.join(tmp.dir, name);
let testDb: TestDatabase;
let db: Database;
const env = () => ({
  DATABASE_URL: testDb.url,
  UNDUB_DATA_DIR: at('data'),
  UNDUB_MAX_DURATION_SECONDS: '60',
});

beforeAll(async () => {
  testDb = await createTestDatabase();
  Object.assign(process.env, env());
  db = await openDatabase(loadConfig(env()));
  for (let i = 0; i < 3; i++)
    await encodeAudio([synthMusic(40 + i, 30, SR)], SR, at(`m${i}.flac`), { format: 'flac' });
}, 60_000);

afterAll(async () => {
  await db?.close();
  await testDb?.drop();
  tmp.cleanup();
});

/** Runs `undub ...args --json` in process; returns exit status and parsed stdout. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of several commands' shapes
async function undub(...args: string[]): Promise<{ status: number; out: any }> {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((c: string | Uint8Array) => (
    chunks.push(String(c)),
    true
  )) as typeof process.stdout.write;
  const errWrite = process.stderr.write.bind(process.stderr);
  process.stderr.write = (() => true) as typeof process.stderr.write;
  process.exitCode = 0;
  try {
    await main(['node', 'undub', ...args, '--json']);
  } finally {
    process.stdout.write = write;
    process.stderr.write = errWrite;
  }
  const status = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { status, out: JSON.parse(chunks.join('')) };
}

async function rowCounts() {
  const { rows } = await db.pool.query(
    `SELECT (SELECT count(*) FROM "AudioFingerprint")::int AS fp, (SELECT count(*) FROM "VideoHash")::int AS vh,
            (SELECT count(*) FROM "MusicTrack")::int AS music, (SELECT count(*) FROM "OriginalWork")::int AS works`,
  );
  return rows[0] as { fp: number; vh: number; music: number; works: number };
}

describe('music catalog', () => {
  it('adds tracks, identifies an overlaid excerpt with its segment, serves the reference, and removes', async () => {
    for (let i = 0; i < 3; i++) {
      const { status, out } = await undub(
        'catalog',
        'add-music',
        at(`m${i}.flac`),
        '--id',
        `m${i}`,
        '--title',
        `Track ${i}`,
      );
      expect(status).toBe(0);
      expect(out).toMatchObject({ kind: 'music', externalId: `m${i}` });
      expect(out.landmarks).toBeGreaterThan(500);
    }
    const [m1] = await decodeAudio(at('m1.flac'), { sampleRate: SR, channels: 1 });
    const upload = mix(synthBabble(3, 10, SR), m1.slice(8 * SR, 18 * SR), 3);
    const found = await identifyMusic(db, upload, SR);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ musicId: 'm1', title: 'Track 1', speed: 1 });
    expect(found[0].confidence).toBeGreaterThan(0.9);
    expect(found[0].segments[0].refStart - found[0].segments[0].start).toBeCloseTo(8, 0);

    const reference = await loadMusicReference(db, 'm1', 16000);
    expect(reference).toHaveLength(2);
    expect(reference[0].length / 16000).toBeCloseTo(30, 0);

    expect(
      (await undub('catalog', 'list')).out.items.map((i: { externalId: string }) => i.externalId),
    ).toEqual(['m0', 'm1', 'm2']);
    expect(
      (await undub('catalog', 'add-music', at('m1.flac'), '--id', 'm1', '--title', 'again')).out.error.code,
    ).toBe('CATALOG_DUPLICATE');
    expect((await undub('catalog', 'remove', 'm1')).status).toBe(0);
    expect(await identifyMusic(db, upload, SR)).toEqual([]);
    const removeAgain = await undub('catalog', 'remove', 'm1');
    expect(removeAgain).toMatchObject({ status: 1, out: { error: { code: 'CATALOG_NOT_FOUND' } } });
    await expect(loadMusicReference(db, 'm1', 16000)).rejects.toBeInstanceOf(CatalogError);
  }, 60_000);
});

describe('original works', () => {
  it('match a mirrored, re-encoded re-upload by soundtrack and picture; `undub identify` reports both', async () => {
    const ost = mix(synthBabble(11, 12, SR), synthMusic(77, 12, SR), 6);
    await encodeAudio([ost], SR, at('ost.wav'), { format: 'wav' });
    makeVideo(at('work.mp4'), { seconds: 12, audio: at('ost.wav') });
    const added = await addOriginal(db, at('work.mp4'), { externalId: 'w1', title: 'Work one' });
    expect(added.videoFrames).toBeGreaterThan(40);
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-ss',
      '3',
      '-t',
      '6',
      '-i',
      at('work.mp4'),
      '-vf',
      'hflip',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-c:a',
      'aac',
      '-b:a',
      '96k',
      at('reupload.mp4'),
    ]);
    const [mono] = await decodeAudio(at('reupload.mp4'), { sampleRate: 8000, channels: 1 });
    const frames = await decodeFrames(at('reupload.mp4'), {
      fps: HASH_FPS,
      width: DECODE_WIDTH,
      height: DECODE_HEIGHT,
    });
    const matches = await matchOriginals(db, { audio: { mono, sampleRate: 8000 }, frames });
    expect(matches[0]).toMatchObject({ originalId: 'w1', title: 'Work one', video: { mirrored: true } });
    expect(matches[0].confidence).toBeGreaterThan(0.9);
    expect(matches[0].audio.score).toBeGreaterThan(0.9);
    expect(matches[0].video.score).toBeGreaterThan(0.8);
    expect(matches[0].audio.segments[0].refStart - matches[0].audio.segments[0].start).toBeCloseTo(3, 0);

    const { status, out } = await undub('identify', at('reupload.mp4'));
    expect(status).toBe(0);
    expect(out.originals.map((o: { originalId: string }) => o.originalId)).toEqual(['w1']);
    expect(out.music).toEqual([]);
  }, 60_000);
});

describe('bad input stores nothing', () => {
  beforeAll(() => {
    writeFileSync(at('notes.txt'), 'not media at all\n'.repeat(100));
    makeVideo(at('whole.mp4'), { seconds: 3 });
    truncate(at('whole.mp4'), at('truncated.mp4'), 0.5);
    makeVideo(at('silent.mp4'), { seconds: 2, audio: false });
    writeFileSync(at('zero.mp4'), '');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'anullsrc=r=8000',
      '-t',
      '0',
      at('zero.wav'),
    ]);
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'sine=sample_rate=8000',
      '-t',
      '61',
      at('long.wav'),
    ]);
  });

  const cases: [string, string, string, string][] = [
    ['a non-media file', 'add-music', 'notes.txt', 'MEDIA_UNREADABLE'],
    ['a truncated MP4', 'add-original', 'truncated.mp4', 'MEDIA_TRUNCATED'],
    ['a video with no audio track', 'add-original', 'silent.mp4', 'MEDIA_NO_AUDIO'],
    ['an empty file', 'add-music', 'zero.mp4', 'MEDIA_EMPTY'],
    ['a 0-second file', 'add-music', 'zero.wav', 'MEDIA_EMPTY'],
    ['a file longer than the maximum', 'add-music', 'long.wav', 'MEDIA_TOO_LONG'],
  ];
  for (const [what, command, file, code] of cases) {
    it(`rejects ${what} with ${code}, exit status 1 and no rows`, async () => {
      const before = await rowCounts();
      const { status, out } = await undub(
        'catalog',
        command,
        at(file),
        '--id',
        `bad-${file}`,
        '--title',
        'Bad',
      );
      expect(status).toBe(1);
      expect(out.error.code).toBe(code);
      expect(out.error.message).toContain(file);
      expect(await rowCounts()).toEqual(before);
    }, 30_000);
  }

  it('reports bad input to `undub identify` too', async () => {
    const { status, out } = await undub('identify', at('notes.txt'));
    expect(status).toBe(1);
    expect(out.error.code).toBe('MEDIA_UNREADABLE');
  });
});
