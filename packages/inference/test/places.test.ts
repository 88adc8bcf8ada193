// Re-voting one stored item's landmarks: the true place of a buried, sped-up excerpt comes out under its
// speed hypothesis with the stretch its votes cover, and the places kept are distinct.
import { describe, expect, it } from 'vitest';
import { bestPlaces, fingerprint, FRAME_SECONDS, queryFingerprint, resample } from '../src/fingerprint';
import { mix, synthBabble, synthMusic } from './support/synth-audio';

const SR = 8000;

describe('bestPlaces', () => {
  const ref = synthMusic(21, 60, SR);
  const lm = fingerprint(ref, SR);
  const item = { hash: lm.hashes, t: lm.times };
  // 10 s of the reference from 20 s, played 2% fast (resampled: the pitch follows), under speech.
  const piece = ref.subarray(20 * SR, 31 * SR);
  const upload = mix(synthBabble(22, 10, SR), resample(piece, SR * 1.02, SR).subarray(0, 10 * SR), 0);
  const places = bestPlaces(queryFingerprint(upload, SR).lookups, item, 3);

  it('puts the true place first, under the true speed, with the stretch its votes cover', () => {
    const [top] = places;
    expect(top.hypothesis).toMatchObject({ speed: 1.02, pitchFollows: true });
    expect(Math.abs(top.offsetFrames - 20 / FRAME_SECONDS)).toBeLessThanOrEqual(2);
    expect(top.from).toBeGreaterThanOrEqual(0);
    expect(top.to).toBeLessThanOrEqual((10 * 1.02) / FRAME_SECONDS + 64);
    expect(top.to - top.from).toBeGreaterThan(5 / FRAME_SECONDS);
    expect(top.votes).toBeGreaterThan(
      3 * places.find((p) => p.hypothesis === top.hypothesis && p !== top)!.votes,
    );
  });

  it('keeps up to the number asked per hypothesis, distinct and most voted first', () => {
    const byHypothesis = new Map<unknown, typeof places>();
    for (const p of places) byHypothesis.set(p.hypothesis, [...(byHypothesis.get(p.hypothesis) ?? []), p]);
    expect(byHypothesis.size).toBe(13);
    for (const list of byHypothesis.values()) {
      expect(list.length).toBeLessThanOrEqual(3);
      for (let i = 1; i < list.length; i++) {
        expect(Math.abs(list[i].offsetFrames - list[0].offsetFrames)).toBeGreaterThanOrEqual(16);
      }
    }
    for (let i = 1; i < places.length; i++) expect(places[i].votes).toBeLessThanOrEqual(places[i - 1].votes);
  });

  it('finds nothing in an item with no shared landmarks', () => {
    expect(
      bestPlaces(queryFingerprint(upload, SR).lookups, { hash: new Int32Array(0), t: new Int32Array(0) }, 3),
    ).toEqual([]);
  });
});
