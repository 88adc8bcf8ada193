import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../src/ffmpeg';
import { readWav, writeWav } from '../src/wav';

const dir = await mkdtemp(join(tmpdir(), 'bench-wav-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('wav IO', () => {
  it('round-trips 16-bit stereo within one quantisation step and clips overs', async () => {
    const left = new Float32Array([0, 0.5, -0.5, 0.123, 1.5]);
    const right = new Float32Array([0.25, -0.25, 0.1, 0, -2]);
    const file = join(dir, 'a.wav');
    await writeWav(file, { sampleRate: 48000, channels: [left, right] });
    const back = await readWav(file);
    expect(back.sampleRate).toBe(48000);
    expect(back.channels).toHaveLength(2);
    const expectL = [0, 0.5, -0.5, 0.123, 1];
    const expectR = [0.25, -0.25, 0.1, 0, -1];
    back.channels[0].forEach((x, i) => expect(Math.abs(x - expectL[i])).toBeLessThan(1 / 32767));
    back.channels[1].forEach((x, i) => expect(Math.abs(x - expectR[i])).toBeLessThan(1 / 32767));
  });

  it('writes files ffmpeg decodes to the same samples', async () => {
    const tone = new Float32Array(4800).map((_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / 48000));
    const file = join(dir, 'tone.wav');
    await writeWav(file, { sampleRate: 48000, channels: [tone, tone] });
    const decoded = await decodeAudio(file);
    expect(decoded[0].length).toBe(4800);
    expect(Math.abs(decoded[1][1234] - tone[1234])).toBeLessThan(1e-4);
  });

  it('rejects a file that is not a wav', async () => {
    const file = join(dir, 'bad.wav');
    await writeFile(file, 'not audio at all');
    await expect(readWav(file)).rejects.toThrow(/BENCH_BAD_WAV/);
  });
});
