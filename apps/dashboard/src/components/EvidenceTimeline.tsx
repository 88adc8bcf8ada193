'use client';
// One lane per kind of evidence over the upload's duration. Each segment is a button that seeks the
// player to its start, labelled with what it is for screen readers.
import { clock, percent } from '../lib/format';
import type { Evidence, Span } from '../lib/types';
import styles from './EvidenceTimeline.module.css';

export interface EvidenceTimelineProps {
  evidence: Evidence;
  currentTime: number;
  onSeek: (seconds: number) => void;
}

interface Lane {
  name: string;
  segments: { span: Span; label: string; tone: string }[];
}

const RESTORED = {
  reference: 'Restored by reference',
  model: 'Restored by model',
  original_music: "Kept as the work's own music",
};

const span = (s: Span) => `${clock(s.start)} to ${clock(s.end)}`;

export function lanesOf(e: Evidence): Lane[] {
  return [
    {
      name: 'Identified music',
      segments: e.music.map((m) => ({
        span: m,
        tone: 'music',
        label: `${m.title}${m.byWaveform ? ' (found by its waveform)' : ''}${m.beneath ? ` (found under the soundtrack of ${m.beneath})` : ''}, ${span(m)}, reference offset ${clock(m.referenceOffset)}, ${percent(m.confidence)}`,
      })),
    },
    {
      name: 'Original: audio',
      segments: e.audioMatches.map((m) => ({
        span: m,
        tone: 'audio',
        label: `Audio match ${span(m)}, original at ${clock(m.originalOffset)}, score ${percent(m.score)}`,
      })),
    },
    {
      name: 'Original: video',
      segments: e.videoMatches.map((m) => ({
        span: m,
        tone: 'video',
        label: `Video match ${span(m)}, original at ${clock(m.originalOffset)}, score ${percent(m.score)}`,
      })),
    },
    {
      name: 'Speech',
      segments: e.speech.map((s) => ({ span: s, tone: 'speech', label: `Speech ${span(s)}` })),
    },
    {
      name: 'Restored',
      segments: e.restored.map((r) => ({
        span: r,
        tone: r.method,
        label: `${RESTORED[r.method]} ${span(r)}`,
      })),
    },
  ];
}

export function EvidenceTimeline({ evidence, currentTime, onSeek }: EvidenceTimelineProps) {
  const duration = Math.max(evidence.duration, 1e-3);
  const pos = (t: number) => `${(100 * Math.min(Math.max(t, 0), duration)) / duration}%`;
  return (
    <section className={styles.timeline} aria-label="Evidence timeline">
      {lanesOf(evidence).map((lane) => (
        <div key={lane.name} className={styles.lane} role="group" aria-label={lane.name}>
          <span className={styles.name} aria-hidden="true">
            {lane.name}
          </span>
          <div className={styles.track}>
            {lane.segments.length === 0 && <span className={styles.none}>none</span>}
            {lane.segments.map((s, i) => (
              <button
                key={i}
                type="button"
                className={`${styles.seg} ${styles[s.tone]}`}
                style={{ left: pos(s.span.start), width: `calc(${pos(s.span.end)} - ${pos(s.span.start)})` }}
                aria-label={s.label}
                title={s.label}
                onClick={() => onSeek(s.span.start)}
              />
            ))}
            <span className={styles.head} style={{ left: pos(currentTime) }} aria-hidden="true" />
          </div>
        </div>
      ))}
      <div className={styles.legend} aria-hidden="true">
        <span>0:00.0</span>
        <span>{clock(evidence.duration)}</span>
      </div>
    </section>
  );
}
