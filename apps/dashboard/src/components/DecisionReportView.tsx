'use client';
// A printable record of one decision: what was uploaded, what the system found (evidence), what the
// moderator decided and why, which models and settings produced the verdict, and whether the audit chain
// that records it verifies.
import { useEffect, useState } from 'react';
import { lanesOf } from './EvidenceTimeline';
import { actionLabel, dateTime, percent, routingLabel, verdictLabel } from '../lib/format';
import { decisionReport, type DecisionReport } from '../lib/queries';
import styles from './DecisionReportView.module.css';

export function DecisionReportView({ verdictId, decisionId }: { verdictId: string; decisionId: string }) {
  const [report, setReport] = useState<DecisionReport | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    decisionReport(verdictId, decisionId)
      .then(setReport)
      .catch((err: Error) => setError(err.message));
  }, [verdictId, decisionId]);

  if (error)
    return (
      <p role="alert" className="error">
        {error}
      </p>
    );
  if (report === undefined) return <p className="muted">Loading…</p>;
  if (report === null) return <p className="error">No such decision on this verdict.</p>;

  const { item, decision, chain } = report;
  return (
    <article className={styles.report}>
      <header className={styles.head}>
        <h1>Moderation decision report</h1>
        <button type="button" className="noprint" onClick={() => window.print()}>
          Print
        </button>
      </header>
      <dl className={styles.facts}>
        <dt>Upload</dt>
        <dd>
          {item.fileName} <span className="muted">({item.uploadId})</span>
        </dd>
        <dt>Received</dt>
        <dd>{dateTime(item.createdAt)}</dd>
        <dt>Verdict</dt>
        <dd>
          {verdictLabel[item.verdict]}, confidence {percent(item.confidence)},{' '}
          {routingLabel[item.routing].toLowerCase()} <span className="muted">({item.verdictId})</span>
        </dd>
        <dt>Matched original</dt>
        <dd>
          {item.original
            ? `${item.original.title}${item.original.owner ? ` (${item.original.owner})` : ''}`
            : 'none'}
        </dd>
        <dt>Decision</dt>
        <dd>
          <strong>{actionLabel[decision.action]}</strong>, reason <code>{decision.reasonCode}</code>, by{' '}
          {decision.moderator}, {dateTime(decision.createdAt)} <span className="muted">({decision.id})</span>
        </dd>
        <dt>Note</dt>
        <dd>{decision.note || '–'}</dd>
        <dt>Audit chain</dt>
        <dd>
          {chain === null
            ? 'not verified (verification needs an administrator)'
            : chain.ok
              ? `verified: ${chain.checked} events, no break`
              : `BROKEN at ${chain.broken.map((b) => `#${b.seq} (${b.reason})`).join(', ')} of ${chain.checked} events`}
        </dd>
      </dl>

      <h2>Evidence</h2>
      {item.evidence.reviewReasons.length > 0 && (
        <ul>
          {item.evidence.reviewReasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}
      <table className="data">
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col">Finding</th>
          </tr>
        </thead>
        <tbody>
          {lanesOf(item.evidence).flatMap((lane) =>
            lane.segments.map((s, i) => (
              <tr key={`${lane.name}-${i}`}>
                <td>{lane.name}</td>
                <td>{s.label}</td>
              </tr>
            )),
          )}
        </tbody>
      </table>

      <h2>Models and settings</h2>
      <table className="data">
        <tbody>
          {Object.entries(item.modelVersions).map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td>{typeof v === 'string' ? v : <code>{JSON.stringify(v)}</code>}</td>
            </tr>
          ))}
          <tr>
            <th scope="row">configuration</th>
            <td>{report.configVersion}</td>
          </tr>
        </tbody>
      </table>

      <h2>Audit trail of this verdict</h2>
      <table className="data">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Time</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Hash</th>
          </tr>
        </thead>
        <tbody>
          {report.auditTrail.map((e) => (
            <tr key={e.seq}>
              <td>{e.seq}</td>
              <td>{dateTime(e.createdAt)}</td>
              <td>{e.actor}</td>
              <td>{e.action}</td>
              <td>
                <code className={styles.hash}>{e.hash}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">Generated {dateTime(new Date().toISOString())} by undub.</p>
    </article>
  );
}
