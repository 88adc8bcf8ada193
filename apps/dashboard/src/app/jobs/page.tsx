'use client';
import { useState } from 'react';
import { dateTime, percent } from '../../lib/format';
import { jobAction, jobs } from '../../lib/queries';
import { usePolling } from '../../lib/usePolling';

const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

export default function JobsPage() {
  const [status, setStatus] = useState<string[]>([]);
  const { data, error, refresh } = usePolling(() => jobs(status, 100), 2000, status.join());
  const [actionError, setActionError] = useState<string | null>(null);

  async function act(kind: 'retryJob' | 'cancelJob', id: string) {
    try {
      setActionError(null);
      await jobAction(kind, id);
      await refresh();
    } catch (err) {
      setActionError((err as Error).message);
    }
  }

  return (
    <>
      <h1>Jobs {data && <span className="muted">({data.totalCount})</span>}</h1>
      <fieldset className="filters" style={{ border: 0, padding: 0 }}>
        <legend className="sr-only">Status</legend>
        {STATUSES.map((s) => (
          <label key={s} style={{ flexDirection: 'row', alignItems: 'center' }}>
            <input
              type="checkbox"
              checked={status.includes(s)}
              onChange={(e) => setStatus(e.target.checked ? [...status, s] : status.filter((x) => x !== s))}
            />
            {s}
          </label>
        ))}
        <span className="muted" aria-live="polite">
          refreshed every 2 s
        </span>
      </fieldset>
      {(error || actionError) && (
        <p role="alert" className="error">
          {error ?? actionError}
        </p>
      )}
      <table className="data" aria-label="Jobs">
        <thead>
          <tr>
            <th scope="col">Subject</th>
            <th scope="col">Kind</th>
            <th scope="col">Status</th>
            <th scope="col">Progress</th>
            <th scope="col">Attempts</th>
            <th scope="col">Updated</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {data?.nodes.map((j) => (
            <tr key={j.id}>
              <td>{j.subject}</td>
              <td>{j.kind.toLowerCase().replace('_', ' ')}</td>
              <td>
                {j.status.toLowerCase()}
                {j.errorCode && (
                  <div className="error">
                    {j.errorCode}: {j.errorMessage}
                  </div>
                )}
              </td>
              <td>
                <progress max={1} value={j.progress} aria-label={`${j.subject} progress`} />{' '}
                {percent(j.progress)}
                {j.stage && <div className="muted">{j.stage}</div>}
              </td>
              <td>{j.attempts}</td>
              <td className="muted">{dateTime(j.updatedAt)}</td>
              <td>
                {(j.status === 'FAILED' || j.status === 'CANCELLED') && (
                  <button type="button" onClick={() => act('retryJob', j.id)}>
                    Retry
                  </button>
                )}
                {(j.status === 'QUEUED' || j.status === 'RUNNING') && (
                  <button type="button" onClick={() => act('cancelJob', j.id)}>
                    Cancel
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
