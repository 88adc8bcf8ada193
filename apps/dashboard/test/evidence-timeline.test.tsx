import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { EvidenceTimeline } from '../src/components/EvidenceTimeline';
import { alignedOffset, parseEvidence } from '../src/lib/evidence';

// The shape of apps/api/src/pipeline/report.ts, as a verdict keeps it.
const json = {
  media: { durationSeconds: 20 },
  bgm: {
    present: true,
    identified: [
      {
        musicId: 'm1',
        title: 'Battle Theme',
        confidence: 0.91,
        evidence: 'landmarks',
        beneath: 'o1',
        segments: [{ start: 2, end: 9.5, refStart: 41 }],
      },
      {
        musicId: 'm2',
        title: 'Quiet Theme',
        confidence: 0.97,
        evidence: 'waveform',
        segments: [{ start: 12, end: 16, refStart: 3 }],
      },
    ],
    provenance: [
      { start: 0, end: 2, method: 'none' },
      { start: 2, end: 8, method: 'reference' },
      { start: 8, end: 9.5, method: 'model' },
      { start: 9.5, end: 11, method: 'original_music' },
    ],
  },
  speech: { segments: [{ start: 4, end: 6 }] },
  originality: {
    verdict: 'reupload',
    reviewReasons: ['the soundtrack matches but the picture does not'],
    matches: [
      { originalId: 'o2', confidence: 0.3, audio: { score: 0.3, offset: 99 }, video: { score: 0 } },
      {
        originalId: 'o1',
        confidence: 0.8,
        audio: { score: 0.85, segments: [{ start: 0, end: 12, refStart: 30 }] },
        video: { score: 0.6, segments: [{ start: 1, end: 10, refStart: 31 }] },
      },
    ],
  },
};

describe('evidence timeline', () => {
  it('shows every kind of evidence as a labelled, seekable segment', () => {
    const onSeek = vi.fn();
    render(<EvidenceTimeline evidence={parseEvidence(json, null, 'o1')} currentTime={5} onSeek={onSeek} />);
    const [music, quiet] = within(screen.getByRole('group', { name: 'Identified music' })).getAllByRole(
      'button',
    );
    expect(music.getAttribute('aria-label')).toBe(
      'Battle Theme (found under the soundtrack of o1), 0:02.0 to 0:09.5, reference offset 0:41.0, 91%',
    );
    expect(music.style.left).toBe('10%');
    expect(quiet.getAttribute('aria-label')).toBe(
      'Quiet Theme (found by its waveform), 0:12.0 to 0:16.0, reference offset 0:03.0, 97%',
    );

    const audio = within(screen.getByRole('group', { name: 'Original: audio' })).getAllByRole('button');
    expect(audio).toHaveLength(1); // the shown original only
    expect(audio[0].getAttribute('aria-label')).toContain('original at 0:30.0');
    const video = within(screen.getByRole('group', { name: 'Original: video' })).getByRole('button');
    expect(video.getAttribute('aria-label')).toContain('original at 0:31.0');

    expect(
      within(screen.getByRole('group', { name: 'Speech' }))
        .getByRole('button')
        .getAttribute('aria-label'),
    ).toBe('Speech 0:04.0 to 0:06.0');
    const restored = within(screen.getByRole('group', { name: 'Restored' }))
      .getAllByRole('button')
      .map((b) => b.getAttribute('aria-label'));
    expect(restored).toEqual([
      'Restored by reference 0:02.0 to 0:08.0',
      'Restored by model 0:08.0 to 0:09.5',
      "Kept as the work's own music 0:09.5 to 0:11.0",
    ]);

    fireEvent.click(music);
    expect(onSeek).toHaveBeenCalledWith(2);
  });

  it('reads a match given as a single offset as covering the whole upload', () => {
    const e = parseEvidence(json, null, 'o2');
    expect(e.audioMatches).toEqual([{ start: 0, end: 20, originalOffset: 99, score: 0.3 }]);
    expect(e.videoMatches).toEqual([]);
  });

  it('reads missing or malformed evidence as empty lanes', () => {
    const e = parseEvidence({ bgm: { identified: 'x' }, speech: { segments: [{ start: 3, end: 1 }] } }, 8);
    expect(e).toMatchObject({ duration: 8, music: [], speech: [], audioMatches: [], restored: [] });
    render(<EvidenceTimeline evidence={e} currentTime={0} onSeek={() => undefined} />);
    expect(screen.getAllByText('none')).toHaveLength(5);
  });

  it('aligns the original to the upload position, preferring the picture match', () => {
    const e = parseEvidence(json, null, 'o1');
    expect(alignedOffset(e, 5)).toBe(35); // video segment: 31 + (5 - 1)
    expect(alignedOffset(e, 11)).toBe(41); // audio only: 30 + 11
    expect(alignedOffset(e, 15)).toBeNull();
  });
});
