// The review queue, the API's hottest query (every moderator's queue page), in hand-written SQL:
// one statement for the page (verdicts with their upload and original work) and one for the count,
// sharing one WHERE clause. Through Prisma the same page cost several times the CPU.
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
  v."musicIdentified", v."configVersion", v."createdAt", v."reviewStatus"`;

const COLUMNS = `
  v.id, v."uploadId", v.verdict::text AS verdict, v.confidence, v.routing::text AS routing, v."originalWorkId",
  v."musicIdentified", v."configVersion", ${utc('v."createdAt"')} AS "createdAt", v."reviewStatus"::text AS "reviewStatus",
  u."tenantId" AS u_tenant, u."submittedBy" AS u_by, u."externalReference" AS u_ref, u."originalFileName" AS u_name,
  u.sha256 AS u_sha, u."sizeBytes" AS u_size, u.container AS u_container, u."videoCodec" AS u_vcodec,
  u."audioCodec" AS u_acodec, u."durationSeconds" AS u_duration, u.width AS u_width, u.height AS u_height,
  u."sampleRate" AS u_rate, u."storageKey" AS u_key, ${utc('u."createdAt"')} AS u_created,
  o."externalId" AS o_ext, o.title AS o_title, o.owner AS o_owner, o."durationSeconds" AS o_duration,
  o."storageKey" AS o_key, o."fingerprintKey" AS o_fkey, ${utc('o."indexedAt"')} AS o_indexed, ${utc('o."createdAt"')} AS o_created`;

type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- SQL rows

function toVerdict(r: Row): VerdictWithUpload {
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
    tenantId: r.u_tenant,
    upload: {
      id: r.uploadId,
      tenantId: r.u_tenant,
      submittedBy: r.u_by,
      externalReference: r.u_ref,
      originalFileName: r.u_name,
      sha256: r.u_sha,
      sizeBytes: BigInt(r.u_size),
      container: r.u_container,
      videoCodec: r.u_vcodec,
      audioCodec: r.u_acodec,
      durationSeconds: r.u_duration,
      width: r.u_width,
      height: r.u_height,
      sampleRate: r.u_rate,
      storageKey: r.u_key,
      createdAt: r.u_created,
    },
    originalWork: r.originalWorkId
      ? {
          id: r.originalWorkId,
          tenantId: r.u_tenant,
          externalId: r.o_ext,
          title: r.o_title,
          owner: r.o_owner,
          durationSeconds: r.o_duration,
          storageKey: r.o_key,
          fingerprintKey: r.o_fkey,
          indexedAt: r.o_indexed,
          createdAt: r.o_created,
        }
      : null,
  };
}

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
): Promise<Page<VerdictWithUpload>> {
  requireRole(caller, ...STAFF);
  checkFirst(first);
  const pool: pg.Pool = deps.db.pool;
  const { routing, status } = lanes(filter);
  const { column, desc } = SORTS[sort];
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
    `SELECT ${COLUMNS}, (SELECT "version"::text FROM "ReviewQueueVersion" WHERE "tenantId" = $1) AS queue_version
     FROM (SELECT * FROM (${branches.join(' UNION ALL ')}) v ORDER BY ${order} LIMIT ${limit}) v
     JOIN "Upload" u ON u.id = v."uploadId" LEFT JOIN "OriginalWork" o ON o.id = v."originalWorkId"
     ORDER BY ${order}`,
    params,
  );
  const nodes = rows.slice(0, first).map(toVerdict);
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
