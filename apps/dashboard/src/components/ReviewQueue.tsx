'use client';
// The review queue as a keyboard-first table: J/K move the active row, Enter opens it, X selects it for
// bulk actions (admins only). The active row takes focus so screen readers announce it.
import { useEffect, useRef, useState } from 'react';
import { actionLabel, dateTime, routingLabel } from '../lib/format';
import { isShortcut } from '../lib/keys';
import type { DecisionAction, QueueItem } from '../lib/types';
import { ConfidenceBar } from './ConfidenceBar';
import styles from './ReviewQueue.module.css';

export interface ReviewQueueProps {
  items: QueueItem[];
  onOpen: (item: QueueItem) => void;
  /** Present for admins: decides every selected item at once. */
  onBulk?: (action: DecisionAction, reasonCode: string, verdictIds: string[]) => Promise<void>;
}

const BULK_REASON: Record<DecisionAction, string> = {
  confirm_reupload: 'bulk_confirmed',
  clear_original: 'bulk_cleared',
  escalate: 'bulk_escalated',
};

export function ReviewQueue({ items, onOpen, onBulk }: ReviewQueueProps) {
  const [active, setActive] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const rows = useRef<(HTMLTableRowElement | null)[]>([]);
  const moved = useRef(false);

  useEffect(() => {
    setActive((a) => Math.min(a, Math.max(0, items.length - 1)));
    setSelected((s) => new Set([...s].filter((id) => items.some((i) => i.verdictId === id))));
  }, [items]);

  useEffect(() => {
    if (!moved.current) return;
    rows.current[active]?.focus();
  }, [active]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!isShortcut(e) || items.length === 0) return;
      const key = e.key.toLowerCase();
      if (key === 'j' || key === 'k') {
        e.preventDefault();
        moved.current = true;
        setActive((a) => Math.max(0, Math.min(items.length - 1, a + (key === 'j' ? 1 : -1))));
      } else if (e.key === 'Enter') {
        const item = items[active];
        // Enter on a button or link keeps its own meaning.
        const tag = (e.target as HTMLElement | null)?.tagName;
        if (item && tag !== 'BUTTON' && tag !== 'A') {
          e.preventDefault();
          onOpen(item);
        }
      } else if (key === 'x' && onBulk) {
        const item = items[active];
        if (item) toggle(item.verdictId);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  function toggle(id: string) {
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }

  async function bulk(action: DecisionAction) {
    if (!onBulk || selected.size === 0) return;
    setBusy(true);
    try {
      await onBulk(action, BULK_REASON[action], [...selected]);
      setSelected(new Set());
    } finally {
      setBusy(false);
    }
  }

  if (items.length === 0) return <p className={styles.empty}>Nothing waiting for review.</p>;

  return (
    <div>
      {onBulk && (
        <div className={styles.bulk} role="toolbar" aria-label="Bulk actions">
          <span aria-live="polite">{selected.size} selected</span>
          {(Object.keys(actionLabel) as DecisionAction[]).map((a) => (
            <button key={a} type="button" disabled={busy || selected.size === 0} onClick={() => bulk(a)}>
              {actionLabel[a]}
            </button>
          ))}
        </div>
      )}
      <table role="grid" className={styles.table} aria-label="Review queue" aria-describedby="queue-keys">
        <thead>
          <tr>
            {onBulk && (
              <th scope="col">
                <span className="sr-only">Select</span>
              </th>
            )}
            <th scope="col">
              <span className="sr-only">Thumbnail</span>
            </th>
            <th scope="col">Upload</th>
            <th scope="col">Verdict</th>
            <th scope="col">Routing</th>
            <th scope="col">Music</th>
            <th scope="col">Received</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item, i) => (
            <tr
              key={item.verdictId}
              ref={(el) => {
                rows.current[i] = el;
              }}
              tabIndex={i === active ? 0 : -1}
              aria-selected={i === active}
              data-active={i === active || undefined}
              className={styles.row}
              onClick={() => setActive(i)}
              onDoubleClick={() => onOpen(item)}
              onFocus={() => setActive(i)}
            >
              {onBulk && (
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select ${item.fileName}`}
                    checked={selected.has(item.verdictId)}
                    onChange={() => toggle(item.verdictId)}
                  />
                </td>
              )}
              <td>
                {item.thumbnailUrl ? (
                  <img
                    className={styles.thumb}
                    src={item.thumbnailUrl}
                    alt=""
                    loading="lazy"
                    width={96}
                    height={54}
                  />
                ) : (
                  <span className={styles.thumb} aria-hidden="true" />
                )}
              </td>
              <td>
                <a
                  href={`/review/${item.verdictId}`}
                  onClick={(e) => {
                    e.preventDefault();
                    onOpen(item);
                  }}
                >
                  {item.fileName}
                </a>
                {item.originalTitle && <div className={styles.sub}>matches {item.originalTitle}</div>}
              </td>
              <td>
                <ConfidenceBar verdict={item.verdict} confidence={item.confidence} />
              </td>
              <td>{routingLabel[item.routing]}</td>
              <td>{item.musicIdentified ? 'Identified' : '–'}</td>
              <td className={styles.sub}>{dateTime(item.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p id="queue-keys" className={styles.keys}>
        <kbd>J</kbd>/<kbd>K</kbd> move, <kbd>Enter</kbd> opens{onBulk ? ', X selects' : ''}.
      </p>
    </div>
  );
}
