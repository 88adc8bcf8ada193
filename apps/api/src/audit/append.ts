// Appending to the audit log. Appends are serialised (one transaction-scoped advisory lock), so
// each row's prevHash is the hash of the row before it; a dedupeKey makes a retried append a no-op.
import type { AuditEvent, Prisma, PrismaClient } from '../generated/prisma/client';
import { auditHash, GENESIS_HASH } from './hash';

export interface AuditEventInput {
  tenantId?: string | null;
  /** Who acted: a user id, an API key id, or a system component like `worker`. */
  actor: string;
  /** What happened, e.g. `upload.created`, `verdict.recorded`, `decision.made`. */
  action: string;
  /** What it happened to, e.g. `upload:<id>`. */
  subject: string;
  payload?: Prisma.InputJsonValue;
  /** Same key, same event: a second append with it returns the first row and adds nothing. */
  dedupeKey?: string;
}

type Db = PrismaClient | Prisma.TransactionClient;

// Arbitrary constant identifying the audit log's lock among the app's advisory locks.
const AUDIT_LOCK = 7_240_311;

async function appendLocked(tx: Prisma.TransactionClient, input: AuditEventInput): Promise<AuditEvent> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_LOCK})`;
  if (input.dedupeKey) {
    const existing = await tx.auditEvent.findUnique({ where: { dedupeKey: input.dedupeKey } });
    if (existing) return existing;
  }
  const last = await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { hash: true } });
  const fields = {
    prevHash: last?.hash ?? GENESIS_HASH,
    tenantId: input.tenantId ?? null,
    actor: input.actor,
    action: input.action,
    subject: input.subject,
    payload: input.payload ?? {},
    dedupeKey: input.dedupeKey ?? null,
    createdAt: new Date(),
  };
  return tx.auditEvent.create({ data: { ...fields, hash: auditHash(fields) } });
}

/** Appends one event; inside a caller's transaction when given one, so it commits with its work. */
export function appendAuditEvent(db: Db, input: AuditEventInput): Promise<AuditEvent> {
  // Appends queue behind one lock, so a busy moment can keep one waiting longer than Prisma's defaults.
  if ('$transaction' in db)
    return db.$transaction((tx) => appendLocked(tx, input), { maxWait: 30_000, timeout: 30_000 });
  return appendLocked(db, input);
}
