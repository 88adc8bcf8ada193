import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  assertUsable,
  decodeAudio,
  decodeAudioChunks,
  decodeFrames,
  encodeAudio,
  MediaError,
  probeMedia,
  remuxAudio,
} from '../src/media';
import { makeTone, makeVideo, tempDir, truncate } from './support/media-fixtures';

// ffmpeg runs as a child process; on a busy shared machine it can take several seconds.
vi.setConfig({ testTimeout: 60_000 });

const tmp = tempDir();
afterAll(tmp.cleanup);
const at = (name: string) => path.join(tmp.dir, name);

async function errorCode(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MediaError);
  return (err as MediaError).code;
}

describe('probeMedia', () => {
  it('reports streams, codecs and duration', async () => {
    makeVideo(at('clip.mp4'), { seconds: 2 });
    const info = await probeMedia(at('clip.mp4'));
    expect(info.durationSeconds).toBeGreaterThan(1.9);
    expect(info.durationSeconds).toBeLessThan(2.2);
    expect(info.video).toMatchObject({ codec: 'h264', width: 320, height: 180, rotation: 0 });
    expect(info.video!.fps).toBeCloseTo(25, 1);
    expect(info.audio).toMatchObject({ codec: 'aac', sampleRate: 44100, channels: 1 });
    expect(info.sizeBytes).toBeGreaterThan(0);
  });

  it('rejects bad input with stable codes', async () => {
    writeFileSync(at('notes.txt'), 'these are not the droids you are looking for\n'.repeat(50));
    expect(await errorCode(probeMedia(at('notes.txt')))).toBe('MEDIA_UNREADABLE');
    writeFileSync(at('empty.mp4'), '');
    expect(await errorCode(probeMedia(at('empty.mp4')))).toBe('MEDIA_EMPTY');
    expect(await errorCode(probeMedia(at('missing.mp4')))).toBe('MEDIA_NOT_FOUND');
    makeVideo(at('whole.mp4'), { seconds: 2 });
    truncate(at('whole.mp4'), at('cut.mp4'), 0.6);
    expect(await errorCode(probeMedia(at('cut.mp4')))).toBe('MEDIA_TRUNCATED');
  });

  it('assertUsable enforces track presence and duration limits', async () => {
    makeVideo(at('silent.mp4'), { seconds: 1, audio: false });
    const info = await probeMedia(at('silent.mp4'));
    expect(() => assertUsable('silent.mp4', info, { audio: true })).toThrow(/no audio track/);
    expect(() => assertUsable('silent.mp4', info, { video: true, maxDurationSeconds: 0.5 })).toThrow(
      /longer than/,
    );
    expect(() => assertUsable('silent.mp4', info, { video: true, maxDurationSeconds: 5 })).not.toThrow();
  });
});

describe('decodeAudio', () => {
  it('decodes to planar float PCM at the requested rate, also in chunks and from an offset', async () => {
    makeTone(at('tone.wav'), { seconds: 3, frequency: 1000 });
    const [mono] = await decodeAudio(at('tone.wav'), { sampleRate: 8000, channels: 1 });
    expect(mono.length).toBeGreaterThan(23_900);
    expect(mono.length).toBeLessThan(24_100);
    // A 1 kHz tone at 8 kHz repeats every 8 samples.
    expect(mono[1000]).toBeCloseTo(mono[1008], 3);
    const sizes: number[] = [];
    const total = await decodeAudioChunks(
      at('tone.wav'),
      { sampleRate: 8000, channels: 2, chunkSamples: 5000 },
      (c) => {
        expect(c).toHaveLength(2);
        sizes.push(c[0].length);
      },
    );
    expect(total).toBe(mono.length);
    expect(sizes.slice(0, -1).every((s) => s === 5000)).toBe(true);
    const [part] = await decodeAudio(at('tone.wav'), {
      sampleRate: 8000,
      channels: 1,
      startSeconds: 1,
      durationSeconds: 1,
    });
    expect(part.length).toBe(8000);
  });

  it('reports a video without sound and a cut-off file', async () => {
    makeVideo(at('nosound.mp4'), { seconds: 1, audio: false });
    expect(await errorCode(decodeAudio(at('nosound.mp4'), { sampleRate: 8000, channels: 1 }))).toBe(
      'MEDIA_NO_AUDIO',
    );
    makeVideo(at('long.mp4'), { seconds: 3 });
    truncate(at('long.mp4'), at('long-cut.mp4'), 0.5);
    expect(await errorCode(decodeAudio(at('long-cut.mp4'), { sampleRate: 8000, channels: 1 }))).toBe(
      'MEDIA_TRUNCATED',
    );
  });
});

describe('decodeFrames', () => {
  it('returns grayscale frames at the requested rate and size', async () => {
    makeVideo(at('frames.mp4'), { seconds: 2 });
    const out = await decodeFrames(at('frames.mp4'), { fps: 4, width: 32, height: 24 });
    expect(out.frames.length).toBeGreaterThanOrEqual(7);
    expect(out.frames.length).toBeLessThanOrEqual(9);
    expect(out.frames[0]).toHaveLength(32 * 24);
    const distinct = new Set(out.frames[0]);
    expect(distinct.size).toBeGreaterThan(10);
  });
});

describe('encodeAudio and remuxAudio', () => {
  it('round-trips PCM through every format and swaps a video soundtrack without re-encoding the picture', async () => {
    const sr = 16000;
    const left = new Float32Array(sr).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 500 * i) / sr));
    const right = new Float32Array(sr).map((_, i) => 0.25 * Math.sin((2 * Math.PI * 700 * i) / sr));
    for (const format of ['wav', 'flac', 'opus', 'aac'] as const) {
      const file = at(`stem.${format === 'aac' ? 'm4a' : format === 'opus' ? 'ogg' : format}`);
      await encodeAudio([left, right], sr, file, { format });
      const info = await probeMedia(file);
      expect(info.audio?.channels).toBe(2);
      expect(info.durationSeconds).toBeGreaterThan(0.9);
      const [l] = await decodeAudio(file, {
        sampleRate: sr,
        channels: 2,
        startSeconds: 0.2,
        durationSeconds: 0.5,
      });
      let peak = 0;
      for (const v of l) peak = Math.max(peak, Math.abs(v));
      expect(peak).toBeGreaterThan(0.4);
      expect(peak).toBeLessThan(0.6);
    }
    makeVideo(at('picture.mp4'), { seconds: 1 });
    await remuxAudio(at('picture.mp4'), at('stem.wav'), at('remuxed.mp4'));
    const before = await probeMedia(at('picture.mp4'));
    const after = await probeMedia(at('remuxed.mp4'));
    expect(after.video).toEqual(before.video);
    expect(after.audio).toMatchObject({ codec: 'aac', channels: 2 });
  });
});
