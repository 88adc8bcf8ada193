// Moderation figures over a date range: verdicts by kind and routing (by verdict time), decisions by
// action and moderator (by decision time), how often moderators overturned the verdict, and the
// median time from a verdict to its first decision.
import type { DecisionAction, Routing, User, VerdictKind } from '../generated/prisma/client';
import { requireRole, STAFF, type Caller } from './caller';
import type { ServiceDeps } from './deps';
import { ServiceError } from './errors';

export interface Report {
  from: Date;
  to: Date;
  uploads: number;
  verdicts: number;
  byVerdict: { verdict: VerdictKind; count: number }[];
  byRouting: { routing: Routing; count: number }[];
  decisions: number;
  byDecision: { action: DecisionAction; count: number }[];
  byModerator: { moderator: User; decisions: number; overturns: number }[];
  overturnRate: number | null;
  medianTimeToDecisionSeconds: number | null;
}

// A final decision against the verdict: clearing a re-upload, or confirming one the system called original.
const OVERTURN = `((v.verdict = 'reupload' AND d.action = 'clear_original') OR (v.verdict = 'original' AND d.action = 'confirm_reupload'))`;

export async function buildReport(deps: ServiceDeps, caller: Caller, from: Date, to: Date): Promise<Report> {
  requireRole(caller, ...STAFF);
  if (!(from < to)) throw new ServiceError('BAD_USER_INPUT', 'from must be before to');
  const { prisma } = deps;
  const t = caller.tenantId;
  const [uploads, verdictRows, routingRows, decisionRows, moderatorRows, overturnRows, medianRows] =
    await Promise.all([
      prisma.upload.count({ where: { tenantId: t, createdAt: { gte: from, lt: to } } }),
      prisma.$queryRawUnsafe<{ key: VerdictKind; n: number }[]>(
        `SELECT v.verdict::text AS key, count(*)::int AS n FROM "Verdict" v JOIN "Upload" u ON u.id = v."uploadId"
       WHERE u."tenantId" = $1 AND v."createdAt" >= $2 AND v."createdAt" < $3 GROUP BY 1 ORDER BY 1`,
        t,
        from,
        to,
      ),
      prisma.$queryRawUnsafe<{ key: Routing; n: number }[]>(
        `SELECT v.routing::text AS key, count(*)::int AS n FROM "Verdict" v JOIN "Upload" u ON u.id = v."uploadId"
       WHERE u."tenantId" = $1 AND v."createdAt" >= $2 AND v."createdAt" < $3 GROUP BY 1 ORDER BY 1`,
        t,
        from,
        to,
      ),
      prisma.$queryRawUnsafe<{ key: DecisionAction; n: number }[]>(
        `SELECT d.action::text AS key, count(*)::int AS n FROM "Decision" d
       JOIN "Verdict" v ON v.id = d."verdictId" JOIN "Upload" u ON u.id = v."uploadId"
       WHERE u."tenantId" = $1 AND d."createdAt" >= $2 AND d."createdAt" < $3 GROUP BY 1 ORDER BY 1`,
        t,
        from,
        to,
      ),
      prisma.$queryRawUnsafe<{ moderatorId: string; n: number; overturns: number }[]>(
        `SELECT d."moderatorId", count(*)::int AS n, count(*) FILTER (WHERE ${OVERTURN})::int AS overturns
       FROM "Decision" d JOIN "Verdict" v ON v.id = d."verdictId" JOIN "Upload" u ON u.id = v."uploadId"
       WHERE u."tenantId" = $1 AND d."createdAt" >= $2 AND d."createdAt" < $3 GROUP BY 1 ORDER BY 2 DESC`,
        t,
        from,
        to,
      ),
      prisma.$queryRawUnsafe<{ judged: number; overturns: number }[]>(
        `SELECT count(*)::int AS judged, count(*) FILTER (WHERE ${OVERTURN})::int AS overturns
       FROM "Decision" d JOIN "Verdict" v ON v.id = d."verdictId" JOIN "Upload" u ON u.id = v."uploadId"
       WHERE u."tenantId" = $1 AND d."createdAt" >= $2 AND d."createdAt" < $3
         AND d.action IN ('confirm_reupload', 'clear_original') AND v.verdict IN ('reupload', 'original')`,
        t,
        from,
        to,
      ),
      prisma.$queryRawUnsafe<{ median: number | null }[]>(
        `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_at - v."createdAt"))::float8 AS median
       FROM (SELECT "verdictId", min("createdAt") AS first_at FROM "Decision" GROUP BY 1) f
       JOIN "Verdict" v ON v.id = f."verdictId" JOIN "Upload" u ON u.id = v."uploadId"
       WHERE u."tenantId" = $1 AND f.first_at >= $2 AND f.first_at < $3`,
        t,
        from,
        to,
      ),
    ]);
  const users = await prisma.user.findMany({
    where: { id: { in: moderatorRows.map((r) => r.moderatorId) } },
  });
  const byId = new Map(users.map((u) => [u.id, u]));
  const { judged, overturns } = overturnRows[0];
  return {
    from,
    to,
    uploads,
    verdicts: verdictRows.reduce((s, r) => s + r.n, 0),
    byVerdict: verdictRows.map((r) => ({ verdict: r.key, count: r.n })),
    byRouting: routingRows.map((r) => ({ routing: r.key, count: r.n })),
    decisions: decisionRows.reduce((s, r) => s + r.n, 0),
    byDecision: decisionRows.map((r) => ({ action: r.key, count: r.n })),
    byModerator: moderatorRows.map((r) => ({
      moderator: byId.get(r.moderatorId)!,
      decisions: r.n,
      overturns: r.overturns,
    })),
    overturnRate: judged ? overturns / judged : null,
    medianTimeToDecisionSeconds: medianRows[0]?.median ?? null,
  };
}
