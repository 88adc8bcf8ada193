// Reads a verdict's evidence JSON (apps/api/src/pipeline/report.ts: the analysis report) into the
// timeline's lanes. Times are seconds of the upload; refStart is seconds of the reference at `start`:
//   { media: { durationSeconds },
//     bgm: { identified: [{ title, confidence, evidence, beneath?, segments: [{ start, end, refStart }] }],
//            provenance: [{ start, end, method: 'reference' | 'model' | 'original_music' | 'none' }] },
//     speech: { segments: [{ start, end }] },
//     originality: { reviewReasons: string[], matches: [{ originalId, confidence,
//       audio: { score, segments?: [{ start, end, refStart }], offset? }, video: { ...same } }] } }
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

const refOf = (s: Obj) => num(s.refStart, s.originalStart, s.offset);

/** A modality's matched spans; a match given only as one offset covers the whole upload. */
function matchSegments(m: Obj, duration: number): OriginalSegment[] {
  const score = num(m.score) ?? 0;
  const segments = arr(m.segments).flatMap((s) => {
    const sp = spanOf(s);
    const originalOffset = refOf(s);
    return sp && originalOffset !== null ? [{ ...sp, originalOffset, score: num(s.score) ?? score }] : [];
  });
  const offset = refOf(m);
  if (segments.length === 0 && offset !== null && score > 0 && duration > 0)
    return [{ start: 0, end: duration, originalOffset: offset, score }];
  return segments;
}

/** Evidence of the shown original match only (`originalId`, else the most confident). */
export function parseEvidence(
  json: unknown,
  fallbackDuration: number | null,
  originalId?: string | null,
): Evidence {
  const e = obj(json);
  const bgm = obj(e.bgm);
  const originality = obj(e.originality);
  const duration = num(obj(e.media).durationSeconds, fallbackDuration) ?? 0;
  const originals = arr(originality.matches).sort(
    (a, b) => (num(b.confidence) ?? 0) - (num(a.confidence) ?? 0),
  );
  const best = originals.find((o) => originalId && o.originalId === originalId) ?? originals[0] ?? {};
  const restored: RestoredSegment[] = arr(bgm.provenance).flatMap((r) => {
    const sp = spanOf(r);
    const method = r.method;
    return sp && (method === 'reference' || method === 'model' || method === 'original_music')
      ? [{ ...sp, method }]
      : [];
  });
  const evidence: Evidence = {
    duration,
    music: arr(bgm.identified).flatMap((m) =>
      arr(m.segments).flatMap((s) => {
        const sp = spanOf(s);
        const referenceOffset = refOf(s);
        return sp && referenceOffset !== null
          ? [
              {
                ...sp,
                referenceOffset,
                title: String(m.title ?? 'Unknown track'),
                confidence: num(m.confidence) ?? 0,
                byWaveform: m.evidence === 'waveform',
                beneath: typeof m.beneath === 'string' ? m.beneath : null,
              },
            ]
          : [];
      }),
    ),
    audioMatches: matchSegments(obj(best.audio), duration),
    videoMatches: matchSegments(obj(best.video), duration),
    speech: arr(obj(e.speech).segments).flatMap((s) => spanOf(s) ?? []),
    restored,
    reviewReasons: Array.isArray(originality.reviewReasons) ? originality.reviewReasons.map(String) : [],
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
