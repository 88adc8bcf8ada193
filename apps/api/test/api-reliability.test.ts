// 50 uploads submitted through the API at once, taken by two workers: one upload, one job and one run
// each. (The analysis itself is replaced by a recording stage here: the pipeline's own speed is the
// benchmark's business; what is tested is that concurrent submissions and workers lose or repeat nothing.)
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEvent } from '../src/audit';
import { createStorage } from '../src/storage';
import { registerJobHandler, startWorker, type Worker } from '../src/worker';
import { makeVideo, multipart, startTestApi, type TenantWorld, type TestApi } from './support/api';

const UPLOADS = 50;
let t: TestApi;
let acme: TenantWorld;
const workers: Worker[] = [];

beforeAll(async () => {
  t = await startTestApi();
  acme = await t.tenant('acme');
  registerJobHandler({
    kind: 'analyze_upload',
    stages: [
      {
        name: 'record',
        // No dedupe key: one audit row per execution, so executions can be counted.
        run: (ctx) =>
          appendAuditEvent(ctx.db.prisma, {
            actor: ctx.workerId,
            action: 'test.analyzed',
            subject: `job:${ctx.job.id}`,
          }).then(() => {}),
      },
    ],
  });
});
afterAll(async () => {
  for (const w of workers) await w.stop(5);
  await t?.close();
});

describe('many submissions at once', () => {
  it('stores each upload once, queues one job each, and two workers run each job exactly once', async () => {
    const base = await readFile(await makeVideo(path.join(t.dataDir, 'clip.mp4'), 1));
    // Distinct files (a different trailing byte each: still valid media, another sha256).
    const files = Array.from({ length: UPLOADS }, (_, i) => Buffer.concat([base, Buffer.from([i])]));
    const results = await Promise.all(
      files.map((bytes, i) =>
        multipart(
          t.url,
          acme.keys.client,
          'mutation ($f: File!, $r: String) { submitUpload(file: $f, externalReference: $r) { duplicate job { id } } }',
          { f: null, r: `post-${i}` },
          'f',
          { bytes, name: `clip-${i}.mp4` },
        ),
      ),
    );
    expect(results.filter((r) => r.errors)).toEqual([]);
    expect(results.every((r) => r.data!.submitUpload.duplicate === false)).toBe(true);
    const jobIds = results.map((r) => r.data!.submitUpload.job.id as string);
    expect(new Set(jobIds).size).toBe(UPLOADS);
    expect(await t.db.prisma.upload.count()).toBe(UPLOADS);
    expect(await t.db.prisma.job.count()).toBe(UPLOADS);

    const config = { ...t.config, queuePollSeconds: 0.5 };
    for (const id of ['w1', 'w2'])
      workers.push(await startWorker({ db: t.db, storage: createStorage(t.config), config, workerId: id }));
    const deadline = Date.now() + 60_000;
    while (
      (await t.db.prisma.job.count({ where: { status: 'succeeded' } })) < UPLOADS &&
      Date.now() < deadline
    )
      await new Promise((r) => setTimeout(r, 500));

    expect(await t.db.prisma.job.count({ where: { status: 'succeeded' } })).toBe(UPLOADS);
    const runs = await t.db.prisma.auditEvent.findMany({ where: { action: 'test.analyzed' } });
    expect(runs).toHaveLength(UPLOADS);
    expect(new Set(runs.map((r) => r.subject))).toEqual(new Set(jobIds.map((id) => `job:${id}`)));
    // Both workers took part.
    expect(new Set(runs.map((r) => r.actor))).toEqual(new Set(['w1', 'w2']));
  });
});
