// How the audit page reads an event: its decision report link and its CSV row.
import type { AuditRow } from './queries';

export const AUDIT_CSV_HEADER = [
  'seq',
  'created_at',
  'actor',
  'action',
  'subject',
  'payload',
  'hash',
  'prev_hash',
];

export function auditCsvRow(e: AuditRow): string[] {
  return [e.seq, e.createdAt, e.actor, e.action, e.subject, JSON.stringify(e.payload), e.hash, e.prevHash];
}

/** The printable report of a decision event, when the event is one. */
export function reportHref(e: AuditRow): string | null {
  const p = (e.payload ?? {}) as Record<string, unknown>;
  const verdictId =
    typeof p.verdictId === 'string'
      ? p.verdictId
      : e.subject.startsWith('verdict:')
        ? e.subject.slice(8)
        : null;
  const decisionId = typeof p.decisionId === 'string' ? p.decisionId : null;
  return verdictId && decisionId ? `/report/${verdictId}/${decisionId}` : null;
}
