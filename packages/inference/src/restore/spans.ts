// Time spans: which parts of an upload each restoration method handled.

export interface Span {
  start: number;
  end: number;
}

/** Sorted union of spans. */
export function union(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/** The parts of [0, duration) not covered by `covered`. */
export function complement(covered: Span[], duration: number): Span[] {
  const out: Span[] = [];
  let at = 0;
  for (const s of union(covered)) {
    if (s.start > at) out.push({ start: at, end: Math.min(s.start, duration) });
    at = Math.max(at, s.end);
  }
  if (at < duration) out.push({ start: at, end: duration });
  return out.filter((s) => s.end - s.start > 1e-3);
}

/**
 * Windows of a span where the model found enough music to act on. `musicShare` is the music estimate's
 * energy share per window; windows under `threshold` keep the upload untouched, so a clean upload
 * (speech and ambient sound only) is not damaged by a model's small mistakes.
 */
export function modelSpans(
  musicShare: Float32Array,
  windowSeconds: number,
  threshold: number,
): { music: Span[]; clean: Span[] } {
  const music: Span[] = [];
  const clean: Span[] = [];
  for (let w = 0; w < musicShare.length; w++) {
    const span = { start: w * windowSeconds, end: (w + 1) * windowSeconds };
    (musicShare[w] >= threshold ? music : clean).push(span);
  }
  return { music: union(music), clean: union(clean) };
}
