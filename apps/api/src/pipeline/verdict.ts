// The originality verdict: which original (if any) this upload re-uses, how sure we are, and where it goes
// next (auto-flag, human review, auto-clear). Pure: evidence in, verdict out.
import type { Config } from '../config';
import { FULL_VIDEO_MATCH_SECONDS, type MusicMatch, type OriginalMatch } from '../catalog';

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

/** A modality is "absent" below this score. */
const ABSENT = 0.1;

/**
 * The picture decides when there is one: a re-upload is a re-use of the original's picture, while a
 * shared sound (a stock ambience, a common jingle) can match another work's soundtrack. The soundtrack
 * alone decides only for uploads without a picture; a soundtrack match under an unrelated picture is
 * sent to review as uncertain.
 */
function decisiveScore(m: OriginalMatch, input: VerdictInput): number {
  if (!input.hasVideo) return m.audio.score;
  // The matcher scores the share of the upload that matches; a long upload that re-uses part of an
  // original is still a re-upload, so matched seconds count as well.
  const seconds = m.video.segments.reduce((sum, s) => sum + (s.end - s.start), 0);
  return Math.max(m.video.score, Math.min(1, seconds / FULL_VIDEO_MATCH_SECONDS));
}

export function decideVerdict(input: VerdictInput, t: VerdictThresholds): Verdict {
  const ranked = [...input.originalMatches].sort(
    (a, b) => decisiveScore(b, input) - decisiveScore(a, input) || b.audio.score - a.audio.score,
  );
  const best = ranked[0];
  const score = best ? decisiveScore(best, input) : 0;
  const audioOnly = [...input.originalMatches].sort((a, b) => b.audio.score - a.audio.score)[0];
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
    // [reuploadScore, 1] maps onto [0.5, 1]; a soundtrack that agrees takes it closer to 1.
    const p = 0.5 + (0.5 * (score - t.reuploadScore)) / Math.max(1e-9, 1 - t.reuploadScore);
    const audio = input.hasVideo && input.hasAudio ? best.audio.score : 0;
    confidence = Math.min(1, p + 0.5 * (1 - p) * audio);
    if (input.hasVideo && input.hasAudio && audio < ABSENT)
      reviewReasons.push('the picture matches but the soundtrack does not');
  } else if (input.hasVideo && audioOnly && audioOnly.audio.score >= t.reuploadScore) {
    verdict = 'uncertain';
    confidence = 0.5;
    reviewReasons.push(
      `the soundtrack matches ${audioOnly.originalId} (${audioOnly.audio.score.toFixed(2)}) but the picture does not`,
    );
  } else if (score < t.originalScore) {
    verdict = 'original';
    confidence = 0.5 + (0.5 * (t.originalScore - score)) / Math.max(1e-9, t.originalScore);
  } else {
    verdict = 'uncertain';
    confidence = 0.5;
    reviewReasons.push(`best original match scores ${score.toFixed(2)}, between the decision thresholds`);
  }

  const runnerUp = ranked[1];
  if (verdict === 'reupload' && runnerUp && decisiveScore(runnerUp, input) >= t.reuploadScore) {
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
