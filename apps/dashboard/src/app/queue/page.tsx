'use client';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useState } from 'react';
import { ReviewQueue } from '../../components/ReviewQueue';
import { decide, reviewQueue, type Page, type QueueQuery } from '../../lib/queries';
import { readSession } from '../../lib/session';
import type { DecisionAction, QueueItem } from '../../lib/types';

const DEFAULT: QueueQuery = {
  routing: ['review'],
  verdict: [],
  status: ['pending', 'escalated'],
  sort: 'confidence_asc',
};

export default function QueuePage() {
  const router = useRouter();
  const [q, setQ] = useState<QueueQuery>(DEFAULT);
  const [data, setData] = useState<Page<QueueItem> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const isAdmin = readSession()?.role === 'admin';

  const load = useCallback(async (query: QueueQuery) => {
    try {
      setError(null);
      setData(await reviewQueue(query, 100));
    } catch (err) {
      setError((err as Error).message);
    }
  }, []);

  useEffect(() => {
    void load(q);
  }, [q, load]);

  async function more() {
    if (!data?.endCursor) return;
    const next = await reviewQueue(q, 100, data.endCursor);
    setData({ ...next, nodes: [...data.nodes, ...next.nodes] });
  }

  async function bulk(action: DecisionAction, reasonCode: string, ids: string[]) {
    const failed: string[] = [];
    for (const id of ids) {
      await decide(id, { action, reasonCode, note: 'bulk decision from the review queue' }).catch(() =>
        failed.push(id),
      );
    }
    if (failed.length) setError(`${failed.length} of ${ids.length} decisions failed.`);
    await load(q);
  }

  const set = <K extends keyof QueueQuery>(k: K, v: QueueQuery[K]) => setQ((old) => ({ ...old, [k]: v }));
  const band = (v: string) => (v === '' ? undefined : Number(v) / 100);

  return (
    <>
      <h1>Review queue {data && <span className="muted">({data.totalCount})</span>}</h1>
      <form className="filters" aria-label="Queue filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Routing
          <select
            value={q.routing.join(',')}
            onChange={(e) =>
              set('routing', e.target.value ? (e.target.value.split(',') as QueueQuery['routing']) : [])
            }
          >
            <option value="review">Routed to review</option>
            <option value="auto_flag">Auto-flagged</option>
            <option value="auto_clear">Auto-cleared</option>
            <option value="">Any</option>
          </select>
        </label>
        <label>
          Verdict
          <select
            value={q.verdict.join(',')}
            onChange={(e) =>
              set('verdict', e.target.value ? (e.target.value.split(',') as QueueQuery['verdict']) : [])
            }
          >
            <option value="">Any</option>
            <option value="reupload">Re-upload</option>
            <option value="uncertain">Uncertain</option>
            <option value="original">Original</option>
          </select>
        </label>
        <label>
          Status
          <select
            value={q.status.join(',')}
            onChange={(e) =>
              set('status', e.target.value ? (e.target.value.split(',') as QueueQuery['status']) : [])
            }
          >
            <option value="pending,escalated">Open</option>
            <option value="pending">Pending</option>
            <option value="escalated">Escalated</option>
            <option value="decided">Decided</option>
            <option value="">Any</option>
          </select>
        </label>
        <label>
          Confidence from %
          <input
            type="number"
            min={0}
            max={100}
            style={{ width: '5rem' }}
            onChange={(e) => set('confidenceMin', band(e.target.value))}
          />
        </label>
        <label>
          to %
          <input
            type="number"
            min={0}
            max={100}
            style={{ width: '5rem' }}
            onChange={(e) => set('confidenceMax', band(e.target.value))}
          />
        </label>
        <label>
          Music
          <select
            onChange={(e) =>
              set('musicIdentified', e.target.value === '' ? undefined : e.target.value === 'yes')
            }
          >
            <option value="">Any</option>
            <option value="yes">Identified</option>
            <option value="no">None identified</option>
          </select>
        </label>
        <label>
          Sort
          <select value={q.sort} onChange={(e) => set('sort', e.target.value as QueueQuery['sort'])}>
            <option value="confidence_asc">Least confident first</option>
            <option value="confidence_desc">Most confident first</option>
            <option value="oldest_first">Oldest first</option>
            <option value="newest_first">Newest first</option>
          </select>
        </label>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {data ? (
        <>
          <ReviewQueue
            items={data.nodes}
            onOpen={(item) => router.push(`/review/${item.verdictId}`)}
            onBulk={isAdmin ? bulk : undefined}
          />
          {data.hasNextPage && (
            <button type="button" onClick={more}>
              Load more
            </button>
          )}
        </>
      ) : (
        !error && <p className="muted">Loading…</p>
      )}
    </>
  );
}
