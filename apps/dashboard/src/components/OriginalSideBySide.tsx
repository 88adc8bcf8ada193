'use client';
// The matched original work, muted, kept on the frame aligned with what the upload shows now.
import { useEffect, useRef, useState, type RefObject } from 'react';
import { alignedOffset } from '../lib/evidence';
import { clock } from '../lib/format';
import type { Evidence, OriginalRef } from '../lib/types';
import type { StemPlayerHandle } from './StemPlayer';
import styles from './OriginalSideBySide.module.css';

/** The original is re-seeked only beyond this drift (seconds): seeking every tick stutters. */
const MAX_DRIFT = 0.25;

export function OriginalSideBySide({
  original,
  evidence,
  player,
}: {
  original: OriginalRef;
  evidence: Evidence;
  player: RefObject<StemPlayerHandle | null>;
}) {
  const ref = useRef<HTMLVideoElement>(null);
  const [offset, setOffset] = useState<number | null>(null);

  useEffect(() => {
    const upload = player.current?.video;
    const orig = ref.current;
    if (!upload || !orig) return;
    const align = () => {
      const at = alignedOffset(evidence, upload.currentTime);
      setOffset(at);
      if (at === null) {
        orig.pause();
        return;
      }
      if (Math.abs(orig.currentTime - at) > MAX_DRIFT) orig.currentTime = at;
      if (!upload.paused && orig.paused) void orig.play().catch(() => undefined);
      if (upload.paused && !orig.paused) orig.pause();
    };
    const events = ['timeupdate', 'seeked', 'play', 'pause'] as const;
    for (const ev of events) upload.addEventListener(ev, align);
    align();
    return () => {
      for (const ev of events) upload.removeEventListener(ev, align);
    };
  }, [evidence, player]);

  return (
    <figure className={styles.figure}>
      {original.videoUrl ? (
        <video
          ref={ref}
          className={styles.video}
          src={original.videoUrl}
          muted
          playsInline
          preload="metadata"
          aria-label={`Matched original: ${original.title}`}
        />
      ) : (
        <div className={styles.none}>The original's video is not stored.</div>
      )}
      <figcaption>
        <strong>{original.title}</strong>
        {original.owner && <span className="muted"> · {original.owner}</span>}
        <div className="muted" aria-live="polite">
          {offset === null
            ? 'No aligned segment at this point'
            : `Aligned at ${clock(offset)} of the original`}
        </div>
      </figcaption>
    </figure>
  );
}
