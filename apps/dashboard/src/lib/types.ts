// What the dashboard's components show, independent of how the API spells its fields (queries.ts maps).
export type VerdictKind = 'reupload' | 'original' | 'uncertain';
export type Routing = 'auto_flag' | 'review' | 'auto_clear';
export type StemKind = 'mixture' | 'ost' | 'bgm' | 'speech';
export type DecisionAction = 'confirm_reupload' | 'clear_original' | 'escalate';
export type Role = 'admin' | 'moderator' | 'client';

export interface QueueItem {
  verdictId: string;
  uploadId: string;
  fileName: string;
  createdAt: string;
  verdict: VerdictKind;
  confidence: number;
  routing: Routing;
  musicIdentified: boolean;
  originalTitle: string | null;
  durationSeconds: number | null;
  thumbnailUrl: string | null;
  decided: boolean;
}

export interface StemMedia {
  kind: StemKind;
  url: string;
}

/** A span of the upload, seconds. */
export interface Span {
  start: number;
  end: number;
}

export interface MusicSegment extends Span {
  title: string;
  /** Where in the catalog track this span starts, seconds. */
  referenceOffset: number;
  confidence: number;
  /** Found by the reference's waveform (music too far under the soundtrack for its landmarks). */
  byWaveform: boolean;
  /** The original work whose soundtrack was removed before this music was found under it. */
  beneath: string | null;
}

export interface OriginalSegment extends Span {
  /** Where in the original work this span starts, seconds. */
  originalOffset: number;
  score: number;
}

export interface RestoredSegment extends Span {
  /** original_music: music of the work itself, kept in the OST. */
  method: 'reference' | 'model' | 'original_music';
}

export interface Evidence {
  duration: number;
  music: MusicSegment[];
  audioMatches: OriginalSegment[];
  videoMatches: OriginalSegment[];
  speech: Span[];
  restored: RestoredSegment[];
  reviewReasons: string[];
}

export interface OriginalRef {
  id: string;
  title: string;
  owner: string | null;
  videoUrl: string | null;
}

export interface DecisionRecord {
  id: string;
  action: DecisionAction;
  reasonCode: string;
  note: string | null;
  moderator: string;
  createdAt: string;
}

export interface ReviewItem {
  verdictId: string;
  uploadId: string;
  fileName: string;
  createdAt: string;
  verdict: VerdictKind;
  confidence: number;
  routing: Routing;
  videoUrl: string | null;
  durationSeconds: number | null;
  stems: StemMedia[];
  evidence: Evidence;
  original: OriginalRef | null;
  decisions: DecisionRecord[];
  modelVersions: Record<string, unknown>;
}

export interface DecisionInput {
  action: DecisionAction;
  reasonCode: string;
  note: string;
}
