// Walks the whole audit chain in order and reports the rows whose stored hash does not match
// their content (edited rows) or whose prevHash does not match the row before (deleted or
// re-hashed rows).
import type { PrismaClient } from '../generated/prisma/client';
import { auditHash, GENESIS_HASH } from './hash';

export interface BrokenAuditRow {
  seq: bigint;
  reason: 'content_changed' | 'chain_broken';
}

export interface AuditChainReport {
  ok: boolean;
  checked: number;
  /** In chain order; the first entry is where tampering starts. */
  broken: BrokenAuditRow[];
}

const BATCH = 1000;

export async function verifyAuditChain(prisma: PrismaClient): Promise<AuditChainReport> {
  const broken: BrokenAuditRow[] = [];
  let checked = 0;
  let prevHash = GENESIS_HASH;
  let after: bigint | undefined;
  for (;;) {
    const rows = await prisma.auditEvent.findMany({
      where: after === undefined ? {} : { seq: { gt: after } },
      orderBy: { seq: 'asc' },
      take: BATCH,
    });
    for (const row of rows) {
      if (row.prevHash !== prevHash) broken.push({ seq: row.seq, reason: 'chain_broken' });
      else if (auditHash(row) !== row.hash) broken.push({ seq: row.seq, reason: 'content_changed' });
      prevHash = row.hash;
      checked++;
    }
    if (rows.length < BATCH) break;
    after = rows[rows.length - 1].seq;
  }
  return { ok: broken.length === 0, checked, broken };
}
