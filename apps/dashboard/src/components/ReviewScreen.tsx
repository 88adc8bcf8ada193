'use client';
// The review page: picture and switchable stems, their waveforms and spectrograms, the evidence timeline,
// the matched original side by side, and the decision panel that moves on to the next item in place.
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import { actionLabel, clock, dateTime, routingLabel } from '../lib/format';
import { isShortcut } from '../lib/keys';
import { decide, nextInQueue, reviewItemById } from '../lib/queries';
import type { DecisionInput, ReviewItem } from '../lib/types';
import { ConfidenceBar } from './ConfidenceBar';
import { DecisionPanel } from './DecisionPanel';
import { EvidenceTimeline } from './EvidenceTimeline';
import { OriginalSideBySide } from './OriginalSideBySide';
import { StemPlayer, type StemPlayerHandle } from './StemPlayer';
import { StemVisual } from './StemVisual';
import styles from './ReviewScreen.module.css';

export function ReviewScreen({ verdictId }: { verdictId: string }) {
  const router = useRouter();
  const [item, setItem] = useState<ReviewItem | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [time, setTime] = useState(0);
  const player = useRef<StemPlayerHandle>(null);

  useEffect(() => {
    let live = true;
    setItem(null);
    setTime(0);
    reviewItemById(verdictId)
      .then((it) => {
        if (!live) return;
        if (it) setItem(it);
        else setError('This verdict does not exist or is not yours to review.');
      })
      .catch((err: Error) => live && setError(err.message));
    return () => {
      live = false;
    };
  }, [verdictId]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && isShortcut(e)) router.push('/queue');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [router]);

  const onDecide = useCallback(
    async (input: DecisionInput) => {
      await decide(verdictId, input);
      const next = await nextInQueue(verdictId);
      router.push(next ? `/review/${next}` : '/queue');
    },
    [verdictId, router],
  );

  if (error)
    return (
      <p role="alert" className="error">
        {error} <Link href="/queue">Back to the queue</Link>
      </p>
    );
  if (!item) return <p className="muted">Loading…</p>;

  const duration = item.evidence.duration || item.durationSeconds || 1;
  return (
    <div className={styles.grid} data-ready="true" data-verdict={item.verdictId}>
      <div className={styles.main}>
        <header className={styles.header}>
          <h1>{item.fileName}</h1>
          <ConfidenceBar verdict={item.verdict} confidence={item.confidence} />
          <span className="muted">
            {routingLabel[item.routing]} · received {dateTime(item.createdAt)} · at {clock(time)}
          </span>
        </header>
        <div className={item.original ? styles.pair : undefined}>
          <section aria-label="Upload">
            <StemPlayer ref={player} videoUrl={item.videoUrl} stems={item.stems} onTime={setTime} />
          </section>
          {item.original && (
            <section aria-label="Matched original">
              <OriginalSideBySide original={item.original} evidence={item.evidence} player={player} />
            </section>
          )}
        </div>
        <section className="panel" aria-label="Evidence">
          <h2>Evidence</h2>
          <EvidenceTimeline
            evidence={item.evidence}
            currentTime={time}
            onSeek={(t) => player.current?.seek(t)}
          />
        </section>
        <section className={`panel ${styles.visuals}`} aria-label="Waveforms and spectrograms">
          {item.stems.map((s) => (
            <StemVisual key={s.kind} stem={s} progress={Math.min(1, time / duration)} />
          ))}
        </section>
      </div>
      <aside className={styles.side}>
        {item.evidence.reviewReasons.length > 0 && (
          <section className="panel" aria-label="Why it is in review">
            <h2>Why review</h2>
            <ul className={styles.reasons}>
              {item.evidence.reviewReasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          </section>
        )}
        <section className="panel">
          <DecisionPanel onDecide={onDecide} />
        </section>
        {item.decisions.length > 0 && (
          <section className="panel" aria-label="Earlier decisions">
            <h2>Earlier decisions</h2>
            <ul className={styles.reasons}>
              {item.decisions.map((d) => (
                <li key={d.id}>
                  {actionLabel[d.action]} ({d.reasonCode}) by {d.moderator}, {dateTime(d.createdAt)}{' '}
                  <Link href={`/report/${item.verdictId}/${d.id}`}>report</Link>
                </li>
              ))}
            </ul>
          </section>
        )}
        <p className="muted" style={{ fontSize: '0.85em' }}>
          <kbd>1</kbd>–<kbd>4</kbd> soundtrack, <kbd>Space</kbd> play, <kbd>C</kbd>/<kbd>O</kbd>/<kbd>E</kbd>{' '}
          decision, <kbd>Ctrl+Enter</kbd> submit, <kbd>Esc</kbd> queue.
        </p>
      </aside>
    </div>
  );
}
