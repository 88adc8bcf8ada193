// Reads a verdict's evidence JSON into the timeline's lanes. The pipeline writes (times in seconds of the
// upload; offsets in seconds of the reference):
//   { durationSeconds, reviewReasons: string[],
//     musicMatches: [{ title, confidence, segments: [{ start, end, referenceOffset }] }],
//     originalMatches: [{ originalId, confidence,
//       audio: { score, segments: [{ start, end, originalOffset }] },
//       video: { score, segments: [{ start, end, originalOffset }] } }],
//     speech: [{ start, end }], restoration: [{ start, end, method: 'reference' | 'model' }] }
// Anything missing or malformed reads as "no evidence of that kind", never as an error.
import type { Evidence, OriginalSegment, RestoredSegment, Span } from './types';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(obj) : []);
const num = (...vs: unknown[]): number | null => {
  for (const v of vs) if (typeof v === 'number' && Number.isFinite(v)) return v;
  return null;
};

function spanOf(s: Obj): Span | null {
  const start = num(s.start, s.startSeconds);
  const end = num(s.end, s.endSeconds);
  return start !== null && end !== null && end > start ? { start, end } : null;
}

function matchSegments(m: Obj, score: number): OriginalSegment[] {
  return arr(m.segments).flatMap((s) => {
    const sp = spanOf(s);
    const originalOffset = num(s.originalOffset, s.referenceOffset, s.offset);
    return sp && originalOffset !== null ? [{ ...sp, originalOffset, score: num(s.score) ?? score }] : [];
  });
}

/** Evidence of the best original match only: that is the work shown side by side. */
export function parseEvidence(
  json: unknown,
  fallbackDuration: number | null,
  originalId?: string | null,
): Evidence {
  const e = obj(json);
  const originals = arr(e.originalMatches).sort(
    (a, b) => (num(b.confidence) ?? 0) - (num(a.confidence) ?? 0),
  );
  const best = originals.find((o) => originalId && o.originalId === originalId) ?? originals[0] ?? {};
  const audio = obj(best.audio);
  const video = obj(best.video);
  const restored: RestoredSegment[] = arr(e.restoration).flatMap((r) => {
    const sp = spanOf(r);
    return sp && (r.method === 'reference' || r.method === 'model') ? [{ ...sp, method: r.method }] : [];
  });
  const evidence: Evidence = {
    duration: num(e.durationSeconds, fallbackDuration) ?? 0,
    music: arr(e.musicMatches).flatMap((m) =>
      arr(m.segments).flatMap((s) => {
        const sp = spanOf(s);
        const referenceOffset = num(s.referenceOffset, s.offset);
        return sp && referenceOffset !== null
          ? [
              {
                ...sp,
                referenceOffset,
                title: String(m.title ?? 'Unknown track'),
                confidence: num(m.confidence) ?? 0,
              },
            ]
          : [];
      }),
    ),
    audioMatches: matchSegments(audio, num(audio.score) ?? 0),
    videoMatches: matchSegments(video, num(video.score) ?? 0),
    speech: arr(e.speech).flatMap((s) => spanOf(s) ?? []),
    restored,
    reviewReasons: Array.isArray(e.reviewReasons) ? e.reviewReasons.map(String) : [],
  };
  // Segments can outlast a stale duration; the axis must cover them all.
  const ends = [
    evidence.music,
    evidence.audioMatches,
    evidence.videoMatches,
    evidence.speech,
    evidence.restored,
  ]
    .flat()
    .map((s) => s.end);
  evidence.duration = Math.max(evidence.duration, ...ends, 0);
  return evidence;
}

/** Where the original should be to show what the upload shows at `t`, or null outside matched spans. */
export function alignedOffset(e: Evidence, t: number): number | null {
  const seg = [...e.videoMatches, ...e.audioMatches].find((s) => t >= s.start && t < s.end);
  return seg ? seg.originalOffset + (t - seg.start) : null;
}
