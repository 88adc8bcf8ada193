export { appendAuditEvent, type AuditEventInput } from './append';
export { verifyAuditChain, type AuditChainReport, type BrokenAuditRow } from './verify';
