'use client';
// The upload's picture with a switchable soundtrack. The video plays muted and is the clock; one <audio>
// per stem follows video.currentTime, and only the chosen one plays, so A/B switching keeps the position.
import { useEffect, useImperativeHandle, useRef, useState, type Ref } from 'react';
import { stemLabel } from '../lib/format';
import { isShortcut } from '../lib/keys';
import type { StemKind, StemMedia } from '../lib/types';
import styles from './StemPlayer.module.css';

export interface StemPlayerHandle {
  seek(seconds: number): void;
  readonly video: HTMLVideoElement | null;
}

export interface StemPlayerProps {
  videoUrl: string | null;
  stems: StemMedia[];
  initialStem?: StemKind;
  onTime?: (seconds: number) => void;
  onStemChange?: (kind: StemKind) => void;
  ref?: Ref<StemPlayerHandle>;
}

const ORDER: StemKind[] = ['mixture', 'ost', 'bgm', 'speech'];
/** Beyond this drift (seconds) the playing stem is put back on the picture's time. */
const MAX_DRIFT = 0.08;

export function StemPlayer({ videoUrl, stems, initialStem, onTime, onStemChange, ref }: StemPlayerProps) {
  const available = ORDER.filter((k) => stems.some((s) => s.kind === k));
  const [active, setActive] = useState<StemKind>(
    initialStem && available.includes(initialStem) ? initialStem : (available[0] ?? 'mixture'),
  );
  const video = useRef<HTMLVideoElement>(null);
  const audios = useRef<Partial<Record<StemKind, HTMLAudioElement | null>>>({});
  const activeRef = useRef(active);
  activeRef.current = active;

  const current = () => audios.current[activeRef.current] ?? null;

  useImperativeHandle(ref, () => ({
    seek(seconds: number) {
      if (video.current) video.current.currentTime = seconds;
      const a = current();
      if (a) a.currentTime = seconds;
    },
    get video() {
      return video.current;
    },
  }));

  // The video drives the active stem: play, pause, seek, rate and drift.
  useEffect(() => {
    const v = video.current;
    if (!v) return;
    const follow = () => {
      const a = current();
      if (a && Math.abs(a.currentTime - v.currentTime) > MAX_DRIFT) a.currentTime = v.currentTime;
    };
    const onPlay = () => {
      const a = current();
      if (!a) return;
      a.currentTime = v.currentTime;
      a.playbackRate = v.playbackRate;
      void a.play().catch(() => undefined);
    };
    const onPause = () => current()?.pause();
    const onRate = () => {
      const a = current();
      if (a) a.playbackRate = v.playbackRate;
    };
    const onTimeUpdate = () => {
      follow();
      onTime?.(v.currentTime);
    };
    v.addEventListener('play', onPlay);
    v.addEventListener('pause', onPause);
    v.addEventListener('seeked', follow);
    v.addEventListener('ratechange', onRate);
    v.addEventListener('timeupdate', onTimeUpdate);
    return () => {
      v.removeEventListener('play', onPlay);
      v.removeEventListener('pause', onPause);
      v.removeEventListener('seeked', follow);
      v.removeEventListener('ratechange', onRate);
      v.removeEventListener('timeupdate', onTimeUpdate);
    };
  }, [onTime]);

  function choose(kind: StemKind) {
    if (kind === activeRef.current) return;
    const v = video.current;
    const from = current();
    const to = audios.current[kind];
    const t = v ? v.currentTime : (from?.currentTime ?? 0);
    from?.pause();
    if (to) {
      to.currentTime = t;
      if (v && !v.paused) {
        to.playbackRate = v.playbackRate;
        void to.play().catch(() => undefined);
      }
    }
    activeRef.current = kind;
    setActive(kind);
    onStemChange?.(kind);
  }

  // Arrow keys move through the radio group, as screen-reader users expect of one.
  function arrows(e: React.KeyboardEvent<HTMLDivElement>) {
    const step =
      e.key === 'ArrowRight' || e.key === 'ArrowDown'
        ? 1
        : e.key === 'ArrowLeft' || e.key === 'ArrowUp'
          ? -1
          : 0;
    if (!step) return;
    e.preventDefault();
    const next =
      available[(available.indexOf(activeRef.current) + step + available.length) % available.length];
    choose(next);
    e.currentTarget.querySelectorAll<HTMLButtonElement>('[role="radio"]')[available.indexOf(next)]?.focus();
  }

  // 1-4 pick a stem, Space plays or pauses.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!isShortcut(e)) return;
      const n = Number(e.key);
      if (n >= 1 && n <= available.length) {
        e.preventDefault();
        choose(available[n - 1]);
      } else if (e.key === ' ' && (e.target as HTMLElement | null)?.tagName !== 'BUTTON') {
        const v = video.current;
        if (!v) return;
        e.preventDefault();
        if (v.paused) void v.play().catch(() => undefined);
        else v.pause();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  return (
    <div className={styles.player}>
      {videoUrl ? (
        <video
          ref={video}
          className={styles.video}
          src={videoUrl}
          muted
          controls
          playsInline
          preload="metadata"
          aria-label="Uploaded video (sound comes from the selected track)"
        />
      ) : (
        <div className={styles.novideo}>This upload has no picture.</div>
      )}
      <div role="radiogroup" aria-label="Soundtrack" className={styles.switch} onKeyDown={arrows}>
        {available.map((kind, i) => (
          <button
            key={kind}
            type="button"
            role="radio"
            aria-checked={kind === active}
            tabIndex={kind === active ? 0 : -1}
            className={styles.option}
            onClick={() => choose(kind)}
          >
            <kbd aria-hidden="true">{i + 1}</kbd> {stemLabel[kind]}
          </button>
        ))}
      </div>
      {stems.map((s) => (
        <audio
          key={s.kind}
          ref={(el) => {
            audios.current[s.kind] = el;
          }}
          src={s.url}
          preload="auto"
          data-stem={s.kind}
          aria-label={stemLabel[s.kind]}
        />
      ))}
    </div>
  );
}
