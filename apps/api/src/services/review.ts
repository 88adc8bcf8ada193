// The moderators' side: the review queue, verdicts and decisions, scoped to the caller's tenant
// through the verdict's upload. A decision is final when it confirms or clears; escalation keeps
// the verdict open for a senior moderator.
import { appendAuditEvent } from '../audit';
import type { Decision, DecisionAction, Prisma, Routing, Upload, Verdict, VerdictKind } from '../generated/prisma/client';
import { requireRole, STAFF, type Caller } from './caller';
import type { ServiceDeps } from './deps';
import { notFound, ServiceError } from './errors';
import { dateRange, paginate, type Page } from './pagination';

export type ReviewStatus = 'PENDING' | 'ESCALATED' | 'DECIDED';
export type ReviewSort = 'CONFIDENCE_ASC' | 'CONFIDENCE_DESC' | 'OLDEST_FIRST' | 'NEWEST_FIRST';

export const FINAL_ACTIONS: DecisionAction[] = ['confirm_reupload', 'clear_original'];

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

export type VerdictWithUpload = Verdict & { upload: Upload };

const statusWhere: Record<ReviewStatus, Prisma.VerdictWhereInput> = {
  PENDING: { decisions: { none: {} } },
  ESCALATED: { decisions: { some: { action: 'escalate' }, none: { action: { in: FINAL_ACTIONS } } } },
  DECIDED: { decisions: { some: { action: { in: FINAL_ACTIONS } } } },
};

const sortOrder: Record<ReviewSort, Prisma.VerdictOrderByWithRelationInput[]> = {
  CONFIDENCE_ASC: [{ confidence: 'asc' }, { id: 'asc' }],
  CONFIDENCE_DESC: [{ confidence: 'desc' }, { id: 'asc' }],
  OLDEST_FIRST: [{ createdAt: 'asc' }, { id: 'asc' }],
  NEWEST_FIRST: [{ createdAt: 'desc' }, { id: 'asc' }],
};

export function reviewStatusOf(decisions: Pick<Decision, 'action'>[]): ReviewStatus {
  if (decisions.some((d) => FINAL_ACTIONS.includes(d.action))) return 'DECIDED';
  return decisions.length ? 'ESCALATED' : 'PENDING';
}

export function reviewQueue(
  deps: ServiceDeps,
  caller: Caller,
  filter: ReviewQueueFilter = {},
  sort: ReviewSort = 'CONFIDENCE_ASC',
  first = 20,
  after?: string | null,
): Promise<Page<VerdictWithUpload>> {
  requireRole(caller, ...STAFF);
  const routing = filter.routing ?? ['review'];
  const status = filter.status ?? ['PENDING', 'ESCALATED'];
  const { confidenceMin: min, confidenceMax: max } = filter;
  const where: Prisma.VerdictWhereInput = {
    upload: { tenantId: caller.tenantId },
    ...(routing.length ? { routing: { in: routing } } : {}),
    ...(filter.verdict?.length ? { verdict: { in: filter.verdict } } : {}),
    ...(min != null || max != null ? { confidence: { ...(min != null ? { gte: min } : {}), ...(max != null ? { lte: max } : {}) } } : {}),
    ...(filter.musicIdentified != null ? { musicIdentified: filter.musicIdentified } : {}),
    ...(status.length && status.length < 3 ? { OR: status.map((s) => statusWhere[s]) } : {}),
    createdAt: dateRange(filter.createdAfter, filter.createdBefore),
  };
  return paginate(
    first,
    after,
    (page) => deps.prisma.verdict.findMany({ where, orderBy: sortOrder[sort], include: { upload: true }, ...page }),
    () => deps.prisma.verdict.count({ where }),
  );
}

export function getVerdict(deps: ServiceDeps, caller: Caller, id: string): Promise<VerdictWithUpload | null> {
  return deps.prisma.verdict.findFirst({ where: { id, upload: { tenantId: caller.tenantId } }, include: { upload: true } });
}

const REASON_CODE = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_NOTE = 4000;

export async function decide(
  deps: ServiceDeps,
  caller: Caller,
  input: { verdictId: string; action: DecisionAction; reasonCode: string; note?: string | null },
): Promise<Decision> {
  requireRole(caller, ...STAFF);
  if (!caller.userId)
    throw new ServiceError('FORBIDDEN', 'decisions are made by a signed-in moderator or a key bound to a user');
  if (!REASON_CODE.test(input.reasonCode))
    throw new ServiceError('BAD_USER_INPUT', 'reasonCode must be 1-64 letters, digits, _ . or -');
  const note = input.note?.trim() || null;
  if (note && note.length > MAX_NOTE) throw new ServiceError('BAD_USER_INPUT', `note is longer than ${MAX_NOTE} characters`);
  const verdict = await getVerdict(deps, caller, input.verdictId);
  if (!verdict) throw notFound('verdict', input.verdictId);
  const moderatorId = caller.userId;
  return deps.prisma.$transaction(async (tx) => {
    const decision = await tx.decision.create({
      data: { verdictId: verdict.id, moderatorId, action: input.action, reasonCode: input.reasonCode, note },
    });
    await appendAuditEvent(tx, {
      tenantId: caller.tenantId,
      actor: caller.actor,
      action: 'decision.made',
      subject: `verdict:${verdict.id}`,
      payload: {
        decisionId: decision.id,
        moderatorId,
        uploadId: verdict.uploadId,
        action: input.action,
        reasonCode: input.reasonCode,
        note,
        verdict: verdict.verdict,
        confidence: verdict.confidence,
      },
    });
    return decision;
  });
}

export interface DecisionFilter {
  verdictId?: string | null;
  moderatorId?: string | null;
  action?: DecisionAction[] | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
}

export function listDecisions(
  deps: ServiceDeps,
  caller: Caller,
  filter: DecisionFilter = {},
  first = 20,
  after?: string | null,
): Promise<Page<Decision>> {
  requireRole(caller, ...STAFF);
  const where: Prisma.DecisionWhereInput = {
    verdict: { upload: { tenantId: caller.tenantId } },
    ...(filter.verdictId ? { verdictId: filter.verdictId } : {}),
    ...(filter.moderatorId ? { moderatorId: filter.moderatorId } : {}),
    ...(filter.action?.length ? { action: { in: filter.action } } : {}),
    createdAt: dateRange(filter.createdAfter, filter.createdBefore),
  };
  return paginate(
    first,
    after,
    (page) => deps.prisma.decision.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], ...page }),
    () => deps.prisma.decision.count({ where }),
  );
}
