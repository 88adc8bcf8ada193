// Hostile input: each refused with its code, nothing kept, and the server keeps answering.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  codeOf,
  makeAudio,
  makeVideo,
  multipart,
  startTestApi,
  type TenantWorld,
  type TestApi,
} from './support/api';

const SUBMIT = 'mutation ($file: File!) { submitUpload(file: $file) { upload { id } } }';
const FROM_PATH =
  'mutation ($path: String!) { submitUploadFromPath(path: $path) { duplicate upload { originalFileName } } }';

let t: TestApi;
let acme: TenantWorld;
let ingestDir: string;
let smallVideo: Buffer;

beforeAll(async () => {
  const base = path.join((await import('node:os')).tmpdir(), `undub-ingest-${process.pid}-${Date.now()}`);
  ingestDir = path.join(base, 'inbox');
  await mkdir(ingestDir, { recursive: true });
  t = await startTestApi({ maxUploadBytes: 150_000, maxDurationSeconds: 3, ingestDir });
  acme = await t.tenant('acme');
  smallVideo = await readFile(await makeVideo(path.join(ingestDir, 'ok.mp4'), 1));
  await makeVideo(path.join(ingestDir, 'long.mp4'), 4);
  await writeFile(path.join(base, 'secret.mp4'), smallVideo);
  await symlink(path.join(base, 'secret.mp4'), path.join(ingestDir, 'escape.mp4'));
});
afterAll(() => t?.close());

// After every refusal the server is still up and nothing unusable stayed in storage or the database.
afterEach(async () => {
  expect((await t.gql(null, '{ health { ok } }')).data?.health.ok).toBe(true);
});

async function storedObjects(): Promise<number> {
  const root = path.join(t.dataDir, 'media');
  const dirs = await readdir(root).catch(() => []);
  let n = 0;
  for (const d of dirs) if (d !== 'tmp') n += (await readdir(path.join(root, d))).length;
  return n;
}

describe('hostile queries', () => {
  it('refuses a query nested 50 levels deep with QUERY_TOO_DEEP', async () => {
    let inner = 'id';
    for (let i = 0; i < 49; i++) inner = i % 2 ? `job { ${inner} }` : `upload { ${inner} }`;
    const r = await t.gql(acme.keys.client, `{ jobs { nodes { ${inner} } } }`);
    expect(codeOf(r)).toBe('QUERY_TOO_DEEP');
    expect(r.data).toBeNull();
  });

  it('refuses a 10,000-alias query with QUERY_TOO_COMPLEX', async () => {
    const aliases = Array.from({ length: 10_000 }, (_, i) => `a${i}: health { ok }`).join(' ');
    const started = performance.now();
    const r = await t.gql(acme.keys.client, `{ ${aliases} }`);
    expect(codeOf(r)).toBe('QUERY_TOO_COMPLEX');
    expect(r.errors).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('refuses a fragment bomb (each fragment spreading the previous twice) quickly', async () => {
    const bomb = ['fragment B0 on Query { health { ok } }'];
    for (let i = 1; i <= 40; i++)
      bomb.push(`fragment B${i} on Query { ...B${i - 1} v${i}: viewer { role } ...B${i - 1} }`);
    const started = performance.now();
    const r = await t.gql(acme.keys.client, `{ ...B40 } ${bomb.join(' ')}`);
    expect(codeOf(r)).toBe('QUERY_TOO_COMPLEX');
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('answers malformed requests with a code, not a stack trace', async () => {
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+/);
    expect(codeOf(await t.gql(acme.keys.client, '{ nope }'))).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(codeOf(await t.gql(acme.keys.client, '{ health { ok }'))).toBe('GRAPHQL_PARSE_FAILED');
    const badDate = await t.gql(
      acme.keys.moderator,
      'query ($from: DateTime!) { report(from: $from, to: "2030-01-01T00:00:00Z") { uploads } }',
      { from: 'yesterday' },
    );
    expect(codeOf(badDate)).toBe('BAD_USER_INPUT');
  });
});

describe('hostile uploads', () => {
  it('refuses an oversized upload with UPLOAD_TOO_LARGE and keeps nothing', async () => {
    const before = await storedObjects();
    const r = await multipart(t.url, acme.keys.client, SUBMIT, { file: null }, 'file', {
      bytes: randomBytes(400_000),
      name: 'big.mp4',
    });
    expect(codeOf(r)).toBe('UPLOAD_TOO_LARGE');
    expect(await storedObjects()).toBe(before);
    expect(await t.db.prisma.upload.count()).toBe(0);
  });

  it('refuses files that are not video with UNSUPPORTED_MEDIA and keeps nothing', async () => {
    const before = await storedObjects();
    const text = await multipart(t.url, acme.keys.client, SUBMIT, { file: null }, 'file', {
      bytes: Buffer.from('hello, not a video\n'.repeat(50)),
      name: 'notes.mp4',
    });
    expect(codeOf(text)).toBe('UNSUPPORTED_MEDIA');
    const noise = await multipart(t.url, acme.keys.client, SUBMIT, { file: null }, 'file', {
      bytes: randomBytes(50_000),
      name: 'noise.mp4',
    });
    expect(codeOf(noise)).toBe('UNSUPPORTED_MEDIA');
    const audio = await readFile(await makeAudio(path.join(t.dataDir, 'tone.wav'), 1));
    const audioOnly = await multipart(t.url, acme.keys.client, SUBMIT, { file: null }, 'file', {
      bytes: audio,
      name: 'tone.wav',
    });
    expect(codeOf(audioOnly)).toBe('UNSUPPORTED_MEDIA');
    expect(audioOnly.errors?.[0].message).toMatch(/tone\.wav has no video/);
    expect(audioOnly.errors?.[0].message).not.toContain(t.dataDir);
    expect(await storedObjects()).toBe(before);
    expect(await t.db.prisma.upload.count()).toBe(0);
  });

  it('refuses media longer than the limit with DURATION_TOO_LONG', async () => {
    const r = await t.gql(acme.keys.admin, FROM_PATH, { path: 'long.mp4' });
    expect(codeOf(r)).toBe('DURATION_TOO_LONG');
  });
});

describe('ingestion by server path', () => {
  it('refuses paths outside the allowed folder with PATH_NOT_ALLOWED', async () => {
    for (const p of ['../secret.mp4', '/etc/passwd', `${ingestDir}/../secret.mp4`, 'escape.mp4', '..', '']) {
      const r = await t.gql(acme.keys.admin, FROM_PATH, { path: p });
      expect([p, codeOf(r)]).toEqual([p, 'PATH_NOT_ALLOWED']);
    }
    expect(codeOf(await t.gql(acme.keys.admin, FROM_PATH, { path: 'missing.mp4' }))).toBe('NOT_FOUND');
  });

  it('ingests a file inside the folder (admins only)', async () => {
    expect(codeOf(await t.gql(acme.keys.moderator, FROM_PATH, { path: 'ok.mp4' }))).toBe('FORBIDDEN');
    const r = await t.gql(acme.keys.admin, FROM_PATH, { path: `${ingestDir}/ok.mp4` });
    expect(r.data?.submitUploadFromPath).toEqual({
      duplicate: false,
      upload: { originalFileName: 'ok.mp4' },
    });
    const again = await t.gql(acme.keys.admin, FROM_PATH, { path: 'ok.mp4' });
    expect(again.data?.submitUploadFromPath.duplicate).toBe(true);
    expect(smallVideo.length).toBeGreaterThan(0);
  });

  it('refuses ingestion by path when no folder is configured', async () => {
    const closed = await startTestApi();
    try {
      const w = await closed.tenant('solo');
      expect(codeOf(await closed.gql(w.keys.admin, FROM_PATH, { path: 'ok.mp4' }))).toBe('PATH_NOT_ALLOWED');
    } finally {
      await closed.close();
    }
  });
});
