// Tenancy: tenant globex's keys (client, and staff where the operation needs staff) cannot read,
// change, decide on, follow or stream anything of tenant acme, for every query, mutation and
// subscription. Each check is paired with acme reading the same thing, so a check that passes
// only because the thing is missing fails.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage } from '../src/storage';
import {
  codeOf,
  makeAudio,
  makeVideo,
  multipart,
  startTestApi,
  type Data,
  type TenantWorld,
  type TestApi,
} from './support/api';
import { collect, insertVerdict, wsClient } from './support/api-fixtures';

let t: TestApi;
let acme: TenantWorld;
let globex: TenantWorld;
let video: Buffer;
const a: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApi();
  acme = await t.tenant('acme');
  globex = await t.tenant('globex');
  video = await readFile(await makeVideo(path.join(t.dataDir, 'clip.mp4')));
  const audio = await readFile(await makeAudio(path.join(t.dataDir, 'song.wav'), 2));

  const submitted = await multipart(
    t.url,
    acme.keys.client,
    'mutation ($f: File!) { submitUpload(file: $f, externalReference: "x") { upload { id sha256 } job { id } } }',
    { f: null },
    'f',
    { bytes: video, name: 'clip.mp4' },
  );
  a.upload = submitted.data!.submitUpload.upload.id;
  a.sha256 = submitted.data!.submitUpload.upload.sha256;
  a.job = submitted.data!.submitUpload.job.id;
  const stem = await createStorage(t.config).put(audio);
  a.stemKey = stem.key;
  await t.db.prisma.stem.create({
    data: {
      uploadId: a.upload,
      kind: 'bgm',
      format: 'wav',
      storageKey: stem.key,
      sampleRate: 44100,
      durationSeconds: 2,
    },
  });
  a.verdict = (
    await t.db.prisma.verdict.create({
      data: {
        uploadId: a.upload,
        verdict: 'reupload',
        confidence: 0.6,
        routing: 'review',
        evidence: {},
        modelVersions: {},
        configVersion: 't',
      },
    })
  ).id;
  a.decision = (
    await t.gql(
      acme.keys.moderator,
      `mutation { decide(verdictId: "${a.verdict}", action: ESCALATE, reasonCode: "needs_senior") { id } }`,
    )
  ).data!.decide.id;
  const music = await multipart(
    t.url,
    acme.keys.admin,
    'mutation ($f: File) { addMusicTrack(input: { file: $f, externalId: "song-1", title: "Song" }) { id } }',
    { f: null },
    'f',
    { bytes: audio, name: 'song.wav' },
  );
  a.music = music.data!.addMusicTrack.id;
  const work = await multipart(
    t.url,
    acme.keys.admin,
    'mutation ($f: File) { addOriginalWork(input: { file: $f, externalId: "work-1", title: "Work" }) { id } }',
    { f: null },
    'f',
    { bytes: video, name: 'work.mp4' },
  );
  a.work = work.data!.addOriginalWork.id;
  a.key = (
    await t.db.prisma.apiKey.findFirstOrThrow({ where: { tenantId: acme.tenantId, role: 'client' } })
  ).id;
});
afterAll(() => t?.close());

/** Runs `query` as acme (must see `seen`) and as each globex key (must not). */
async function isolated(
  query: string,
  pick: (data: Data) => unknown,
  keys: ('client' | 'moderator' | 'admin')[] = ['client', 'moderator', 'admin'],
) {
  const own = await t.gql(acme.keys.admin, query);
  expect(own.errors).toBeUndefined();
  const ownValue = pick(own.data!);
  for (const role of keys) {
    const other = await t.gql(globex.keys[role], query);
    expect([role, other.errors]).toEqual([role, undefined]);
    expect([role, pick(other.data!)]).not.toEqual([role, ownValue]);
  }
  return ownValue;
}

describe("queries never show another tenant's things", () => {
  it('uploads, jobs, stems and verdicts', async () => {
    expect(await isolated(`{ upload(id: "${a.upload}") { id } }`, (d) => d.upload?.id)).toBe(a.upload);
    await isolated(`{ uploads(filter: { sha256: "${a.sha256}" }) { totalCount nodes { id } } }`, (d) =>
      d.uploads.nodes.map((n: { id: string }) => n.id),
    );
    await isolated(`{ uploads { totalCount } }`, (d) => d.uploads.totalCount);
    expect(await isolated(`{ job(id: "${a.job}") { id } }`, (d) => d.job?.id)).toBe(a.job);
    await isolated(`{ jobs(filter: { uploadId: "${a.upload}" }) { totalCount } }`, (d) => d.jobs.totalCount);
    expect(await isolated(`{ verdict(id: "${a.verdict}") { id } }`, (d) => d.verdict?.id)).toBe(a.verdict);
  });

  it('the review queue, decisions, audit log and report (staff only)', async () => {
    const staff: ('moderator' | 'admin')[] = ['moderator', 'admin'];
    await isolated(
      '{ reviewQueue(filter: { routing: [], status: [] }) { totalCount } }',
      (d) => d.reviewQueue.totalCount,
      staff,
    );
    await isolated(
      `{ decisions(filter: { verdictId: "${a.verdict}" }) { nodes { id } } }`,
      (d) => d.decisions.nodes,
      staff,
    );
    await isolated('{ decisions { totalCount } }', (d) => d.decisions.totalCount, staff);
    await isolated(
      `{ auditEvents(filter: { subject: "verdict:${a.verdict}" }) { nodes { action } } }`,
      (d) => d.auditEvents.nodes,
      staff,
    );
    await isolated(
      '{ auditEvents(first: 100) { nodes { subject } } }',
      (d) => d.auditEvents.nodes.some((n: { subject: string }) => n.subject.includes(a.upload)),
      staff,
    );
    await isolated(
      '{ report(from: "2020-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z") { uploads verdicts decisions } }',
      (d) => d.report,
      staff,
    );
    await isolated('{ apiKeys { id } }', (d) => d.apiKeys.some((k: { id: string }) => k.id === a.key), [
      'admin',
    ]);
  });

  it('the catalog', async () => {
    expect(await isolated(`{ musicTrack(id: "${a.music}") { id } }`, (d) => d.musicTrack?.id)).toBe(a.music);
    await isolated('{ musicTracks { totalCount } }', (d) => d.musicTracks.totalCount);
    expect(await isolated(`{ originalWork(id: "${a.work}") { id } }`, (d) => d.originalWork?.id)).toBe(
      a.work,
    );
    await isolated('{ originalWorks(search: "work") { totalCount } }', (d) => d.originalWorks.totalCount);
  });
});

describe("mutations never touch another tenant's things", () => {
  const refused = async (role: 'client' | 'moderator' | 'admin', mutation: string, code = 'NOT_FOUND') => {
    const r = await t.gql(globex.keys[role], mutation);
    expect([mutation, codeOf(r)]).toEqual([mutation, code]);
  };

  it('jobs, decisions, catalog and keys of acme are not found for globex', async () => {
    await refused('client', `mutation { retryJob(id: "${a.job}") { id } }`);
    await refused('client', `mutation { cancelJob(id: "${a.job}") { id } }`);
    await refused(
      'moderator',
      `mutation { decide(verdictId: "${a.verdict}", action: CLEAR_ORIGINAL, reasonCode: "x") { id } }`,
    );
    await refused(
      'client',
      `mutation { decide(verdictId: "${a.verdict}", action: CLEAR_ORIGINAL, reasonCode: "x") { id } }`,
      'FORBIDDEN',
    );
    await refused('admin', `mutation { removeMusicTrack(id: "${a.music}") }`);
    await refused('admin', `mutation { removeOriginalWork(id: "${a.work}") }`);
    await refused('admin', `mutation { revokeApiKey(id: "${a.key}") { id } }`);
    // Nothing of acme changed.
    expect((await t.db.prisma.job.findUniqueOrThrow({ where: { id: a.job } })).status).toBe('queued');
    expect(await t.db.prisma.decision.count({ where: { verdictId: a.verdict } })).toBe(1);
    expect(await t.db.prisma.musicTrack.count({ where: { id: a.music } })).toBe(1);
    expect(await t.db.prisma.originalWork.count({ where: { id: a.work } })).toBe(1);
    expect((await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: a.key } })).revokedAt).toBeNull();
    expect((await t.gql(acme.keys.client, '{ viewer { role } }')).data?.viewer.role).toBe('CLIENT');
  });

  it("the same file or catalog id in another tenant is that tenant's own, not a duplicate", async () => {
    const r = await multipart(
      t.url,
      globex.keys.client,
      'mutation ($f: File!) { submitUpload(file: $f, externalReference: "x") { duplicate upload { id } } }',
      { f: null },
      'f',
      { bytes: video, name: 'clip.mp4' },
    );
    expect(r.data!.submitUpload.duplicate).toBe(false);
    expect(r.data!.submitUpload.upload.id).not.toBe(a.upload);
    const song = await readFile(path.join(t.dataDir, 'song.wav'));
    const m = await multipart(
      t.url,
      globex.keys.admin,
      'mutation ($f: File) { addMusicTrack(input: { file: $f, externalId: "song-1", title: "Other" }) { id } }',
      { f: null },
      'f',
      { bytes: song, name: 'song.wav' },
    );
    expect(m.errors).toBeUndefined();
    const again = await multipart(
      t.url,
      acme.keys.admin,
      'mutation ($f: File) { addMusicTrack(input: { file: $f, externalId: "song-1", title: "Dup" }) { id } }',
      { f: null },
      'f',
      { bytes: song, name: 'song.wav' },
    );
    expect(codeOf(again)).toBe('ALREADY_EXISTS');
  });
});

describe("subscriptions and media never reach another tenant's things", () => {
  it("refuses to follow another tenant's job and does not push its verdicts", async () => {
    const client = wsClient(t.url, globex.keys.client);
    const follow = collect(client, 'subscription ($id: ID!) { jobProgress(jobId: $id) { status } }', {
      id: a.job,
    });
    await follow.done;
    expect(follow.items).toEqual([]);
    expect(JSON.stringify(follow.errors)).toContain('NOT_FOUND');

    const theirs = collect<{ verdictReady: { id: string } }>(
      client,
      'subscription { verdictReady { id } }',
      {},
      (i) => i.length > 0,
    );
    const ownClient = wsClient(t.url, acme.keys.client);
    const ours = collect<{ verdictReady: { id: string } }>(
      ownClient,
      'subscription { verdictReady { id } }',
      {},
      (i) => i.length > 0,
    );
    await new Promise((r) => setTimeout(r, 300));
    const { verdict } = await insertVerdict(t.db.prisma, acme.tenantId);
    await ours.done;
    await new Promise((r) => setTimeout(r, 300));
    expect(ours.items).toEqual([{ verdictReady: { id: verdict.id } }]);
    expect(theirs.items).toEqual([]);
    await client.dispose();
    await ownClient.dispose();
  });

  it("cannot stream another tenant's stem: no URL is handed out and a forged one is refused", async () => {
    const own = await t.gql(acme.keys.client, `{ upload(id: "${a.upload}") { stems { url } } }`);
    expect((await fetch(own.data!.upload.stems[0].url)).status).toBe(200);
    const theirs = await t.gql(globex.keys.client, `{ upload(id: "${a.upload}") { stems { url } } }`);
    expect(theirs.data!.upload).toBeNull();
    // Globex's own signed URL, pointed at acme's stem.
    const g = await t.gql(globex.keys.client, '{ uploads(first: 1) { nodes { videoUrl } } }');
    const forged = (g.data!.uploads.nodes[0].videoUrl as string).replace(
      /\/media\/[0-9a-f]{64}\.mp4/,
      `/media/${a.stemKey}.wav`,
    );
    expect((await fetch(forged)).status).toBe(403);
  });
});
