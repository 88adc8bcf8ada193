// Transactions of the services. Audit appends are serialised (one lock for the chain), so under a
// burst of writes a transaction may wait its turn for seconds: a queue, not a failure. Prisma's
// defaults (2 s to get a connection, 5 s to finish) would turn that wait into errors.
import { appendAuditEvent, type AuditEventInput } from '../audit';
import type { Prisma, PrismaClient } from '../generated/prisma/client';

const OPTIONS = { maxWait: 60_000, timeout: 60_000 };

export function inTransaction<T>(
  prisma: PrismaClient,
  fn: (tx: Prisma.TransactionClient) => Promise<T>,
): Promise<T> {
  return prisma.$transaction(fn, OPTIONS);
}

/** Appends an audit event on its own (for changes made outside a transaction of the service). */
export async function audit(prisma: PrismaClient, input: AuditEventInput): Promise<void> {
  await inTransaction(prisma, (tx) => appendAuditEvent(tx, input));
}
