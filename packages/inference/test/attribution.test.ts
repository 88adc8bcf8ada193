import { describe, expect, it } from 'vitest';
import { attributeMusic, type Frames } from '../src/attribution';

const SR = 16000;
const FPS = 10;

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Music with percussive hits at the given times (seconds) over a quiet tone. */
function hits(times: number[], seconds: number): Float32Array {
  const x = new Float32Array(seconds * SR);
  const rnd = random(9);
  for (let i = 0; i < x.length; i++) x[i] = 0.02 * Math.sin((2 * Math.PI * 330 * i) / SR);
  for (const t of times) {
    const at = Math.round(t * SR);
    for (let i = 0; i < 0.08 * SR && at + i < x.length; i++)
      x[at + i] += (rnd() - 0.5) * Math.exp(-i / (0.015 * SR));
  }
  return x;
}

/** A picture that cuts to a new flat shade at each given time, with a little sensor noise. */
function cutsAt(times: number[], seconds: number): Frames {
  const rnd = random(4);
  const width = 32;
  const height = 18;
  const frames: Uint8Array[] = [];
  let shade = 60;
  let next = 0;
  for (let f = 0; f < seconds * FPS; f++) {
    if (next < times.length && f >= Math.round(times[next] * FPS)) {
      shade = 30 + Math.floor(rnd() * 190);
      next++;
    }
    frames.push(Uint8Array.from({ length: width * height }, () => shade + Math.floor(rnd() * 3)));
  }
  return { fps: FPS, width, height, frames };
}

const seconds = 20;
const rnd = random(1);
const cutTimes = Array.from({ length: 14 }, (_, i) => 0.7 + i * 1.37 + rnd() * 0.3);
const otherTimes = Array.from({ length: 14 }, (_, i) => 0.3 + i * 1.41 + rnd() * 0.5);

describe('attributeMusic', () => {
  it('keeps music whose onsets land on the cuts (it follows the video)', () => {
    const [a] = attributeMusic({
      music: hits(cutTimes, seconds),
      sampleRate: SR,
      segments: [{ start: 0, end: seconds }],
      frames: cutsAt(cutTimes, seconds),
    });
    expect(a.decision).toBe('original_music');
    expect(a.reason).toBe('follows_video');
    expect(a.videoSync!.z).toBeGreaterThan(4);
    expect(a.videoSync!.events).toBeGreaterThanOrEqual(10);
    expect(a.keep).toEqual([{ start: 0, end: seconds }]);
  });

  it('lets overlaid music go when its onsets ignore the cuts', () => {
    const [a] = attributeMusic({
      music: hits(otherTimes, seconds),
      sampleRate: SR,
      segments: [{ start: 0, end: seconds }],
      frames: cutsAt(cutTimes, seconds),
    });
    expect(a.decision).toBe('overlay');
    expect(a.reason).toBe('no_evidence');
    expect(a.videoSync!.z).toBeLessThan(4);
    expect(a.keep).toEqual([]);
  });

  it("keeps exactly the parts that match the original's soundtrack, and reports the share", () => {
    const result = attributeMusic({
      music: hits(otherTimes, seconds),
      sampleRate: SR,
      segments: [
        { start: 0, end: 10 },
        { start: 12, end: 20 },
      ],
      originalSoundtrack: [{ start: 5, end: 14 }],
    });
    expect(result[0].decision).toBe('original_music');
    expect(result[0].soundtrackMatch).toBeCloseTo(0.5, 5);
    expect(result[0].keep).toEqual([{ start: 5, end: 10 }]);
    expect(result[1].keep).toEqual([{ start: 12, end: 14 }]);
    expect(result[1].videoSync).toBeNull();
  });
});
