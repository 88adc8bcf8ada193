'use client';
// Waveform and spectrogram of one stem, drawn on canvas from the decoded audio. Decoding waits until the
// browser is idle so the review page is interactive first.
import { useEffect, useRef, useState } from 'react';
import { stemLabel } from '../lib/format';
import type { StemMedia } from '../lib/types';
import { envelope, heat, monoOf, spectrogramDb } from '../lib/visuals';
import styles from './StemVisual.module.css';

const WIDTH = 800;
const WAVE_H = 48;
const SPEC_H = 96;

type State = 'waiting' | 'ready' | 'failed';

export function StemVisual({ stem, progress }: { stem: StemMedia; progress: number }) {
  const wave = useRef<HTMLCanvasElement>(null);
  const spec = useRef<HTMLCanvasElement>(null);
  const [state, setState] = useState<State>('waiting');

  useEffect(() => {
    const ctl = new AbortController();
    // Safari has no requestIdleCallback.
    const idle = (cb: () => void) =>
      typeof window.requestIdleCallback === 'function'
        ? window.requestIdleCallback(cb, { timeout: 1500 })
        : setTimeout(cb, 200);
    idle(async () => {
      try {
        const res = await fetch(stem.url, { signal: ctl.signal });
        if (!res.ok) throw new Error(String(res.status));
        const buf = await new OfflineAudioContext(1, 1, 48000).decodeAudioData(await res.arrayBuffer());
        if (ctl.signal.aborted) return;
        const chans = Array.from({ length: buf.numberOfChannels }, (_, i) => buf.getChannelData(i));
        draw(monoOf(chans), buf.sampleRate);
        setState('ready');
      } catch {
        if (!ctl.signal.aborted) setState('failed');
      }
    });
    return () => ctl.abort();
  }, [stem.url]);

  function draw(signal: Float32Array, sampleRate: number) {
    const w = wave.current?.getContext('2d');
    if (w) {
      const { min, max } = envelope(signal, WIDTH);
      w.clearRect(0, 0, WIDTH, WAVE_H);
      w.fillStyle = '#5b8fd0';
      for (let x = 0; x < WIDTH; x++) {
        const y0 = ((1 - max[x]) / 2) * WAVE_H;
        const y1 = ((1 - min[x]) / 2) * WAVE_H;
        w.fillRect(x, y0, 1, Math.max(1, y1 - y0));
      }
    }
    const s = spec.current?.getContext('2d');
    if (s) {
      const { columns, rows, db } = spectrogramDb(signal, sampleRate, WIDTH, SPEC_H);
      let ceil = -Infinity;
      for (const v of db) if (v > ceil) ceil = v;
      // A silent stem (speech-free upload) stays dark instead of stretching its noise floor to full scale.
      ceil = Math.max(ceil, -20);
      const img = s.createImageData(columns, rows);
      for (let i = 0; i < db.length; i++) {
        const [r, g, b] = heat(db[i], ceil - 70, ceil);
        img.data.set([r, g, b, 255], i * 4);
      }
      spec.current!.width = columns;
      s.putImageData(img, 0, 0);
    }
  }

  const label = stemLabel[stem.kind];
  return (
    <figure className={styles.figure}>
      <figcaption>
        {label}
        {state === 'waiting' && <span className={styles.note}> · analysing…</span>}
        {state === 'failed' && <span className={styles.note}> · could not be decoded</span>}
      </figcaption>
      <div className={styles.stack}>
        <canvas
          ref={wave}
          width={WIDTH}
          height={WAVE_H}
          className={styles.wave}
          role="img"
          aria-label={`${label} waveform`}
        />
        <canvas
          ref={spec}
          width={WIDTH}
          height={SPEC_H}
          className={styles.spec}
          role="img"
          aria-label={`${label} spectrogram`}
        />
        <span className={styles.head} style={{ left: `${progress * 100}%` }} aria-hidden="true" />
      </div>
    </figure>
  );
}
