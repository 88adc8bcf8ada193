// The audit chain's hash: sha256 over the previous row's hash and this row's content, in a
// canonical JSON form (sorted keys) because jsonb does not keep the key order it was given.
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export interface HashedFields {
  prevHash: string;
  tenantId: string | null;
  actor: string;
  action: string;
  subject: string;
  payload: unknown;
  dedupeKey: string | null;
  createdAt: Date;
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** Hash of a row (extra properties such as seq or hash itself are not part of it). */
export function auditHash(f: HashedFields): string {
  const content = canonicalJson({
    prevHash: f.prevHash,
    tenantId: f.tenantId,
    actor: f.actor,
    action: f.action,
    subject: f.subject,
    payload: f.payload,
    dedupeKey: f.dedupeKey,
    createdAt: f.createdAt.toISOString(),
  });
  return createHash('sha256').update(content).digest('hex');
}
