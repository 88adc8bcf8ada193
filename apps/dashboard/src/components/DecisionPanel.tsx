'use client';
// The moderator's decision: an action, a reason code, an optional note. C / O / E pick the action and move
// to the reason; Ctrl+Enter (or the button) submits. The parent moves on to the next item.
import { useEffect, useRef, useState } from 'react';
import { actionLabel } from '../lib/format';
import { isShortcut } from '../lib/keys';
import type { DecisionAction, DecisionInput } from '../lib/types';
import styles from './DecisionPanel.module.css';

export const REASON_CODES: Record<DecisionAction, { code: string; label: string }[]> = {
  confirm_reupload: [
    { code: 'same_picture_and_soundtrack', label: 'Same picture and soundtrack' },
    { code: 'same_picture', label: 'Same picture, soundtrack replaced' },
    { code: 'same_soundtrack', label: 'Same soundtrack, picture altered' },
    { code: 'partial_reuse', label: 'Substantial excerpt of the original' },
  ],
  clear_original: [
    { code: 'different_work', label: 'A different work' },
    { code: 'licensed_use', label: 'Licensed or authorised use' },
    { code: 'false_match', label: 'False match (generic footage or sound)' },
    { code: 'music_only', label: 'Only catalog music in common' },
  ],
  escalate: [
    { code: 'needs_rights_holder', label: 'Needs the rights holder' },
    { code: 'unclear_evidence', label: 'Evidence unclear' },
    { code: 'policy_question', label: 'Policy question' },
  ],
};

const SHORTCUT: Record<string, DecisionAction> = {
  c: 'confirm_reupload',
  o: 'clear_original',
  e: 'escalate',
};

export interface DecisionPanelProps {
  onDecide: (input: DecisionInput) => Promise<void>;
  disabled?: boolean;
}

export function DecisionPanel({ onDecide, disabled }: DecisionPanelProps) {
  const [action, setAction] = useState<DecisionAction | null>(null);
  const [reasonCode, setReasonCode] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const reasonRef = useRef<HTMLSelectElement>(null);
  const formRef = useRef<HTMLFormElement>(null);

  function pick(a: DecisionAction) {
    setAction(a);
    setReasonCode(REASON_CODES[a][0].code);
    setError(null);
    // The reason select exists after this render.
    requestAnimationFrame(() => reasonRef.current?.focus());
  }

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (disabled || busy) return;
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        formRef.current?.requestSubmit();
        return;
      }
      if (!isShortcut(e)) return;
      const a = SHORTCUT[e.key.toLowerCase()];
      if (a) {
        e.preventDefault();
        pick(a);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!action) {
      setError('Choose an action first.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onDecide({ action, reasonCode, note: note.trim() });
      setAction(null);
      setReasonCode('');
      setNote('');
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form ref={formRef} className={styles.panel} onSubmit={submit} aria-label="Decision">
      <fieldset className={styles.actions} disabled={disabled || busy}>
        <legend>Decision</legend>
        {(Object.keys(actionLabel) as DecisionAction[]).map((a) => (
          <button
            key={a}
            type="button"
            aria-pressed={action === a}
            className={`${styles.action} ${styles[a]}`}
            onClick={() => pick(a)}
          >
            {actionLabel[a]}{' '}
            <kbd aria-hidden="true">
              {Object.keys(SHORTCUT)
                .find((k) => SHORTCUT[k] === a)
                ?.toUpperCase()}
            </kbd>
          </button>
        ))}
      </fieldset>
      {action && (
        <>
          <label className={styles.field}>
            Reason
            <select
              ref={reasonRef}
              value={reasonCode}
              onChange={(e) => setReasonCode(e.target.value)}
              disabled={busy}
            >
              {REASON_CODES[action].map((r) => (
                <option key={r.code} value={r.code}>
                  {r.label}
                </option>
              ))}
            </select>
          </label>
          <label className={styles.field}>
            Note
            <textarea value={note} onChange={(e) => setNote(e.target.value)} rows={3} disabled={busy} />
          </label>
        </>
      )}
      {error && (
        <p role="alert" className={styles.error}>
          {error}
        </p>
      )}
      <button type="submit" className={styles.submit} disabled={disabled || busy || !action}>
        {busy ? 'Saving…' : 'Decide and open next'} <kbd aria-hidden="true">Ctrl+Enter</kbd>
      </button>
    </form>
  );
}
