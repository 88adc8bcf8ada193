// Labels and number formats shared by every page, so one concept reads the same everywhere.
import type { DecisionAction, Routing, StemKind, VerdictKind } from './types';

export const verdictLabel: Record<VerdictKind, string> = {
  reupload: 'Re-upload',
  original: 'Original',
  uncertain: 'Uncertain',
};

export const routingLabel: Record<Routing, string> = {
  auto_flag: 'Auto-flagged',
  review: 'Review',
  auto_clear: 'Auto-cleared',
};

export const stemLabel: Record<StemKind, string> = {
  mixture: 'Original mix',
  ost: 'Restored OST',
  bgm: 'Removed BGM',
  speech: 'Speech only',
};

export const actionLabel: Record<DecisionAction, string> = {
  confirm_reupload: 'Confirm re-upload',
  clear_original: 'Clear as original',
  escalate: 'Escalate',
};

/** 83.4 → "1:23.4" */
export function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return `${m}:${s.toFixed(1).padStart(4, '0')}`;
}

export function percent(x: number): string {
  return `${Math.round(x * 100)}%`;
}

export function dateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}
