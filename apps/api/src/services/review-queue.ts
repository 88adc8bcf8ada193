// The review queue, the API's hottest query (every moderator's queue page), in hand-written SQL:
// one statement for the page (verdicts with their upload and original work) and one for the count,
// sharing one WHERE clause. Through Prisma the same page cost several times the CPU.
import type pg from 'pg';
import type { ReviewStatus, Routing, VerdictKind } from '../generated/prisma/client';
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

function whereClause(tenantId: string, filter: ReviewQueueFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [tenantId];
  const conds = ['u."tenantId" = $1'];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    conds.push(sql(`$${params.length}`));
  };
  const routing = filter.routing ?? ['review'];
  const status = filter.status ?? ['pending', 'escalated'];
  if (routing.length) add((p) => `v.routing::text = ANY(${p}::text[])`, routing);
  if (status.length) add((p) => `v."reviewStatus"::text = ANY(${p}::text[])`, status);
  if (filter.verdict?.length) add((p) => `v.verdict::text = ANY(${p}::text[])`, filter.verdict);
  if (filter.confidenceMin != null) add((p) => `v.confidence >= ${p}`, filter.confidenceMin);
  if (filter.confidenceMax != null) add((p) => `v.confidence <= ${p}`, filter.confidenceMax);
  if (filter.musicIdentified != null) add((p) => `v."musicIdentified" = ${p}`, filter.musicIdentified);
  if (filter.createdAfter)
    add((p) => `v."createdAt" >= (${p}::timestamptz AT TIME ZONE 'UTC')`, filter.createdAfter);
  if (filter.createdBefore)
    add((p) => `v."createdAt" < (${p}::timestamptz AT TIME ZONE 'UTC')`, filter.createdBefore);
  return { sql: conds.join(' AND '), params };
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
  const where = whereClause(caller.tenantId, filter);
  const { column, desc } = SORTS[sort];
  const params = [...where.params];
  let keyset = '';
  if (after) {
    // Rows after the cursor row in (sort column, id) order; a cursor of another tenant matches nothing.
    params.push(after);
    const c = `(SELECT "${column}" FROM "Verdict" WHERE id = $${params.length})`;
    const cid = `$${params.length}`;
    keyset = ` AND (v."${column}" ${desc ? '<' : '>'} ${c} OR (v."${column}" = ${c} AND v.id > ${cid}))`;
  }
  params.push(first + 1);
  const { rows } = await pool.query(
    `SELECT ${COLUMNS}
     FROM "Verdict" v JOIN "Upload" u ON u.id = v."uploadId" LEFT JOIN "OriginalWork" o ON o.id = v."originalWorkId"
     WHERE ${where.sql}${keyset}
     ORDER BY v."${column}" ${desc ? 'DESC' : 'ASC'}, v.id ASC
     LIMIT $${params.length}`,
    params,
  );
  const nodes = rows.slice(0, first).map(toVerdict);
  return {
    nodes,
    pageInfo: { endCursor: nodes.at(-1)?.id ?? null, hasNextPage: rows.length > first },
    totalCount: async () => {
      const count = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "Verdict" v JOIN "Upload" u ON u.id = v."uploadId" WHERE ${where.sql}`,
        where.params,
      );
      return count.rows[0].n;
    },
  };
}
