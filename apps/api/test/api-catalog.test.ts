// Catalog changes through the API, indexed by a real worker: added entries get fingerprints and
// frame hashes, removals take them away, and every change is in the audit log.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCatalogIndexHandlers } from '../src/services/catalog-index';
import { createStorage } from '../src/storage';
import { startWorker, type Worker } from '../src/worker';
import {
  codeOf,
  makeVideo,
  multipart,
  startTestApi,
  type Data,
  type TenantWorld,
  type TestApi,
} from './support/api';
import { insertVerdict } from './support/api-fixtures';

let t: TestApi;
let acme: TenantWorld;
let worker: Worker;

beforeAll(async () => {
  t = await startTestApi();
  acme = await t.tenant('acme');
  registerCatalogIndexHandlers();
  worker = await startWorker({
    db: t.db,
    storage: createStorage(t.config),
    config: { ...t.config, queuePollSeconds: 0.5 },
    workerId: 'test-worker',
  });
});
afterAll(async () => {
  await worker?.stop(5);
  await t?.close();
});

async function waitIndexed(
  query: string,
  pick: (d: Data) => { indexedAt: string | null; job: { status: string } },
) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await t.gql(acme.keys.admin, query);
    const entry = pick(r.data!);
    if (entry.job.status === 'SUCCEEDED' || entry.job.status === 'FAILED' || Date.now() > deadline)
      return entry;
    await new Promise((res) => setTimeout(res, 250));
  }
}

describe('catalog through the API', () => {
  it('adds music, which the worker fingerprints; removing it removes the fingerprints', async () => {
    const file = path.join(t.dataDir, 'song.wav');
    await promisify(execFile)('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'anoisesrc=d=4:c=pink:seed=7',
      file,
    ]);
    const added = await multipart(
      t.url,
      acme.keys.admin,
      'mutation ($f: File) { addMusicTrack(input: { file: $f, externalId: "song-1", title: "Song", artist: "Band" }) { id indexedAt job { kind status } } }',
      { f: null },
      'f',
      { bytes: await readFile(file), name: 'song.wav' },
    );
    expect(added.errors).toBeUndefined();
    const { id } = added.data!.addMusicTrack;
    expect(added.data!.addMusicTrack).toMatchObject({ indexedAt: null, job: { kind: 'INDEX_MUSIC' } });
    const indexed = await waitIndexed(
      `{ musicTrack(id: "${id}") { indexedAt job { status errorMessage } } }`,
      (d) => d.musicTrack,
    );
    expect(indexed.job.status).toBe('SUCCEEDED');
    expect(indexed.indexedAt).not.toBeNull();
    const track = await t.db.prisma.musicTrack.findUniqueOrThrow({ where: { id } });
    const stored = await t.db.prisma.audioFingerprint.findUniqueOrThrow({
      where: { source_sourceKey: { source: 1, sourceKey: track.fingerprintKey } },
    });
    expect(stored.count).toBeGreaterThan(50);

    expect(codeOf(await t.gql(acme.keys.moderator, `mutation { removeMusicTrack(id: "${id}") }`))).toBe(
      'FORBIDDEN',
    );
    expect(
      (await t.gql(acme.keys.admin, `mutation { removeMusicTrack(id: "${id}") }`)).data!.removeMusicTrack,
    ).toBe(true);
    expect(
      await t.db.prisma.audioFingerprint.count({ where: { source: 1, sourceKey: track.fingerprintKey } }),
    ).toBe(0);
    expect((await t.gql(acme.keys.admin, `{ musicTrack(id: "${id}") { id } }`)).data!.musicTrack).toBeNull();
    const audit = await t.gql(
      acme.keys.admin,
      `{ auditEvents(filter: { subject: "music:${id}" }) { nodes { action } } }`,
    );
    expect(audit.data!.auditEvents.nodes.map((n: { action: string }) => n.action)).toEqual([
      'catalog.music_removed',
      'catalog.music_indexed',
      'catalog.music_added',
    ]);
  });

  it('adds an original work with frame hashes; removing it keeps the verdicts that named it', async () => {
    const video = await readFile(await makeVideo(path.join(t.dataDir, 'work.mp4'), 3));
    const added = await multipart(
      t.url,
      acme.keys.admin,
      'mutation ($f: File) { addOriginalWork(input: { file: $f, externalId: "work-1", title: "Work", owner: "Studio" }) { id owner videoUrl } }',
      { f: null },
      'f',
      { bytes: video, name: 'work.mp4' },
    );
    expect(added.errors).toBeUndefined();
    const { id, videoUrl } = added.data!.addOriginalWork;
    expect((await fetch(videoUrl, { headers: { range: 'bytes=0-9' } })).status).toBe(206);
    const indexed = await waitIndexed(
      `{ originalWork(id: "${id}") { indexedAt job { status errorMessage } } }`,
      (d) => d.originalWork,
    );
    expect(indexed.job.status).toBe('SUCCEEDED');
    const work = await t.db.prisma.originalWork.findUniqueOrThrow({ where: { id } });
    expect(await t.db.prisma.videoHash.count({ where: { workKey: work.fingerprintKey } })).toBeGreaterThan(5);

    const { verdict } = await insertVerdict(t.db.prisma, acme.tenantId, {
      verdict: 'reupload',
      originalWorkId: id,
    });
    expect(
      (await t.gql(acme.keys.admin, `mutation { removeOriginalWork(id: "${id}") }`)).data!.removeOriginalWork,
    ).toBe(true);
    expect(await t.db.prisma.videoHash.count({ where: { workKey: work.fingerprintKey } })).toBe(0);
    const kept = await t.gql(
      acme.keys.moderator,
      `{ verdict(id: "${verdict.id}") { id originalWork { id } } }`,
    );
    expect(kept.data!.verdict).toEqual({ id: verdict.id, originalWork: null });
  });

  it('refuses bad catalog input with codes', async () => {
    const both = await t.gql(
      acme.keys.admin,
      'mutation { addMusicTrack(input: { externalId: "x", title: "t" }) { id } }',
    );
    expect(codeOf(both)).toBe('BAD_USER_INPUT');
    const text = await multipart(
      t.url,
      acme.keys.admin,
      'mutation ($f: File) { addMusicTrack(input: { file: $f, externalId: "x", title: "t" }) { id } }',
      { f: null },
      'f',
      { bytes: Buffer.from('not audio at all\n'.repeat(20)), name: 'x.wav' },
    );
    expect(codeOf(text)).toBe('UNSUPPORTED_MEDIA');
    expect(await t.db.prisma.musicTrack.count({ where: { externalId: 'x' } })).toBe(0);
  });
});
