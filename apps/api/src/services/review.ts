// The moderators' side: the review queue, verdicts and decisions, scoped to the caller's tenant
// through the verdict's upload. A decision is final when it confirms or clears; escalation keeps
// the verdict open for a senior moderator (Verdict.reviewStatus, kept by a database trigger).
import { appendAuditEvent } from '../audit';
import type {
  Decision,
  DecisionAction,
  OriginalWork,
  Prisma,
  Upload,
  Verdict,
} from '../generated/prisma/client';
import { requireRole, STAFF, type Caller } from './caller';
import type { ServiceDeps } from './deps';
import { inTransaction } from './transactions';
import { notFound, ServiceError } from './errors';
import { dateRange, paginate, type Page } from './pagination';

export { reviewQueue, type ReviewQueueFilter, type ReviewSort } from './review-queue';

export type VerdictWithUpload = Omit<Verdict, 'evidence' | 'modelVersions'> &
  Partial<Pick<Verdict, 'evidence' | 'modelVersions'>> & {
    upload: Upload;
    originalWork?: OriginalWork | null;
  };

export function getVerdict(deps: ServiceDeps, caller: Caller, id: string): Promise<VerdictWithUpload | null> {
  return deps.prisma.verdict.findFirst({
    where: { id, upload: { tenantId: caller.tenantId } },
    include: { upload: true },
  });
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
    throw new ServiceError(
      'FORBIDDEN',
      'decisions are made by a signed-in moderator or a key bound to a user',
    );
  if (!REASON_CODE.test(input.reasonCode))
    throw new ServiceError('BAD_USER_INPUT', 'reasonCode must be 1-64 letters, digits, _ . or -');
  const note = input.note?.trim() || null;
  if (note && note.length > MAX_NOTE)
    throw new ServiceError('BAD_USER_INPUT', `note is longer than ${MAX_NOTE} characters`);
  const verdict = await getVerdict(deps, caller, input.verdictId);
  if (!verdict) throw notFound('verdict', input.verdictId);
  const moderatorId = caller.userId;
  return inTransaction(deps.prisma, async (tx) => {
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
    (page) =>
      deps.prisma.decision.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], ...page }),
    () => deps.prisma.decision.count({ where }),
  );
}
