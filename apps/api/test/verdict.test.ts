// The verdict rules on constructed evidence: the picture decides when there is one, the soundtrack alone
// only without a picture, disagreement and near-ties go to review, music rights are always reported.
import { describe, expect, it } from 'vitest';
import type { OriginalMatch } from '../src/catalog';
import { loadConfig } from '../src/config';
import { decideVerdict } from '../src/pipeline/verdict';

const t = loadConfig({});

/** A match on a 10 s upload: each modality's segment covers the share of the upload its score says. */
function match(originalId: string, audio: number, video: number): OriginalMatch {
  const seg = (score: number) => (score > 0 ? [{ start: 0, end: 10 * score, refStart: 2 }] : []);
  return {
    originalId,
    title: originalId,
    confidence: Math.max(audio, video),
    audio: { score: audio, segments: seg(audio) },
    video: { score: video, segments: seg(video), mirrored: false },
  };
}

const both = { hasAudio: true, hasVideo: true, musicMatches: [] };

describe('decideVerdict', () => {
  it('flags a re-upload whose picture and soundtrack both match, without review', () => {
    const v = decideVerdict({ ...both, originalMatches: [match('w1', 0.95, 1)] }, t);
    expect(v).toMatchObject({ verdict: 'reupload', originalId: 'w1', routing: 'auto_flag' });
    expect(v.confidence).toBeGreaterThan(0.97);
  });

  it('calls a re-upload on the picture alone but asks for review when the soundtrack disagrees', () => {
    const v = decideVerdict({ ...both, originalMatches: [match('w1', 0, 0.9)] }, t);
    expect(v.verdict).toBe('reupload');
    expect(v.routing).toBe('review');
    expect(v.reviewReasons.join()).toMatch(/soundtrack does not/);
  });

  it('does not call a re-upload on a shared sound under an unrelated picture', () => {
    const v = decideVerdict({ ...both, originalMatches: [match('w2', 1, 0)] }, t);
    expect(v.verdict).toBe('uncertain');
    expect(v.routing).toBe('review');
    expect(v.originalId).toBeNull();
  });

  it('judges an upload without a picture by its soundtrack', () => {
    const v = decideVerdict(
      { hasAudio: true, hasVideo: false, musicMatches: [], originalMatches: [match('w3', 0.9, 0)] },
      t,
    );
    expect(v).toMatchObject({ verdict: 'reupload', originalId: 'w3' });
  });

  it('clears an original and still reports the catalog music heard in it', () => {
    const v = decideVerdict(
      {
        ...both,
        originalMatches: [],
        musicMatches: [
          {
            musicId: 'song',
            title: 'Song',
            confidence: 0.99,
            speed: 1,
            segments: [],
            votes: 40,
            evidence: 'landmarks',
          },
        ],
      },
      t,
    );
    expect(v).toMatchObject({ verdict: 'original', routing: 'auto_clear', originalId: null });
    expect(v.musicRights).toEqual([{ musicId: 'song', title: 'Song', confidence: 0.99 }]);
  });

  it('sends a match between the thresholds, and two matching originals, to review', () => {
    expect(decideVerdict({ ...both, originalMatches: [match('w1', 0.3, 0.3)] }, t).verdict).toBe('uncertain');
    const two = decideVerdict({ ...both, originalMatches: [match('w1', 1, 1), match('w2', 0.9, 0.9)] }, t);
    expect(two.verdict).toBe('reupload');
    expect(two.routing).toBe('review');
  });
});

describe('decideVerdict on long uploads', () => {
  it('counts seconds of matching picture, so re-using part of an original is still a re-upload', () => {
    const partial = match('w1', 0.2, 0.25);
    partial.video.segments = [{ start: 30, end: 50, refStart: 0 }];
    expect(decideVerdict({ ...both, originalMatches: [partial] }, t)).toMatchObject({
      verdict: 'reupload',
      originalId: 'w1',
    });
    const brief = match('w1', 0.2, 0.25);
    brief.video.segments = [{ start: 30, end: 33, refStart: 0 }];
    expect(decideVerdict({ ...both, originalMatches: [brief] }, t).verdict).not.toBe('reupload');
  });
});
