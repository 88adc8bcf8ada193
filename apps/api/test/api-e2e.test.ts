// The acceptance path with the real worker and pipeline: a client submits a video through GraphQL
// multipart, follows its job over a subscription, reads the verdict and the stem URLs, and streams a
// stem with Range requests.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage } from '../src/storage';
import { registerProductHandlers, startWorker, type Worker } from '../src/worker';
import { makeVideo, multipart, startTestApi, type TenantWorld, type TestApi } from './support/api';
import { collect, wsClient } from './support/api-fixtures';

let t: TestApi;
let acme: TenantWorld;
let worker: Worker;

beforeAll(async () => {
  t = await startTestApi();
  acme = await t.tenant('acme');
  registerProductHandlers();
  worker = await startWorker({
    db: t.db,
    storage: createStorage(t.config),
    config: { ...t.config, queuePollSeconds: 0.5 },
    workerId: 'e2e-worker',
  });
});
afterAll(async () => {
  await worker?.stop(5);
  await t?.close();
});

describe('upload to verdict through the API and the real worker', () => {
  it('submits, follows progress, reads the verdict and streams the stems', async () => {
    const video = await readFile(await makeVideo(path.join(t.dataDir, 'clip.mp4'), 4));
    const submitted = await multipart(
      t.url,
      acme.keys.client,
      'mutation ($f: File!) { submitUpload(file: $f, externalReference: "e2e") { upload { id } job { id } } }',
      { f: null },
      'f',
      { bytes: video, name: 'clip.mp4' },
    );
    expect(submitted.errors).toBeUndefined();
    const { upload, job } = submitted.data!.submitUpload;

    const client = wsClient(t.url, acme.keys.client);
    const progress = collect<{
      jobProgress: { status: string; stage: string | null; progress: number; errorMessage: string | null };
    }>(client, 'subscription ($id: ID!) { jobProgress(jobId: $id) { status stage progress errorMessage } }', {
      id: job.id,
    });
    await Promise.race([progress.done, new Promise((r) => setTimeout(r, 90_000))]);
    await client.dispose();
    const statuses = progress.items.map((i) => i.jobProgress.status);
    expect(progress.errors).toEqual([]);
    expect(statuses.at(-1)).toBe('SUCCEEDED');
    expect(statuses).toContain('RUNNING');
    const fractions = progress.items.map((i) => i.jobProgress.progress);
    expect(fractions.at(-1)).toBe(1);

    const r = await t.gql(
      acme.keys.client,
      `{ upload(id: "${upload.id}") {
      job { status stageTimings }
      verdict { verdict confidence routing evidence }
      stems { kind format url durationSeconds }
    } }`,
    );
    expect(r.errors).toBeUndefined();
    const u = r.data!.upload;
    expect(['REUPLOAD', 'ORIGINAL', 'UNCERTAIN']).toContain(u.verdict.verdict);
    expect(u.verdict.confidence).toBeGreaterThanOrEqual(0);
    const ost = u.stems.find((s: { kind: string; format: string }) => s.kind === 'OST' && s.format === 'wav');
    expect(ost).toBeDefined();
    const whole = await fetch(ost.url);
    const bytes = Buffer.from(await whole.arrayBuffer());
    expect(bytes.subarray(0, 4).toString()).toBe('RIFF');
    const part = await fetch(ost.url, { headers: { range: 'bytes=44-1043' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(44, 1044));
  });
});
