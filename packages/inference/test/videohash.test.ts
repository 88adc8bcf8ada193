import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeFrames } from '../src/media';
import {
  DECODE_HEIGHT,
  DECODE_WIDTH,
  fromBigInt,
  hamming,
  HASH_FPS,
  hashFrame,
  hashFrames,
  hashVideoFile,
  matchSequences,
  toBigInt,
  type FrameHashes,
} from '../src/videohash';
import { tempDir } from './support/media-fixtures';

// ffmpeg runs as a child process; on a busy shared machine it can take several seconds.
vi.setConfig({ testTimeout: 60_000 });

const tmp = tempDir();
afterAll(tmp.cleanup);
const at = (name: string) => path.join(tmp.dir, name);
const ff = (args: string[]) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...args]);

const SOURCES = [
  'mandelbrot=s=320x180:r=25:start_x=-0.75:start_scale=2.5',
  'testsrc2=s=320x180:r=25',
  'testsrc=s=320x180:r=25',
];
const refs: FrameHashes[] = [];

beforeAll(async () => {
  for (let i = 0; i < SOURCES.length; i++) {
    ff([
      '-f',
      'lavfi',
      '-i',
      SOURCES[i],
      '-t',
      '8',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      at(`o${i}.mp4`),
    ]);
    refs.push(await hashVideoFile(at(`o${i}.mp4`)));
  }
}, 60_000);

async function queryOf(i: number, vf: string): Promise<FrameHashes> {
  const file = at(`q${i}-${vf.replace(/\W+/g, '_')}.mp4`);
  ff([
    '-ss',
    '2',
    '-t',
    '4',
    '-i',
    at(`o${i}.mp4`),
    '-vf',
    vf,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-crf',
    '28',
    file,
  ]);
  const frames = await decodeFrames(file, { fps: HASH_FPS, width: DECODE_WIDTH, height: DECODE_HEIGHT });
  return hashFrames(frames, { crops: true });
}

describe('frame hashes', () => {
  it('give a mirror hash equal to the hash of the mirrored frame, and round-trip through bigint', () => {
    const w = 80; // the centre region then falls on whole pixels, so the mirror is exact
    const frame = new Uint8Array(w * w).map(
      (_, k) => ((k % w) * 3 + Math.floor(k / w) * 2 + ((k * 7) % 13)) & 255,
    );
    const flipped = frame.map((_, k) => frame[Math.floor(k / w) * w + (w - 1 - (k % w))]);
    const a = hashFrame(frame, w, w);
    const b = hashFrame(flipped, w, w);
    // Equal up to coefficients that sit on the median (summation order differs).
    expect(hamming(b.hi, b.lo, a.mirrorHi, a.mirrorLo)).toBeLessThanOrEqual(6);
    expect(hamming(b.hi, b.lo, a.hi, a.lo)).toBeGreaterThan(12);
    expect(fromBigInt(toBigInt(a.hi, a.lo))).toEqual([a.hi, a.lo]);
    const brighter = frame.map((v) => Math.min(255, Math.round(v * 0.8 + 30)));
    const c = hashFrame(brighter, w, w);
    expect(hamming(c.hi, c.lo, a.hi, a.lo)).toBeLessThanOrEqual(2);
  });
});

describe('sequence matching', () => {
  const transforms: Record<string, string> = {
    rescale540: 'scale=-2:540',
    crop10: 'crop=w=trunc(iw*0.9/2)*2:h=trunc(ih*0.9/2)*2:x=iw*0.02:y=ih*0.07',
    mirror: 'hflip',
    brightness: 'eq=brightness=0.08:contrast=0.9',
    speed: 'setpts=PTS/1.03,fps=25',
  };
  for (const [name, vf] of Object.entries(transforms)) {
    it(`finds the original and its time offset after ${name}`, async () => {
      for (let i = 0; i < SOURCES.length; i++) {
        const q = await queryOf(i, vf);
        const scores = refs.map((r) => matchSequences(q, r)?.score ?? 0);
        const best = matchSequences(q, refs[i])!;
        // Fast motion sampled 4 times a second loses some frames to a crop or a speed change (and fine
        // textures such as lavfi's game of life lose more); unrelated works stay far below.
        expect(best.score).toBeGreaterThan(0.5);
        expect(Math.max(...scores.filter((_, k) => k !== i))).toBeLessThan(0.2);
        expect(best.mirrored).toBe(name === 'mirror');
        // The upload starts 2 s into the original (slow-moving pictures allow some slack).
        expect(Math.abs(best.offsetSeconds - 2)).toBeLessThan(1);
      }
    }, 60_000);
  }
});
