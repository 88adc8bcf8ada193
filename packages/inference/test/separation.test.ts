import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { siSdr } from '../src/dsp';
import { decodeAudio } from '../src/media';
import {
  defaultModelPath,
  loadSeparator,
  modelInfo,
  SeparationError,
  type Separator,
} from '../src/separation';
import { separateHpss } from '../src/separation/baseline';

const SOURCES = new URL('../../../.bench/sources/root/usr/share/games/', import.meta.url).pathname;
// Both files are in the 'validation' split (packages/inference/training/sources.py), never trained on.
const SPEECH = `${SOURCES}fillets-ng/sound/briefcase/cs/kd-ufo.ogg`;
const MUSIC = `${SOURCES}colobot/music/music012.ogg`;

let separator: Separator;
beforeAll(async () => {
  separator = await loadSeparator();
});

function noise(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

describe('separation model', () => {
  it('is the committed file named by modelInfo', () => {
    const sha = createHash('sha256').update(readFileSync(defaultModelPath)).digest('hex');
    expect(sha).toBe(modelInfo.sha256);
  });

  it('keeps rate, channel count and length for odd inputs, and the stems add up to the input', async () => {
    const rate = 44100;
    const n = Math.round(7.3 * rate) + 1;
    const left = noise(n, 1).map((v, i) => 0.3 * v + 0.2 * Math.sin(i * 0.05));
    const right = noise(n, 2).map((v) => 0.2 * v);
    const { ost, music } = await separator.separate([left, right], rate);
    expect(ost).toHaveLength(2);
    expect(music).toHaveLength(2);
    for (let c = 0; c < 2; c++) {
      expect(ost[c].length).toBe(n);
      expect(music[c].length).toBe(n);
      const input = c === 0 ? left : right;
      let err = 0;
      for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(ost[c][i] + music[c][i] - input[i]));
      expect(err).toBeLessThan(1e-5);
      expect(ost[c].some((v) => v !== 0)).toBe(true);
    }
  }, 30_000);

  it('leaves no clicks at chunk boundaries', async () => {
    // A steady tone through 3 chunks: a step or jump where chunks join would leave a large residual
    // after the second-order filter that cancels the pure tone.
    const rate = 16000;
    const n = 41 * rate;
    const w = (2 * Math.PI * 441) / rate;
    const tone = Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin(w * i));
    const { ost, music } = await separator.separate([tone], rate);
    for (const x of [ost[0], music[0]]) {
      const residual = (i: number) => Math.abs(x[i] - 2 * Math.cos(w) * x[i - 1] + x[i - 2]);
      let atJoins = 0;
      let inside = 0;
      for (let i = rate; i < n - rate; i++) {
        const t = i / rate;
        const nearJoin = (t > 18.5 && t < 20.5) || (t > 37.5 && t < 39.5);
        if (nearJoin) atJoins = Math.max(atJoins, residual(i));
        else inside = Math.max(inside, residual(i));
      }
      expect(atJoins).toBeLessThan(2 * inside + 1e-3);
    }
  }, 30_000);

  it('rejects bad input with a stable code', async () => {
    await expect(separator.separate([], 48000)).rejects.toBeInstanceOf(SeparationError);
    await expect(
      separator.separate([new Float32Array(10), new Float32Array(9)], 48000),
    ).rejects.toMatchObject({
      code: 'SEPARATION_BAD_INPUT',
    });
    await expect(separator.separate([new Float32Array(10)], Number.NaN)).rejects.toMatchObject({
      code: 'SEPARATION_BAD_INPUT',
    });
    await expect(loadSeparator('/nonexistent/model.onnx')).rejects.toMatchObject({
      code: 'SEPARATION_MODEL_MISSING',
    });
  });

  it.skipIf(!existsSync(SPEECH) || !existsSync(MUSIC))(
    'restores speech from a real validation speech + music mix at 0 dB better than the mixture and the baseline',
    async () => {
      const rate = 22050;
      const opts = { sampleRate: rate, channels: 2, durationSeconds: 8 };
      const speech = await decodeAudio(SPEECH, opts);
      const music = await decodeAudio(MUSIC, { ...opts, startSeconds: 30 });
      const n = Math.min(speech[0].length, music[0].length);
      const energy = (xs: Float32Array[]) =>
        xs.reduce((s, c) => s + c.subarray(0, n).reduce((a, v) => a + v * v, 0), 0);
      const g = Math.sqrt(energy(speech) / energy(music));
      const mix = speech.map((c, ch) => c.subarray(0, n).map((v, i) => v + g * music[ch][i]));
      const { ost } = await separator.separate(mix, rate);
      const flat = (xs: Float32Array[]) => {
        const out = new Float32Array(2 * n);
        xs.forEach((c, i) => out.set(c.subarray(0, n), i * n));
        return out;
      };
      const before = siSdr(flat(mix), flat(speech));
      const after = siSdr(flat(ost), flat(speech));
      const baseline = siSdr(flat(separateHpss(mix, rate).ost), flat(speech));
      expect(after - before).toBeGreaterThan(6);
      expect(after).toBeGreaterThan(baseline);
    },
    30_000,
  );
});
