// The review queue reads only the upload and original-work columns a query asks for: whatever the
// selection (aliases, fragments, @include, computed fields), each field has the value a full read gives.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApi, type TenantWorld, type TestApi } from './support/api';
import { insertVerdict } from './support/api-fixtures';

let t: TestApi;
let acme: TenantWorld;

beforeAll(async () => {
  t = await startTestApi();
  acme = await t.tenant('acme');
  const work = await t.db.prisma.originalWork.create({
    data: { tenantId: acme.tenantId, externalId: 'w1', title: 'Work one', owner: 'Studio', storageKey: 'k' },
  });
  await insertVerdict(t.db.prisma, acme.tenantId, { originalWorkId: work.id, confidence: 0.1 });
  await insertVerdict(t.db.prisma, acme.tenantId, { confidence: 0.2 });
});
afterAll(() => t?.close());

const UPLOAD = `id originalFileName externalReference sha256 sizeBytes container videoCodec audioCodec
  durationSeconds width height sampleRate createdAt`;
const WORK = 'id externalId title owner durationSeconds indexedAt createdAt';

async function nodes(query: string, variables?: Record<string, unknown>) {
  const r = await t.gql(acme.keys.moderator, query, variables);
  expect(r.errors).toBeUndefined();
  return r.data!.reviewQueue.nodes;
}

it('gives every field its full value whatever else the query selects', async () => {
  const full = await nodes(`{ reviewQueue { nodes { upload { ${UPLOAD} } originalWork { ${WORK} } } } }`);
  expect(full.map((n: { originalWork: { title: string } | null }) => n.originalWork?.title ?? null)).toEqual([
    'Work one',
    null,
  ]);
  const pick = (o: Record<string, unknown> | null, keys: string[]) =>
    o && Object.fromEntries(keys.map((k) => [k, o[k]]));

  const few = await nodes(
    '{ reviewQueue { nodes { upload { originalFileName durationSeconds } originalWork { title } } } }',
  );
  expect(few).toEqual(
    full.map((n: Record<string, Record<string, unknown>>) => ({
      upload: pick(n.upload, ['originalFileName', 'durationSeconds']),
      originalWork: pick(n.originalWork, ['title']),
    })),
  );

  const query = `query($x: Boolean!) { reviewQueue { nodes { ...F u: upload @include(if: $x) { sha256 } } } }
    fragment F on Verdict { upload { sizeBytes createdAt } originalWork { ... on OriginalWork { owner } } }`;
  for (const x of [true, false])
    expect(await nodes(query, { x })).toEqual(
      full.map((n: Record<string, Record<string, unknown>>) => ({
        upload: pick(n.upload, ['sizeBytes', 'createdAt']),
        originalWork: pick(n.originalWork, ['owner']),
        ...(x && { u: pick(n.upload, ['sha256']) }),
      })),
    );

  const urls = await nodes('{ reviewQueue { nodes { upload { videoUrl } originalWork { videoUrl } } } }');
  expect(urls[0].upload.videoUrl).toMatch(/\/media\/.+\.mp4/);
  expect(urls[0].originalWork.videoUrl).toMatch(/\/media\/k.+/);
});
