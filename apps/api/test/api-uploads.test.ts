// The client's path through the API: multipart upload -> job queued -> progress over a subscription
// -> verdict -> stems streamed with Range requests; duplicate submissions recognised.
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
  type TenantWorld,
  type TestApi,
} from './support/api';
import { collect, wsClient } from './support/api-fixtures';

const SUBMIT = `mutation ($file: File!, $ref: String) {
  submitUpload(file: $file, externalReference: $ref) {
    duplicate
    upload { id sha256 sizeBytes durationSeconds width height videoCodec audioCodec originalFileName externalReference }
    job { id kind status }
  }
}`;

let t: TestApi;
let acme: TenantWorld;
let video: Buffer;

beforeAll(async () => {
  t = await startTestApi();
  acme = await t.tenant('acme');
  video = await readFile(await makeVideo(path.join(t.dataDir, 'clip.mp4')));
});
afterAll(() => t?.close());

const submit = (bytes: Buffer, ref: string | null, token = acme.keys.client) =>
  multipart(t.url, token, SUBMIT, { file: null, ref }, 'file', { bytes, name: 'clip.mp4' });

describe('submitting uploads', () => {
  it('stores a multipart upload, probes it and queues its analysis', async () => {
    const r = await submit(video, 'post-1');
    expect(r.errors).toBeUndefined();
    const { upload, job, duplicate } = r.data!.submitUpload;
    expect(duplicate).toBe(false);
    expect(upload).toMatchObject({
      originalFileName: 'clip.mp4',
      externalReference: 'post-1',
      width: 160,
      height: 120,
      videoCodec: 'h264',
      audioCodec: 'aac',
      sizeBytes: video.length,
    });
    expect(upload.durationSeconds).toBeCloseTo(2, 0);
    expect(job).toMatchObject({ kind: 'ANALYZE_UPLOAD', status: 'QUEUED' });
    // The job is really in the queue, under the Job row's id.
    const queued = await t.db.pool.query('SELECT name FROM pgboss.job WHERE id = $1', [job.id]);
    expect(queued.rows).toEqual([{ name: 'analyze_upload' }]);
    // And the bytes are in the media store under their hash.
    expect(await createStorage(t.config).get(upload.sha256)).toEqual(video);
    const audit = await t.db.prisma.auditEvent.findMany({ where: { subject: `upload:${upload.id}` } });
    expect(audit.map((e) => e.action)).toEqual(['upload.submitted']);
  });

  it('recognises a duplicate submission (same file, same external reference), also when sent at once', async () => {
    const first = (await submit(video, 'post-1')).data!.submitUpload;
    expect(first.duplicate).toBe(true);
    const original = await t.db.prisma.upload.findFirstOrThrow({ where: { externalReference: 'post-1' } });
    expect(first.upload.id).toBe(original.id);
    expect(await t.db.prisma.job.count({ where: { uploadId: original.id } })).toBe(1);

    // Another reference is another submission.
    expect((await submit(video, 'post-2')).data!.submitUpload.duplicate).toBe(false);

    // Three identical submissions racing, without a reference: one upload, one job.
    const racing = await Promise.all([1, 2, 3].map(() => submit(video, null)));
    expect(racing.map((r) => r.data!.submitUpload.duplicate).sort()).toEqual([false, true, true]);
    expect(new Set(racing.map((r) => r.data!.submitUpload.upload.id)).size).toBe(1);
    expect(
      await t.db.prisma.upload.count({ where: { tenantId: acme.tenantId, externalReference: null } }),
    ).toBe(1);
  });
});

describe('following an upload to its verdict and stems', () => {
  it('pushes job progress over a subscription until the job finishes, and the verdict when it is recorded', async () => {
    const { upload, job } = (await submit(video, 'post-3')).data!.submitUpload;
    const client = wsClient(t.url, acme.keys.client);
    const progress = collect<{ jobProgress: { status: string; stage: string | null; progress: number } }>(
      client,
      'subscription ($id: ID!) { jobProgress(jobId: $id) { status stage progress } }',
      { id: job.id },
    );
    const verdicts = collect<{ verdictReady: { verdict: string; upload: { id: string } } }>(
      client,
      'subscription { verdictReady { verdict upload { id } } }',
      {},
      (items) => items.length === 1,
    );
    await new Promise((r) => setTimeout(r, 300));
    // What the worker writes as it runs the pipeline (the job row and, at the end, the verdict).
    const jobs = t.db.prisma.job;
    await jobs.update({ where: { id: job.id }, data: { status: 'running', stage: 'decode', progress: 0.2 } });
    await new Promise((r) => setTimeout(r, 100));
    await jobs.update({ where: { id: job.id }, data: { stage: 'match', progress: 0.7 } });
    await t.db.prisma.verdict.create({
      data: {
        uploadId: upload.id,
        verdict: 'reupload',
        confidence: 0.9,
        routing: 'review',
        evidence: {},
        modelVersions: {},
        configVersion: 't',
      },
    });
    await new Promise((r) => setTimeout(r, 100));
    await jobs.update({ where: { id: job.id }, data: { status: 'succeeded', stage: null, progress: 1 } });
    await Promise.all([progress.done, verdicts.done]);
    await client.dispose();

    expect(progress.errors).toEqual([]);
    expect(progress.items.map((i) => i.jobProgress.status)).toEqual([
      'QUEUED',
      'RUNNING',
      'RUNNING',
      'SUCCEEDED',
    ]);
    expect(progress.items[2].jobProgress).toEqual({ status: 'RUNNING', stage: 'match', progress: 0.7 });
    expect(verdicts.items[0].verdictReady).toEqual({ verdict: 'REUPLOAD', upload: { id: upload.id } });
  });

  it('serves stems and the upload through signed URLs with Range requests', async () => {
    const { upload } = (await submit(video, 'post-4')).data!.submitUpload;
    const wav = await readFile(await makeAudio(path.join(t.dataDir, 'ost.wav'), 1));
    const stored = await createStorage(t.config).put(wav);
    await t.db.prisma.stem.create({
      data: {
        uploadId: upload.id,
        kind: 'ost',
        format: 'wav',
        storageKey: stored.key,
        sampleRate: 44100,
        durationSeconds: 1,
      },
    });
    const r = await t.gql(
      acme.keys.client,
      `{ upload(id: "${upload.id}") { videoUrl stems { kind format url } } }`,
    );
    const { videoUrl, stems } = r.data!.upload;
    expect(stems).toHaveLength(1);
    const url: string = stems[0].url;
    expect(url.startsWith(`${t.url}/media/${stored.key}.wav?exp=`)).toBe(true);

    const whole = await fetch(url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('audio/wav');
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await whole.arrayBuffer())).toEqual(wav);

    const part = await fetch(url, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${wav.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(wav.subarray(100, 200));

    const tail = await fetch(url, { headers: { range: 'bytes=-10' } });
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(wav.subarray(wav.length - 10));

    const beyond = await fetch(url, { headers: { range: `bytes=${wav.length + 5}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${wav.length}`);

    const head = await fetch(url, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(wav.length));

    const video206 = await fetch(videoUrl, { headers: { range: 'bytes=0-15' } });
    expect(video206.status).toBe(206);
    expect(video206.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await video206.arrayBuffer())).toEqual(video.subarray(0, 16));

    // Tampered URLs are refused: another key, another expiry, no signature.
    const other = url.replace(stored.key, upload.sha256);
    expect((await fetch(other)).status).toBe(403);
    const later = url.replace(/exp=(\d+)/, (_m, e: string) => `exp=${Number(e) + 3600}`);
    expect((await fetch(later)).status).toBe(403);
    expect((await fetch(url.split('?')[0])).status).toBe(403);
  });

  it('lists uploads and jobs with cursor pagination', async () => {
    const page1 = await t.gql(
      acme.keys.client,
      '{ uploads(first: 2) { totalCount nodes { id } pageInfo { endCursor hasNextPage } } }',
    );
    const { totalCount, nodes, pageInfo } = page1.data!.uploads;
    expect(nodes).toHaveLength(2);
    expect(pageInfo.hasNextPage).toBe(true);
    const seen = new Set(nodes.map((n: { id: string }) => n.id));
    let after = pageInfo.endCursor;
    for (;;) {
      const next = await t.gql(
        acme.keys.client,
        `{ uploads(first: 2, after: "${after}") { nodes { id } pageInfo { endCursor hasNextPage } } }`,
      );
      for (const n of next.data!.uploads.nodes) seen.add(n.id);
      if (!next.data!.uploads.pageInfo.hasNextPage) break;
      after = next.data!.uploads.pageInfo.endCursor;
    }
    expect(seen.size).toBe(totalCount);
    const jobs = await t.gql(
      acme.keys.client,
      '{ jobs(filter: { status: [QUEUED], kind: [ANALYZE_UPLOAD] }) { totalCount nodes { status upload { id } } } }',
    );
    expect(jobs.data!.jobs.nodes.every((j: { status: string }) => j.status === 'QUEUED')).toBe(true);
    expect(codeOf(await t.gql(acme.keys.client, '{ uploads(first: 1000) { totalCount } }'))).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('cancels a queued job and retries it as a new job', async () => {
    const { job } = (await submit(video, 'post-5')).data!.submitUpload;
    const cancelled = await t.gql(acme.keys.client, `mutation { cancelJob(id: "${job.id}") { status } }`);
    expect(cancelled.data!.cancelJob.status).toBe('CANCELLED');
    expect(codeOf(await t.gql(acme.keys.client, `mutation { cancelJob(id: "${job.id}") { status } }`))).toBe(
      'JOB_NOT_CANCELLABLE',
    );
    const retried = await t.gql(
      acme.keys.client,
      `mutation { retryJob(id: "${job.id}") { id status upload { externalReference } } }`,
    );
    expect(retried.data!.retryJob).toMatchObject({
      status: 'QUEUED',
      upload: { externalReference: 'post-5' },
    });
    expect(retried.data!.retryJob.id).not.toBe(job.id);
    expect(codeOf(await t.gql(acme.keys.client, `mutation { retryJob(id: "${job.id}") { id } }`))).toBe(
      'JOB_NOT_RETRYABLE',
    );
    expect(
      codeOf(
        await t.gql(acme.keys.client, `mutation { retryJob(id: "${retried.data!.retryJob.id}") { id } }`),
      ),
    ).toBe('JOB_NOT_RETRYABLE');
  });
});
