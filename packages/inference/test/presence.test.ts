import { describe, expect, it } from 'vitest';
import { resample } from '../src/fingerprint';
import { presenceScore, referencePresence } from '../src/removal';
import { mix, synthBabble, synthMusic } from './support/synth-audio';

const SR = 8000;
const REF_SECONDS = 60;

/** Seconds [at, at + seconds) of `ref` played at `speed` (resampled: pitch follows, as editors do). */
function excerpt(ref: Float32Array, at: number, seconds: number, speed = 1): Float32Array {
  const piece = ref.subarray(Math.round(at * SR), Math.round((at + seconds * speed) * SR) + SR);
  return resample(piece, SR * speed, SR).subarray(0, Math.round(seconds * SR));
}

describe('referencePresence', () => {
  const ref = synthMusic(11, REF_SECONDS, SR);
  const other = synthMusic(12, REF_SECONDS, SR);
  const speech = synthBabble(13, 10, SR);

  it('finds a reference 10 dB under speech at the voted place, and not an unrelated track', () => {
    const upload = mix(speech, excerpt(ref, 25, 10), 10);
    // The matcher's place is only good to a frame or two (32 ms).
    const guess = { from: 0, to: upload.length, refFrom: 25 * SR + 200, speed: 1 };
    const found = referencePresence(upload, ref, SR, guess);
    expect(found.z).toBeGreaterThan(8);
    expect(found.score).toBeGreaterThan(found.nullMean);
    expect(referencePresence(upload, other, SR, guess).z).toBeLessThan(3);
    // The right track at the wrong place is no match either.
    expect(referencePresence(upload, ref, SR, { ...guess, refFrom: 40 * SR }).z).toBeLessThan(3);
  });

  it('does not take a moment of sound two recordings share for the recording', () => {
    // Broadband stand-ins: a reference and an unrelated upload that holds 0.6 s of the reference's audio.
    const noise = (seed: number, seconds: number) => {
      let x = seed;
      return Float32Array.from({ length: seconds * SR }, () => {
        x = (x * 1103515245 + 12345) % 2 ** 31;
        return x / 2 ** 30 - 1;
      });
    };
    const reference = noise(1, 40);
    const upload = noise(2, 4);
    for (let i = 0; i < 0.6 * SR; i++) upload[SR + i] += reference[21 * SR + i];
    const guess = { from: 0, to: upload.length, refFrom: 20 * SR, speed: 1 };
    expect(referencePresence(upload, reference, SR, guess).z).toBeLessThan(4);
    // The reference present throughout the same 4 s, 10 dB under the other sound, is found.
    const present = upload.map((v, i) => v + 0.3 * reference[20 * SR + i]);
    expect(referencePresence(present, reference, SR, guess).z).toBeGreaterThan(8);
  });

  it('follows a speed change the guess gets to within half a percent', () => {
    const upload = mix(speech, excerpt(ref, 20, 10, 1.02), 5);
    const z = (speed: number) =>
      referencePresence(upload, ref, SR, { from: 0, to: upload.length, refFrom: 20 * SR, speed }).z;
    expect(z(1.02)).toBeGreaterThan(8);
    expect(z(1.025)).toBeGreaterThan(4);
  });

  it('screens places: the true one scores far above wrong places of the same track', () => {
    const upload = mix(speech, excerpt(ref, 30, 10, 1.03), 10);
    const score = (at: number) =>
      presenceScore(upload, ref, SR, { from: 0, to: upload.length, refFrom: at * SR, speed: 1.03 });
    const wrong = [5, 12, 45].map(score);
    expect(score(30)).toBeGreaterThan(2 * Math.max(...wrong));
    // Too short to judge: no score rather than a small one.
    expect(presenceScore(upload, ref, SR, { from: 0, to: SR, refFrom: 30 * SR, speed: 1.03 })).toBe(
      -Infinity,
    );
  });

  it('gives no verdict when it cannot judge: too short a segment, a reference without room for its null', () => {
    const upload = mix(speech, excerpt(ref, 25, 10), 0);
    expect(referencePresence(upload, ref, SR, { from: 0, to: 0.5 * SR, refFrom: 25 * SR, speed: 1 }).z).toBe(
      -Infinity,
    );
    const short = ref.subarray(24 * SR, 36 * SR);
    expect(
      referencePresence(upload, short, SR, { from: 0, to: upload.length, refFrom: SR, speed: 1 }).z,
    ).toBe(-Infinity);
  });

  it('reads silence, not garbage, where the guess runs off either end of the reference', () => {
    const upload = mix(speech, excerpt(ref, 0, 10), 0);
    for (const refFrom of [-3 * SR, (REF_SECONDS - 4) * SR]) {
      const p = referencePresence(upload, ref, SR, { from: 0, to: upload.length, refFrom, speed: 1 });
      expect(Number.isFinite(p.score)).toBe(true);
    }
  });
});
