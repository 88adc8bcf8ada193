// A monotone map from upload sample positions to reference sample positions, piecewise linear between
// anchors and extended linearly past both ends. It carries a speed change (the slope) and slow drift
// (the bends) in one object that both the aligner and the resampler use.

export interface TimeMap {
  /** Upload sample positions, strictly increasing. */
  readonly at: Float64Array;
  /** Reference sample positions at those upload positions. */
  readonly ref: Float64Array;
}

export function linearMap(uploadPos: number, refPos: number, speed: number): TimeMap {
  return { at: Float64Array.of(uploadPos, uploadPos + 1), ref: Float64Array.of(refPos, refPos + speed) };
}

/** Reference position for an upload position `t` (for a run of calls with rising `t`, pass the last index). */
export function mapPosition(map: TimeMap, t: number, hint = 0): { pos: number; index: number } {
  const { at, ref } = map;
  const last = at.length - 2;
  let i = Math.min(Math.max(hint, 0), last);
  while (i < last && t >= at[i + 1]) i++;
  while (i > 0 && t < at[i]) i--;
  const slope = (ref[i + 1] - ref[i]) / (at[i + 1] - at[i]);
  return { pos: ref[i] + (t - at[i]) * slope, index: i };
}

/** Mean slope (reference samples per upload sample) between two upload positions. */
export function meanSpeed(map: TimeMap, from: number, to: number): number {
  if (to <= from) return mapPosition(map, from).pos - mapPosition(map, from - 1).pos;
  return (mapPosition(map, to).pos - mapPosition(map, from).pos) / (to - from);
}
