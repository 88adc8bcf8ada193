// The separated second lookup against a real Postgres: music buried under the OST is found through the
// separator's music estimate, and the model runs only when the mixture's own lookup finds nothing.
import path from 'node:path';
import { resample } from '@undub/inference/fingerprint';
import { encodeAudio } from '@undub/inference/media';
import { modelInfo, type Separator } from '@undub/inference/separation';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addMusic, identifyMusic } from '../src/catalog';
import { identifyMusicSeparated } from '../src/catalog/separated-lookup';
import { loadConfig } from '../src/config';
import { openDatabase, type Database } from '../src/db';
import { tempDir } from '../../../packages/inference/test/support/media-fixtures';
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
