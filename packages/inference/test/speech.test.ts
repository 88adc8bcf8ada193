import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeAudio } from '../src/media';
import { detectSpeech, speechStem } from '../src/speech';

const SOURCES = new URL('../../../.bench/sources/root/usr/share/games/', import.meta.url).pathname;
const SPEECH = `${SOURCES}fillets-ng/sound/briefcase/cs/kd-ufo.ogg`;
const MUSIC = `${SOURCES}colobot/music/music012.ogg`;

describe.skipIf(!existsSync(SPEECH) || !existsSync(MUSIC))('detectSpeech (Silero VAD v5)', () => {
  it('finds speech through most of a dialogue clip and none in music', async () => {
    const [speech] = await decodeAudio(SPEECH, { sampleRate: 44100, channels: 1, durationSeconds: 12 });
    const segs = await detectSpeech(speech, 44100);
    const covered = segs.reduce((s, g) => s + g.end - g.start, 0);
    expect(covered / (speech.length / 44100)).toBeGreaterThan(0.6);
    for (const g of segs) {
      expect(g.end).toBeGreaterThan(g.start);
      expect(g.probability).toBeGreaterThan(0.5);
    }
    const [music] = await decodeAudio(MUSIC, {
      sampleRate: 22050,
      channels: 1,
      startSeconds: 30,
      durationSeconds: 12,
    });
    expect(await detectSpeech(music, 22050)).toEqual([]);
  });
});

describe('speechStem', () => {
  it('keeps the segments, silences the rest and fades at the edges', () => {
    const rate = 8000;
    const x = new Float32Array(rate * 2).fill(0.5);
    const [out] = speechStem([x], rate, [{ start: 0.5, end: 1.0, probability: 0.9 }]);
    expect(out[Math.round(0.75 * rate)]).toBeCloseTo(0.5);
    expect(out[Math.round(0.3 * rate)]).toBe(0);
    expect(out[Math.round(1.5 * rate)]).toBe(0);
    // 20 ms fade just outside each edge: values between 0 and full, changing gradually.
    const edge = Math.round(0.5 * rate);
    expect(out[edge - 40]).toBeGreaterThan(0);
    expect(out[edge - 40]).toBeLessThan(0.5);
    for (let i = edge - 200; i < edge + 10; i++) expect(Math.abs(out[i] - out[i - 1])).toBeLessThan(0.05);
  });
});
