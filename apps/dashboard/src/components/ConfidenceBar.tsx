import { percent, verdictLabel } from '../lib/format';
import type { VerdictKind } from '../lib/types';
import styles from './ConfidenceBar.module.css';

export function ConfidenceBar({ verdict, confidence }: { verdict: VerdictKind; confidence: number }) {
  const label = `${verdictLabel[verdict]}, confidence ${percent(confidence)}`;
  return (
    <span className={styles.wrap}>
      <span className={`${styles.verdict} ${styles[verdict]}`}>{verdictLabel[verdict]}</span>
      <span
        className={styles.track}
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(confidence * 100)}
      >
        <span className={`${styles.fill} ${styles[verdict]}`} style={{ width: percent(confidence) }} />
      </span>
      <span className={styles.value} aria-hidden="true">
        {percent(confidence)}
      </span>
    </span>
  );
}
