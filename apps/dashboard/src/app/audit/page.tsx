'use client';
import Link from 'next/link';
import { useCallback, useEffect, useState } from 'react';
import { AUDIT_CSV_HEADER, auditCsvRow, reportHref } from '../../lib/audit';
import { download, toCsv } from '../../lib/csv';
import { dateTime } from '../../lib/format';
import { auditEvents, type AuditQuery, type AuditRow, type Page } from '../../lib/queries';

/** The CSV holds at most this many events; narrow the filters for more. */
const CSV_LIMIT = 20000;
/** The API's largest page. */
const PAGE_MAX = 100;

export default function AuditPage() {
  const [filter, setFilter] = useState<AuditQuery>({});
  const [data, setData] = useState<Page<AuditRow> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);

  const load = useCallback(async (f: AuditQuery) => {
    try {
      setError(null);
      setData(await auditEvents(f, 100));
    } catch (err) {
      setError((err as Error).message);
    }
  }, []);

  useEffect(() => {
    void load(filter);
  }, [filter, load]);

  async function more() {
    if (!data?.endCursor) return;
    const next = await auditEvents(filter, 100, data.endCursor);
    setData({ ...next, nodes: [...data.nodes, ...next.nodes] });
  }

  async function exportCsv() {
    setExporting(true);
    try {
      const rows: AuditRow[] = [];
      let after: string | null = null;
      do {
        const p: Page<AuditRow> = await auditEvents(filter, PAGE_MAX, after);
        rows.push(...p.nodes);
        after = p.hasNextPage ? p.endCursor : null;
      } while (after && rows.length < CSV_LIMIT);
      download(
        `undub-audit-${new Date().toISOString().slice(0, 10)}.csv`,
        toCsv(AUDIT_CSV_HEADER, rows.map(auditCsvRow)),
      );
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setExporting(false);
    }
  }

  const set = (k: keyof AuditQuery) => (e: React.ChangeEvent<HTMLInputElement>) => {
    const v = e.target.value;
    const iso =
      k === 'createdAfter' || k === 'createdBefore' ? (v ? new Date(v).toISOString() : undefined) : v;
    setFilter((f) => ({ ...f, [k]: iso || undefined }));
  };

  return (
    <>
      <h1>Audit log {data && <span className="muted">({data.totalCount})</span>}</h1>
      <form className="filters" aria-label="Audit filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Action
          <input list="audit-actions" onChange={set('action')} placeholder="decision.made" />
          <datalist id="audit-actions">
            {[...new Set(data?.nodes.map((e) => e.action))].map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </label>
        <label>
          Subject
          <input onChange={set('subject')} placeholder="verdict:…" />
        </label>
        <label>
          Actor
          <input onChange={set('actor')} />
        </label>
        <label>
          From
          <input type="date" onChange={set('createdAfter')} />
        </label>
        <label>
          Before
          <input type="date" onChange={set('createdBefore')} />
        </label>
        <button type="button" onClick={exportCsv} disabled={exporting}>
          {exporting ? 'Exporting…' : 'Export CSV'}
        </button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <table className="data" aria-label="Audit events">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Time</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Subject</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {data?.nodes.map((e) => {
            const report = reportHref(e);
            return (
              <tr key={e.seq}>
                <td className="muted">{e.seq}</td>
                <td className="muted">{dateTime(e.createdAt)}</td>
                <td>{e.actor}</td>
                <td>{e.action}</td>
                <td style={{ overflowWrap: 'anywhere' }}>{e.subject}</td>
                <td>
                  <code style={{ fontSize: '0.8em', overflowWrap: 'anywhere' }}>
                    {JSON.stringify(e.payload)}
                  </code>
                  {report && (
                    <div>
                      <Link href={report}>Decision report</Link>
                    </div>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {data?.hasNextPage && (
        <button type="button" onClick={more}>
          Load more
        </button>
      )}
    </>
  );
}
