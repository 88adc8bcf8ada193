// Repeats of a passage against a real Postgres: a track that plays a passage twice, the second time
// with another part over it, is found in an upload of the second take; whichever repeat the landmarks
// vote for, the match ends up at the take whose waveform the upload holds.
import path from 'node:path';
import { queryFingerprint } from '@undub/inference/fingerprint';
import { encodeAudio } from '@undub/inference/media';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addMusic } from '../src/catalog';
import { lookupMusic } from '../src/catalog/identify';
import { settleRepeat } from '../src/catalog/repeats';
import { loadConfig } from '../src/config';
import { openDatabase, type Database } from '../src/db';
import { tempDir } from '../../../packages/inference/test/support/media-fixtures';
import { mix, synthBabble, synthMusic } from '../../../packages/inference/test/support/synth-audio';
import { createTestDatabase, type TestDatabase } from './support/database';

const SR = 22050;
const tmp = tempDir();
let testDb: TestDatabase;
let db: Database;
let key: number;

// 0-12 s a passage, 12-24 s something else, 24-36 s the passage again with a second part over it.
const passage = synthMusic(60, 12, SR);
const part = synthMusic(61, 12, SR);
const track = new Float32Array(36 * SR);
track.set(passage, 0);
track.set(synthMusic(62, 12, SR), 12 * SR);
track.set(
  passage.map((v, i) => v + 0.5 * part[i]),
  24 * SR,
);
// The upload: 8 s of the second take (from 26 s), under speech.
const upload = mix(synthBabble(7, 8, SR), track.slice(26 * SR, 34 * SR), 0);

beforeAll(async () => {
  testDb = await createTestDatabase();
  const env = { DATABASE_URL: testDb.url, UNDUB_DATA_DIR: path.join(tmp.dir, 'data') };
  Object.assign(process.env, env);
  db = await openDatabase(loadConfig(env));
  const file = path.join(tmp.dir, 'repeat.flac');
  await encodeAudio([track], SR, file, { format: 'flac' });
  await addMusic(db, file, { externalId: 'r', title: 'Repeats' });
  const { rows } = await db.pool.query<{ fingerprintKey: number }>(
    `SELECT "fingerprintKey" FROM "MusicTrack" WHERE "externalId" = 'r'`,
  );
  key = rows[0].fingerprintKey;
}, 60_000);

afterAll(async () => {
  await db?.close();
  await testDb?.drop();
  tmp.cleanup();
});

const refAtZero = (m: { speed: number; segments: { start: number; refStart: number }[] }) =>
  m.segments[0].refStart - m.segments[0].start * m.speed;

it('identifies the take the upload holds, and moves a match voted at the other take there', async () => {
  const { matches } = await lookupMusic(db, upload, SR);
  expect(matches).toHaveLength(1);
  expect(refAtZero(matches[0])).toBeCloseTo(26, 0);

  // The same match placed at the first take (as landmarks may vote: its peaks are all in both).
  const wrong = {
    ...matches[0],
    segments: matches[0].segments.map((s) => ({ ...s, refStart: s.refStart - 24 })),
  };
  expect(refAtZero(wrong)).toBeCloseTo(2, 0);
  const query = queryFingerprint(upload, SR);
  const settled = await settleRepeat(db, upload, SR, query, wrong, key);
  expect(refAtZero(settled)).toBeCloseTo(26, 0);
  // A match already at the right take stays where it is.
  expect(await settleRepeat(db, upload, SR, query, matches[0], key)).toEqual(matches[0]);
}, 60_000);
