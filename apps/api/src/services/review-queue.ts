// The review queue, the API's hottest query (every moderator's queue page), in hand-written SQL:
// one statement for the page (verdicts with the columns asked for of their upload and original work)
// and one for the count, sharing one WHERE clause. Through Prisma the same page cost several times the CPU.
// Verdicts carry their tenant and are indexed by (tenant, routing, review status, sort column, id):
// the page reads each (routing, status) pair the filter allows in sort order, at most one page from
// each, and merges them, so its cost does not grow with the number of queued verdicts. The count
// (which does grow) is kept in memory per filter and tenant queue version (ReviewQueueVersion, raised
// by a trigger in the transaction of every relevant verdict change, whichever process makes it): the
// page query reads the version, and a count kept at that same version is exact.
import type pg from 'pg';
import { ReviewStatus, Routing, type VerdictKind } from '../generated/prisma/enums';
import { requireRole, STAFF, type Caller } from './caller';
import type { ServiceDeps } from './deps';
import { checkFirst, type Page } from './pagination';
import type { VerdictWithUpload } from './review';

export type ReviewSort = 'CONFIDENCE_ASC' | 'CONFIDENCE_DESC' | 'OLDEST_FIRST' | 'NEWEST_FIRST';

export interface ReviewQueueFilter {
  routing?: Routing[] | null;
  verdict?: VerdictKind[] | null;
  confidenceMin?: number | null;
  confidenceMax?: number | null;
  musicIdentified?: boolean | null;
  status?: ReviewStatus[] | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
}

// Sort column and direction; ties always go by id ascending, which makes the keyset cursor exact.
const SORTS: Record<ReviewSort, { column: 'confidence' | 'createdAt'; desc: boolean }> = {
  CONFIDENCE_ASC: { column: 'confidence', desc: false },
  CONFIDENCE_DESC: { column: 'confidence', desc: true },
  OLDEST_FIRST: { column: 'createdAt', desc: false },
  NEWEST_FIRST: { column: 'createdAt', desc: true },
};

// Prisma keeps timestamps as UTC in `timestamp` columns; read them as such (node-pg would assume local time).
const utc = (col: string) => `${col} AT TIME ZONE 'UTC'`;

const VERDICT_COLUMNS = `v.id, v."uploadId", v.verdict, v.confidence, v.routing, v."originalWorkId",
  v."musicIdentified", v."configVersion", v."createdAt", v."reviewStatus", v."tenantId"`;

const COLUMNS = `
  v.id, v."uploadId", v.verdict::text AS verdict, v.confidence, v.routing::text AS routing, v."originalWorkId",
  v."musicIdentified", v."configVersion", ${utc('v."createdAt"')} AS "createdAt", v."reviewStatus"::text AS "reviewStatus",
  v."tenantId"`;

// The columns of the page's uploads and original works, by property; a page reads only those the
// query asks for (most queue pages show two or three), which halves what PostgreSQL sends and the API parses.
const UPLOAD: Record<string, string> = {
  id: 'u.id',
  tenantId: 'u."tenantId"',
  submittedBy: 'u."submittedBy"',
  externalReference: 'u."externalReference"',
  originalFileName: 'u."originalFileName"',
  sha256: 'u.sha256',
  sizeBytes: 'u."sizeBytes"',
  container: 'u.container',
  videoCodec: 'u."videoCodec"',
  audioCodec: 'u."audioCodec"',
  durationSeconds: 'u."durationSeconds"',
  width: 'u.width',
  height: 'u.height',
  sampleRate: 'u."sampleRate"',
  storageKey: 'u."storageKey"',
  createdAt: utc('u."createdAt"'),
};
const ORIGINAL_WORK: Record<string, string> = {
  id: 'o.id',
  tenantId: 'o."tenantId"',
  externalId: 'o."externalId"',
  title: 'o.title',
  owner: 'o.owner',
  durationSeconds: 'o."durationSeconds"',
  storageKey: 'o."storageKey"',
  fingerprintKey: 'o."fingerprintKey"',
  indexedAt: utc('o."indexedAt"'),
  createdAt: utc('o."createdAt"'),
};
// GraphQL fields that are not columns of the same name, with the properties their resolvers read
// (besides the id, always read); any other field gets every column.
const UPLOAD_DERIVED: Record<string, string[]> = {
  videoUrl: ['storageKey', 'originalFileName'],
  job: [],
  jobs: [],
  stems: [],
  verdict: [],
  __typename: [],
};
const ORIGINAL_WORK_DERIVED: Record<string, string[]> = { videoUrl: ['storageKey'], job: [], __typename: [] };

/** The GraphQL fields a page's query asks for on its uploads and original works (null: not asked for). */
export interface QueueFields {
  upload: ReadonlySet<string> | null;
  originalWork: ReadonlySet<string> | null;
}

/** The properties to read for the fields asked for: null when none, all when a field is unknown. */
function properties(
  columns: Record<string, string>,
  derived: Record<string, string[]>,
  fields: ReadonlySet<string> | null | undefined,
): string[] | null {
  if (fields === null) return null;
  if (fields === undefined) return Object.keys(columns);
  const wanted = new Set(['id']);
  for (const field of fields) {
    const needs = field in columns ? [field] : derived[field];
    if (!needs) return Object.keys(columns);
    for (const p of needs) wanted.add(p);
  }
  return [...wanted];
}

type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- SQL rows

/** The object of one joined row's `prefix.*` columns; BigInt where Prisma has one. */
function nested(r: Row, prefix: string, props: string[]) {
  const o: Row = {};
  for (const p of props) o[p] = r[`${prefix}.${p}`];
  if (o.sizeBytes != null) o.sizeBytes = BigInt(o.sizeBytes);
  return o;
}

// Objects carry only the properties read (see UPLOAD): GraphQL resolves nothing else from them.
function toVerdict(r: Row, upload: string[] | null, work: string[] | null): VerdictWithUpload {
  return {
    id: r.id,
    uploadId: r.uploadId,
    verdict: r.verdict,
    confidence: r.confidence,
    routing: r.routing,
    originalWorkId: r.originalWorkId,
    musicIdentified: r.musicIdentified,
    configVersion: r.configVersion,
    createdAt: r.createdAt,
    reviewStatus: r.reviewStatus,
    tenantId: r.tenantId,
    ...(upload && { upload: nested(r, 'u', upload) as VerdictWithUpload['upload'] }),
    ...(work && {
      originalWork: r.originalWorkId
        ? (nested(r, 'o', work) as NonNullable<VerdictWithUpload['originalWork']>)
        : null,
    }),
  } as VerdictWithUpload;
}

const selectList = (columns: Record<string, string>, prefix: string, props: string[] | null) =>
  (props ?? []).map((p) => `, ${columns[p]} AS "${prefix}.${p}"`).join('');

/** The conditions besides routing and status (which select the index ranges), on `v`. */
function whereClause(params: unknown[], tenantId: string, filter: ReviewQueueFilter): string {
  const conds = [`v."tenantId" = ${param(params, tenantId)}`];
  if (filter.verdict?.length)
    conds.push(`v.verdict = ANY(${param(params, filter.verdict)}::"VerdictKind"[])`);
  if (filter.confidenceMin != null) conds.push(`v.confidence >= ${param(params, filter.confidenceMin)}`);
  if (filter.confidenceMax != null) conds.push(`v.confidence <= ${param(params, filter.confidenceMax)}`);
  if (filter.musicIdentified != null)
    conds.push(`v."musicIdentified" = ${param(params, filter.musicIdentified)}`);
  if (filter.createdAfter)
    conds.push(`v."createdAt" >= (${param(params, filter.createdAfter)}::timestamptz AT TIME ZONE 'UTC')`);
  if (filter.createdBefore)
    conds.push(`v."createdAt" < (${param(params, filter.createdBefore)}::timestamptz AT TIME ZONE 'UTC')`);
  return conds.join(' AND ');
}

/** Adds a query parameter; returns its placeholder. */
function param(params: unknown[], value: unknown): string {
  params.push(value);
  return `$${params.length}`;
}

/** The routings and statuses the filter allows (defaults: routed to review, not yet decided; empty: all). */
function lanes(filter: ReviewQueueFilter): { routing: Routing[]; status: ReviewStatus[] } {
  const pick = <T extends string>(given: T[] | null | undefined, byDefault: T[], all: T[]): T[] =>
    given == null ? byDefault : given.length ? [...new Set(given)] : all;
  return {
    routing: pick(filter.routing, ['review'], Object.values(Routing)),
    status: pick(filter.status, ['pending', 'escalated'], Object.values(ReviewStatus)),
  };
}

export async function reviewQueue(
  deps: ServiceDeps,
  caller: Caller,
  filter: ReviewQueueFilter = {},
  sort: ReviewSort = 'CONFIDENCE_ASC',
  first = 20,
  after?: string | null,
  fields?: QueueFields,
): Promise<Page<VerdictWithUpload>> {
  requireRole(caller, ...STAFF);
  checkFirst(first);
  const pool: pg.Pool = deps.db.pool;
  const { routing, status } = lanes(filter);
  const { column, desc } = SORTS[sort];
  const upload = properties(UPLOAD, UPLOAD_DERIVED, fields?.upload);
  const work = properties(ORIGINAL_WORK, ORIGINAL_WORK_DERIVED, fields?.originalWork);
  const col = `v."${column}"`;
  const order = `${col} ${desc ? 'DESC' : 'ASC'}, v.id ASC`;

  const params: unknown[] = [];
  const where = whereClause(params, caller.tenantId, filter);
  let keyset = '';
  if (after) {
    // Rows after the cursor row in (sort column, id) order, written so that the sort column bounds
    // the index range; a cursor of another tenant matches nothing.
    const cid = param(params, after);
    const c = `(SELECT "${column}" FROM "Verdict" WHERE id = ${cid})`;
    keyset = ` AND ${col} ${desc ? '<=' : '>='} ${c} AND (${col} ${desc ? '<' : '>'} ${c} OR v.id > ${cid})`;
  }
  const limit = param(params, first + 1);
  const statuses = status.map((s) => param(params, s));
  const branches = routing.flatMap((r) => {
    const rp = param(params, r);
    return statuses.map(
      (sp) => `(SELECT ${VERDICT_COLUMNS} FROM "Verdict" v
        WHERE ${where} AND v.routing = ${rp}::"Routing" AND v."reviewStatus" = ${sp}::"ReviewStatus"${keyset}
        ORDER BY ${order} LIMIT ${limit})`,
    );
  });
  const { rows } = await prepared(
    pool,
    `SELECT ${COLUMNS}${selectList(UPLOAD, 'u', upload)}${selectList(ORIGINAL_WORK, 'o', work)},
       (SELECT "version"::text FROM "ReviewQueueVersion" WHERE "tenantId" = $1) AS queue_version
     FROM (SELECT * FROM (${branches.join(' UNION ALL ')}) v ORDER BY ${order} LIMIT ${limit}) v
     ${upload ? 'JOIN "Upload" u ON u.id = v."uploadId"' : ''}
     ${work ? 'LEFT JOIN "OriginalWork" o ON o.id = v."originalWorkId"' : ''}
     ORDER BY ${order}`,
    params,
  );
  const nodes = rows.slice(0, first).map((r) => toVerdict(r, upload, work));
  return {
    nodes,
    pageInfo: { endCursor: nodes.at(-1)?.id ?? null, hasNextPage: rows.length > first },
    totalCount: () =>
      countQueue(pool, caller.tenantId, filter, routing, status, rows[0]?.queue_version ?? null),
  };
}

/** Statement names by SQL text: each shape of the queue's queries is parsed and planned once per connection. */
const statementNames = new Map<string, string>();
const MAX_STATEMENTS = 1000;

function prepared<R extends pg.QueryResultRow>(pool: pg.Pool, text: string, values: unknown[]) {
  let name = statementNames.get(text);
  if (!name && statementNames.size < MAX_STATEMENTS)
    statementNames.set(text, (name = `review_queue_${statementNames.size}`));
  return pool.query<R>(name ? { name, text, values } : { text, values });
}

/** Counts by filter (SQL and parameters) for each pool, with the queue version they were counted at. */
const counts = new WeakMap<pg.Pool, Map<string, { version: string; n: number }>>();
const MAX_COUNTS = 10_000;

async function countQueue(
  pool: pg.Pool,
  tenantId: string,
  filter: ReviewQueueFilter,
  routing: Routing[],
  status: ReviewStatus[],
  version: string | null,
): Promise<number> {
  const params: unknown[] = [];
  const conds = [whereClause(params, tenantId, filter)];
  if (routing.length < Object.values(Routing).length)
    conds.push(`v.routing = ANY(${param(params, routing)}::"Routing"[])`);
  if (status.length < Object.values(ReviewStatus).length)
    conds.push(`v."reviewStatus" = ANY(${param(params, status)}::"ReviewStatus"[])`);
  const sql = `SELECT count(*)::int AS n, (SELECT "version"::text FROM "ReviewQueueVersion" WHERE "tenantId" = $1) AS version
    FROM "Verdict" v WHERE ${conds.join(' AND ')}`;
  const key = `${sql}\n${JSON.stringify(params)}`;
  let memo = counts.get(pool);
  if (!memo) counts.set(pool, (memo = new Map()));
  const known = memo.get(key);
  if (version !== null && known?.version === version) return known.n;
  // One statement, one snapshot: the count is exact at the version read with it.
  const { rows } = await prepared<{ n: number; version: string | null }>(pool, sql, params);
  const { n, version: countedAt } = rows[0];
  if (countedAt !== null) {
    if (memo.size >= MAX_COUNTS) memo.clear();
    memo.set(key, { version: countedAt, n });
  }
  return n;
}
