// The originality verdict: which original (if any) this upload re-uses, how sure we are, and where it goes
// next (auto-flag, human review, auto-clear). Pure: evidence in, verdict out.
import type { Config } from '../config';
import type { MusicMatch, OriginalMatch } from '../catalog';

export type VerdictKind = 'reupload' | 'original' | 'uncertain';
export type Routing = 'auto_flag' | 'review' | 'auto_clear';

export interface VerdictInput {
  originalMatches: OriginalMatch[];
  musicMatches: MusicMatch[];
  /** Whether the upload had a picture / a soundtrack to compare at all. */
  hasVideo: boolean;
  hasAudio: boolean;
}

export interface Verdict {
  verdict: VerdictKind;
  confidence: number;
  routing: Routing;
  originalId: string | null;
  /** Why review was asked for, when it was. */
  reviewReasons: string[];
  /** Catalog music heard in the upload: a music-rights finding, independent of originality. */
  musicRights: { musicId: string; title: string; confidence: number }[];
}

export type VerdictThresholds = Pick<
  Config,
  'reuploadScore' | 'originalScore' | 'autoFlagConfidence' | 'autoClearConfidence'
>;

/** A modality is "strong" or "absent" when its score is beyond these; in between it says little. */
const STRONG = 0.5;
const ABSENT = 0.1;

export function decideVerdict(input: VerdictInput, t: VerdictThresholds): Verdict {
  const best = [...input.originalMatches].sort((a, b) => b.confidence - a.confidence)[0];
  const score = best?.confidence ?? 0;
  const reviewReasons: string[] = [];
  const musicRights = input.musicMatches.map((m) => ({
    musicId: m.musicId,
    title: m.title,
    confidence: m.confidence,
  }));

  let verdict: VerdictKind;
  let confidence: number;
  if (score >= t.reuploadScore) {
    verdict = 'reupload';
    // Map [reuploadScore, 1] onto [0.5, 1]: at the threshold it is a coin toss.
    confidence = 0.5 + (0.5 * (score - t.reuploadScore)) / Math.max(1e-9, 1 - t.reuploadScore);
  } else if (score < t.originalScore) {
    verdict = 'original';
    confidence = 0.5 + (0.5 * (t.originalScore - score)) / Math.max(1e-9, t.originalScore);
  } else {
    verdict = 'uncertain';
    confidence = 0.5;
    reviewReasons.push(`best original match scores ${score.toFixed(2)}, between the decision thresholds`);
  }

  if (best && verdict === 'reupload') {
    const audio = best.audio.score;
    const video = best.video.score;
    if (input.hasAudio && input.hasVideo) {
      if (audio >= STRONG && video < ABSENT) reviewReasons.push('the soundtrack matches but the picture does not');
      if (video >= STRONG && audio < ABSENT) reviewReasons.push('the picture matches but the soundtrack does not');
    }
  }
  const runnerUp = [...input.originalMatches].sort((a, b) => b.confidence - a.confidence)[1];
  if (verdict === 'reupload' && runnerUp && runnerUp.confidence >= t.reuploadScore) {
    reviewReasons.push(`a second original also matches (${runnerUp.originalId})`);
  }

  let routing: Routing = 'review';
  if (reviewReasons.length === 0) {
    if (verdict === 'reupload' && confidence >= t.autoFlagConfidence) routing = 'auto_flag';
    if (verdict === 'original' && confidence >= t.autoClearConfidence) routing = 'auto_clear';
  }
  if (routing === 'review' && reviewReasons.length === 0) {
    reviewReasons.push(`confidence ${confidence.toFixed(2)} is below the automatic threshold`);
  }

  return {
    verdict,
    confidence,
    routing,
    originalId: verdict === 'reupload' && best ? best.originalId : null,
    reviewReasons,
    musicRights,
  };
}
