import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  fingerprint,
  extractPeaks,
  IDENTITY,
  matchQuery,
  MemoryLandmarkIndex,
  mergePeaks,
  queryFingerprint,
  resample,
  SAMPLE_RATE,
} from '../src/fingerprint';
import { decodeAudio, encodeAudio } from '../src/media';
import { tempDir } from './support/media-fixtures';
import { mix, rms, synthBabble, synthMusic } from './support/synth-audio';

// ffmpeg runs as a child process; on a busy shared machine it can take several seconds.
vi.setConfig({ testTimeout: 60_000 });

const SR = 16000;
const TRACKS = 10;
const tracks = Array.from({ length: TRACKS }, (_, i) => synthMusic(100 + i, 40, SR));
const index = new MemoryLandmarkIndex();
tracks.forEach((t, i) => index.add(i + 1, fingerprint(t, SR)));
const tmp = tempDir();
afterAll(tmp.cleanup);

/** 10 s of track `k` from `start` s, under babble `ratioDb` louder than the music. */
function upload(k: number, start: number, ratioDb: number): Float32Array {
  const music = tracks[k].slice(start * SR, (start + 10) * SR);
  return mix(synthBabble(k + 7, 10, SR), music, ratioDb);
}

describe('resample', () => {
  it('keeps a tone in band and removes what lies above the new Nyquist frequency', () => {
    const n = 44100;
    const low = new Float32Array(n).map((_, i) => Math.sin((2 * Math.PI * 1000 * i) / 44100));
    const high = new Float32Array(n).map((_, i) => Math.sin((2 * Math.PI * 6000 * i) / 44100));
    const a = resample(low, 44100, 8000);
    expect(a.length).toBe(8000);
    expect(rms(a.subarray(100, 7900))).toBeCloseTo(Math.SQRT1_2, 1);
    // 1 kHz at 8 kHz: period of 8 samples.
    expect(a[4000]).toBeCloseTo(a[4008], 2);
    expect(rms(resample(high, 44100, 8000).subarray(100, 7900))).toBeLessThan(0.01);
  });
});

describe('audio fingerprint matching', () => {
  it('names the track, offset and segment of music under louder babble after AAC 96 kb/s', async () => {
    const m4a = path.join(tmp.dir, 'q.m4a');
    await encodeAudio([upload(3, 12, 5)], SR, m4a, { format: 'aac', bitrate: 96_000 });
    const [decoded] = await decodeAudio(m4a, { sampleRate: SR, channels: 1 });
    const matches = await matchQuery(queryFingerprint(decoded, SR), index);
    expect(matches[0]?.key).toBe(4);
    expect(matches[0].confidence).toBeGreaterThan(0.9);
    expect(matches[0].speed).toBe(1);
    const seg = matches[0].segments[0];
    expect(seg.start).toBeLessThan(1.5);
    expect(seg.end).toBeGreaterThan(8.5);
    expect(seg.refStart - seg.start).toBeCloseTo(12, 0);
  });

  it('reads several signals as one query: the mixture with an estimate of its music', async () => {
    const music = tracks[5].slice(20 * SR, 30 * SR);
    const buried = mix(synthBabble(11, 10, SR), music, 30);
    expect((await matchQuery(queryFingerprint(buried, SR), index)).map((m) => m.key)).not.toContain(6);
    const estimate = mix(synthBabble(12, 10, SR), music, -6);
    const matches = await matchQuery(queryFingerprint([buried, estimate], SR), index);
    expect(matches[0]?.key).toBe(6);
    expect(matches[0].segments[0].refStart - matches[0].segments[0].start).toBeCloseTo(20, 0);
    // Merging keeps every peak of the first signal and adds only the second's that it lacks.
    const a = extractPeaks(resample(buried, SR, SAMPLE_RATE));
    const b = extractPeaks(resample(estimate, SR, SAMPLE_RATE));
    const merged = mergePeaks(a, b);
    expect(mergePeaks(a, a)).toEqual(a);
    expect(merged.length).toBeGreaterThan(a.length);
    expect(merged.length).toBeLessThan(a.length + b.length);
    for (const p of a) expect(merged).toContainEqual(p);
  });

  it('finds sped-up music (pitch follows) and reports the speed', async () => {
    const q = upload(6, 20, 0);
    const faster = resample(q, SR, SR / 1.03); // played back at SR: 3% faster and higher
    const matches = await matchQuery(queryFingerprint(faster, SR), index);
    expect(matches[0]?.key).toBe(7);
    expect(matches[0].speed).toBeCloseTo(1.03, 3);
    expect(matches[0].segments[0].refStart - matches[0].segments[0].start * 1.03).toBeCloseTo(20, 0);
  });

  it('reports nothing for music that is not indexed, however loud', async () => {
    for (let seed = 0; seed < 5; seed++) {
      const stranger = synthMusic(900 + seed, 10, SR);
      const matches = await matchQuery(
        queryFingerprint(mix(synthBabble(seed, 10, SR), stranger, -10), SR),
        index,
      );
      expect(matches).toEqual([]);
    }
  });

  it('fingerprints a reference once per frame geometry: same input, same landmarks', () => {
    const a = fingerprint(tracks[0], SR);
    const b = fingerprint(tracks[0], SR);
    expect(a.hashes.length).toBeGreaterThan(30 * 40 * 0.5);
    expect(Array.from(a.hashes)).toEqual(Array.from(b.hashes));
    const q = queryFingerprint(resample(tracks[0], SR, SAMPLE_RATE), SAMPLE_RATE, [IDENTITY]);
    expect(q.lookups[0].landmarks.hashes.length).toBeGreaterThan(a.hashes.length);
  });
});
