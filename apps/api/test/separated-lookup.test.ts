// The separated second lookup and the waveform check against a real Postgres: music buried under the OST
// is found through the separator's music estimate, and the model runs only when the mixture's own lookup
// finds nothing; when neither lookup is sure, the shortlisted candidates' recordings decide.
import path from 'node:path';
import { resample, type FingerprintQuery } from '@undub/inference/fingerprint';
import { encodeAudio } from '@undub/inference/media';
import { modelInfo, type Separator } from '@undub/inference/separation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMusic, addOriginal, identifyMusic } from '../src/catalog';
import { lookupMusic, type MusicLookup, type MusicMatch } from '../src/catalog/identify';
import { identifyMusicSeparated } from '../src/catalog/separated-lookup';
import { confirmByWaveform } from '../src/catalog/waveform-check';
import { loadConfig } from '../src/config';
import { openDatabase, type Database } from '../src/db';
import { makeVideo, tempDir } from '../../../packages/inference/test/support/media-fixtures';
import { mix, synthBabble, synthMusic } from '../../../packages/inference/test/support/synth-audio';
import { createTestDatabase, type TestDatabase } from './support/database';

const SR = 22050;
const tmp = tempDir();
let testDb: TestDatabase;
let db: Database;
const tracks = [0, 1, 2].map((i) => synthMusic(40 + i, 30, SR));

beforeAll(async () => {
  testDb = await createTestDatabase();
  const env = { DATABASE_URL: testDb.url, UNDUB_DATA_DIR: path.join(tmp.dir, 'data') };
  Object.assign(process.env, env);
  db = await openDatabase(loadConfig(env));
  for (let i = 0; i < tracks.length; i++) {
    const file = path.join(tmp.dir, `m${i}.flac`);
    await encodeAudio([tracks[i]], SR, file, { format: 'flac' });
    await addMusic(db, file, { externalId: `m${i}`, title: `Track ${i}` });
  }
}, 60_000);

afterAll(async () => {
  await db?.close();
  await testDb?.drop();
  tmp.cleanup();
});

/** A separator whose music estimate is `music` (at the rate asked), recording the rate of each call. */
function stubSeparator(music: Float32Array, calls: number[]): Separator {
  return {
    info: modelInfo,
    async separate(channels, sampleRate) {
      calls.push(sampleRate);
      const m = resample(music, SR, sampleRate).slice(0, channels[0].length);
      return { music: [m], ost: [channels[0].map((v, i) => v - (m[i] ?? 0))] };
    },
    release: async () => {},
  };
}

it('looks the separated music up when the mixture finds nothing, and only then', async () => {
  const excerpt = tracks[1].slice(8 * SR, 18 * SR);
  const buried = mix(synthBabble(4, 10, SR), excerpt, 40);
  expect(await identifyMusic(db, buried, SR)).toEqual([]);
  const calls: number[] = [];
  const separator = stubSeparator(excerpt, calls);
  const found = await identifyMusicSeparated(db, buried, SR, separator);
  expect(found[0]).toMatchObject({ musicId: 'm1', speed: 1 });
  expect(found[0].segments[0].refStart - found[0].segments[0].start).toBeCloseTo(8, 0);
  expect(calls).toEqual([16000]);

  const audible = mix(synthBabble(5, 10, SR), excerpt, 0);
  expect((await identifyMusicSeparated(db, audible, SR, separator))[0].musicId).toBe('m1');
  expect(calls).toHaveLength(1);
}, 60_000);

/** A separator that hears no music at all: the second lookup is the mixture's again. */
const deafSeparator: Separator = {
  info: modelInfo,
  separate: async (channels) => ({ music: [new Float32Array(channels[0].length)], ost: channels }),
  release: async () => {},
};

it('confirms a weak candidate by its recording when no lookup is sure', async () => {
  const excerpt = tracks[2].slice(12 * SR, 22 * SR);
  const buried = mix(synthBabble(6, 10, SR), excerpt, 12);
  const { matches, shortlist } = await lookupMusic(db, buried, SR);
  expect(matches).toEqual([]);
  // Chance candidates (no landmark support at all) are not worth a check; the weak true one is.
  expect(shortlist.map((s) => s.match.musicId)).toEqual(['m2']);
  const found = await identifyMusicSeparated(db, buried, SR, deafSeparator);
  expect(found).toHaveLength(1);
  expect(found[0]).toMatchObject({ musicId: 'm2', evidence: 'waveform', speed: 1 });
  expect(found[0].confidence).toBeGreaterThan(0.9);
  // Votes are the landmarks that agree on the confirmed place (a lookup's or a re-voted one).
  expect(Number.isInteger(found[0].votes)).toBe(true);
  expect(found[0].votes).toBeGreaterThan(0);
}, 60_000);

describe('the waveform check', () => {
  const excerpt = tracks[2].slice(12 * SR, 22 * SR);
  const buried = mix(synthBabble(6, 10, SR), excerpt, 12);
  const weak = (musicId: string, refStart: number): MusicMatch => ({
    musicId,
    title: musicId,
    confidence: 0.1,
    speed: 1,
    segments: [{ start: 1, end: 6, refStart }],
    votes: 5,
    evidence: 'landmarks',
  });
  /** A lookup that shortlisted `matches`, with the query it looked up or none. */
  const lookupOf = async (matches: MusicMatch[], query?: FingerprintQuery): Promise<MusicLookup> => {
    const { rows } = await db.pool.query<{ externalId: string; fingerprintKey: number }>(
      `SELECT "externalId", "fingerprintKey" FROM "MusicTrack"`,
    );
    const keyOf = new Map(rows.map((r) => [r.externalId, r.fingerprintKey]));
    return {
      matches: [],
      shortlist: matches.map((match) => ({ match, fingerprintKey: keyOf.get(match.musicId) ?? -1 })),
      query,
    };
  };

  it('confirms the place a lookup voted for, and nothing at a wrong place or for a recording that is gone', async () => {
    expect(await confirmByWaveform(db, buried, SR, [await lookupOf([weak('m2', 13)])])).toHaveLength(1);
    const wrong = await lookupOf([weak('m2', 3), weak('m1', 13), weak('gone', 13)]);
    expect(await confirmByWaveform(db, buried, SR, [wrong])).toEqual([]);
  }, 60_000);

  it("finds the true place among a shortlisted track's re-voted places when the lookup voted for a wrong one", async () => {
    const { query } = await lookupMusic(db, buried, SR);
    const found = await confirmByWaveform(db, buried, SR, [await lookupOf([weak('m2', 40)], query)]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ musicId: 'm2', evidence: 'waveform', speed: 1 });
    const [segment] = found[0].segments;
    expect(segment.refStart - segment.start).toBeCloseTo(12, 0);
    // Re-voting another track finds none of its places in the upload.
    expect(await confirmByWaveform(db, buried, SR, [await lookupOf([weak('m1', 13)], query)])).toEqual([]);
  }, 60_000);
});

it("finds music masked by an original work's soundtrack once that soundtrack is removed", async () => {
  // The work's soundtrack: speech-like babble over its own music, dense enough to hide every peak of
  // music 25 dB under it. The upload opens with 5 s of other sound, then re-uses 10 s of the work.
  const ost = mix(synthBabble(21, 20, SR), synthMusic(90, 20, SR), 0);
  const reused = mix(ost.slice(4 * SR, 14 * SR), tracks[0].slice(5 * SR, 15 * SR), 25);
  const upload = new Float32Array(15 * SR);
  upload.set(synthBabble(22, 5, SR).map((v) => v * 0.3));
  upload.set(reused, 5 * SR);
  expect(await identifyMusicSeparated(db, upload, SR, deafSeparator)).toEqual([]);

  await encodeAudio([ost], SR, path.join(tmp.dir, 'ost.flac'), { format: 'flac' });
  const work = path.join(tmp.dir, 'work.mp4');
  makeVideo(work, { seconds: 20, audio: path.join(tmp.dir, 'ost.flac'), size: '160x90' });
  await addOriginal(db, work, { externalId: 'w1', title: 'Work one' });
  const found = await identifyMusicSeparated(db, upload, SR, deafSeparator);
  expect(found).toHaveLength(1);
  expect(found[0]).toMatchObject({ musicId: 'm0', evidence: 'landmarks', beneath: 'w1', speed: 1 });
  expect(found[0].confidence).toBeGreaterThan(0.9);
  // Upload times, although only the stretch the soundtrack was removed from was looked up again.
  expect(found[0].segments[0].start).toBeGreaterThan(4.5);
  expect(found[0].segments[0].refStart - found[0].segments[0].start).toBeCloseTo(0, 0);
  // The soundtrack alone leaves nothing to find.
  expect(await identifyMusicSeparated(db, ost.slice(4 * SR, 14 * SR), SR, deafSeparator)).toEqual([]);
}, 120_000);
