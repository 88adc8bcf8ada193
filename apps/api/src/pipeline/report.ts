// The analysis report: the JSON that `undub analyze --json` prints and that a Verdict keeps as its
// evidence, so a moderator, an auditor and a script all read the same thing.
import type { Analysis } from './analyze';

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function analysisReport(a: Analysis) {
  const provenance = a.restoration?.provenance ?? [];
  const restoredBy = (method: string) =>
    round(provenance.filter((p) => p.method === method).reduce((s, p) => s + (p.end - p.start), 0));
  return {
    media: {
      durationSeconds: round(a.media.durationSeconds),
      container: a.media.container,
      audio: a.media.audio ?? null,
      video: a.media.video ?? null,
    },
    bgm: {
      present:
        a.musicMatches.length > 0 || provenance.some((p) => p.method === 'reference' || p.method === 'model'),
      identified: a.musicMatches.map((m) => ({
        musicId: m.musicId,
        title: m.title,
        confidence: round(m.confidence),
        speed: round(m.speed, 4),
        evidence: m.evidence,
        ...(m.beneath ? { beneath: m.beneath } : {}),
        segments: m.segments.map((s) => ({
          start: round(s.start),
          end: round(s.end),
          refStart: round(s.refStart),
        })),
      })),
      restoredSeconds: {
        reference: restoredBy('reference'),
        model: restoredBy('model'),
        keptAsOriginalMusic: restoredBy('original_music'),
        untouched: restoredBy('none'),
      },
      provenance,
    },
    speech: { segments: a.restoration?.speechSegments ?? [] },
    stems: { ost: a.outputs.ost, bgm: a.outputs.bgm, speech: a.outputs.speech, browser: a.outputs.browser },
    restoredVideo: a.outputs.restoredVideo,
    originality: {
      verdict: a.verdict.verdict,
      confidence: round(a.verdict.confidence),
      originalId: a.verdict.originalId,
      routing: a.verdict.routing,
      reviewReasons: a.verdict.reviewReasons,
      matches: a.originalMatches.map((m) => ({
        originalId: m.originalId,
        title: m.title,
        confidence: round(m.confidence),
        audio: m.audio,
        video: m.video,
      })),
    },
    musicRights: a.verdict.musicRights,
    timings: Object.fromEntries(Object.entries(a.timings).map(([k, v]) => [k, round(v ?? 0)])),
    versions: a.versions,
  };
}

export type AnalysisReport = ReturnType<typeof analysisReport>;
