// Reading the tenant's audit log (newest first) and checking the chain. Appending is the audit
// module's job; services call appendAuditEvent in the transaction of the change they record.
import { verifyAuditChain, type AuditChainReport } from '../audit';
import type { AuditEvent, Prisma } from '../generated/prisma/client';
import { requireRole, STAFF, type Caller } from './caller';
import type { ServiceDeps } from './deps';
import { checkFirst, dateRange, type Page } from './pagination';
import { ServiceError } from './errors';

export interface AuditEventFilter {
  action?: string | null;
  subject?: string | null;
  actor?: string | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
}

// AuditEvent's key is a bigint sequence, not an id: its cursor is the seq as a string.
export async function listAuditEvents(
  deps: ServiceDeps,
  caller: Caller,
  filter: AuditEventFilter = {},
  first = 50,
  after?: string | null,
): Promise<Page<AuditEvent>> {
  requireRole(caller, ...STAFF);
  checkFirst(first);
  if (after && !/^\d{1,19}$/.test(after)) throw new ServiceError('BAD_USER_INPUT', `unknown cursor ${after}`);
  const where: Prisma.AuditEventWhereInput = {
    tenantId: caller.tenantId,
    ...(filter.action ? { action: filter.action } : {}),
    ...(filter.subject ? { subject: filter.subject } : {}),
    ...(filter.actor ? { actor: filter.actor } : {}),
    createdAt: dateRange(filter.createdAfter, filter.createdBefore),
  };
  const rows = await deps.prisma.auditEvent.findMany({
    where: { ...where, ...(after ? { seq: { lt: BigInt(after) } } : {}) },
    orderBy: { seq: 'desc' },
    take: first + 1,
  });
  const nodes = rows.slice(0, first);
  return {
    nodes,
    pageInfo: { endCursor: nodes.at(-1)?.seq.toString() ?? null, hasNextPage: rows.length > first },
    totalCount: () => deps.prisma.auditEvent.count({ where }),
  };
}

/** The whole chain spans every tenant (one chain), so only admins may run the check. */
export function auditChainStatus(deps: ServiceDeps, caller: Caller): Promise<AuditChainReport> {
  requireRole(caller, 'admin');
  return verifyAuditChain(deps.prisma);
}
