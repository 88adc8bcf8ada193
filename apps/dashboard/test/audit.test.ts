import { describe, expect, it } from 'vitest';
import { AUDIT_CSV_HEADER, auditCsvRow, reportHref } from '../src/lib/audit';
import { toCsv } from '../src/lib/csv';
import type { AuditRow } from '../src/lib/queries';

const event = (over: Partial<AuditRow> = {}): AuditRow => ({
  seq: '7',
  actor: 'user:u1',
  action: 'decision.made',
  subject: 'verdict:v1',
  payload: { decisionId: 'd1', note: 'said "no", twice\nreally', action: 'confirm_reupload' },
  hash: 'h7',
  prevHash: 'h6',
  createdAt: '2026-11-25T10:00:00.000Z',
  ...over,
});

describe('audit export', () => {
  it('writes RFC 4180 CSV: quoted commas, quotes and line breaks; formulas defused', () => {
    const csv = toCsv(
      ['a', 'b'],
      [
        ['x,y', 'say "hi"'],
        ['line\nbreak', '=SUM(A1)'],
        [null, 3],
      ],
    );
    expect(csv).toBe('a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",\'=SUM(A1)\r\n,3\r\n');
  });

  it('keeps every field of an event, payload as JSON', () => {
    const csv = toCsv(AUDIT_CSV_HEADER, [auditCsvRow(event())]);
    const [header, row] = csv.split('\r\n');
    expect(header).toBe('seq,created_at,actor,action,subject,payload,hash,prev_hash');
    expect(
      row.startsWith('7,2026-11-25T10:00:00.000Z,user:u1,decision.made,verdict:v1,"{""decisionId"":""d1""'),
    ).toBe(true);
    expect(csv.trimEnd().endsWith(',h7,h6')).toBe(true);
  });

  it('links decision events to their report, and nothing else', () => {
    expect(reportHref(event())).toBe('/report/v1/d1');
    expect(
      reportHref(event({ action: 'verdict.created', subject: 'upload:u1', payload: { verdictId: 'v1' } })),
    ).toBeNull();
  });
});
