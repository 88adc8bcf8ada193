// Shared scoring helpers for suites: order statistics, SI-SDR over stereo, tables grouped by ratio.
import { siSdr } from '@undub/inference/dsp';
import type { BenchContext } from './context';
import { decodeAudio } from './ffmpeg';
import type { Upload } from './manifest';
import { readWav } from './wav';

export function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN;
}

/** Linear-interpolated percentile, p in [0, 100]; NaN for no data. */
export function percentile(xs: number[], p: number): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const pos = ((s.length - 1) * p) / 100;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export function median(xs: number[]): number {
  return percentile(xs, 50);
}

export interface Summary {
  n: number;
  median: number;
  p25: number;
  p75: number;
  mean: number;
}

export function summarize(xs: number[]): Summary {
  const f = xs.filter((x) => Number.isFinite(x));
  return { n: f.length, median: median(f), p25: percentile(f, 25), p75: percentile(f, 75), mean: mean(f) };
}

/** Channels laid end to end, so one SI-SDR covers a stereo signal. */
export function flatten(
  channels: Float32Array[],
  frames = Math.min(...channels.map((c) => c.length)),
): Float32Array {
  const out = new Float32Array(frames * channels.length);
  channels.forEach((c, i) => out.set(c.subarray(0, frames), i * frames));
  return out;
}

/** SI-SDR (dB) of a multichannel estimate against a reference, over their common length. */
export function siSdrStereo(estimate: Float32Array[], reference: Float32Array[]): number {
  const frames = Math.min(...estimate.map((c) => c.length), ...reference.map((c) => c.length));
  return siSdr(flatten(estimate, frames), flatten(reference, frames));
}

/** The codec ceiling: decoded upload minus the true BGM, the best OST estimate any remover can reach. */
export function ceilingOf(decoded: Float32Array[], bgm: Float32Array[] | undefined): Float32Array[] {
  if (!bgm) return decoded;
  return decoded.map((c, ch) => {
    const b = bgm[ch];
    const out = new Float32Array(Math.min(c.length, b.length));
    for (let i = 0; i < out.length; i++) out[i] = c[i] - b[i];
    return out;
  });
}

/** Recomputes an upload's ceiling estimate and its SI-SDR from the files. */
export async function ceilingEstimate(
  ctx: BenchContext,
  upload: Upload,
): Promise<{ estimate: Float32Array[]; siSdr: number } | undefined> {
  if (!upload.hasAudio || !upload.ost) return undefined;
  const decoded = await decodeAudio(ctx.resolve(upload.file));
  const ost = (await readWav(ctx.resolve(upload.ost))).channels;
  const bgm = upload.bgm ? (await readWav(ctx.resolve(upload.bgm))).channels : undefined;
  const estimate = ceilingOf(decoded, bgm);
  return { estimate, siSdr: siSdrStereo(estimate, ost) };
}

/** Decoded upload audio (48 kHz stereo) with its ground-truth stems, for scoring a remover. */
export async function stemsOf(
  ctx: BenchContext,
  upload: Upload,
): Promise<{ mix: Float32Array[]; ost: Float32Array[]; bgm?: Float32Array[]; ownMusic?: Float32Array[] }> {
  if (!upload.hasAudio || !upload.ost)
    throw new Error(`BENCH_NO_AUDIO: upload ${upload.id} has no audio track`);
  const stem = async (rel?: string) => (rel ? (await readWav(ctx.resolve(rel))).channels : undefined);
  return {
    mix: await decodeAudio(ctx.resolve(upload.file)),
    ost: (await stem(upload.ost))!,
    bgm: await stem(upload.bgm),
    ownMusic: await stem(upload.originalMusic),
  };
}

/** A Markdown table; numbers are printed with `digits` decimals, NaN as a dash. */
export function markdownTable(headers: string[], rows: (string | number)[][], digits = 1): string {
  const cell = (v: string | number) =>
    typeof v === 'number' ? (Number.isFinite(v) ? v.toFixed(digits) : '–') : v;
  const line = (cells: (string | number)[]) => `| ${cells.map(cell).join(' | ')} |\n`;
  return line(headers) + line(headers.map(() => '---')) + rows.map(line).join('');
}

export interface RatioRow {
  ratioDb: number;
  /** SI-SDR of the restored OST (dB). */
  siSdr: number;
  /** SI-SDR of the unprocessed mixture against the OST (dB), for the improvement. */
  mixtureSiSdr: number;
  ceilingSiSdr?: number;
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');

/** Median / 25th percentile of SI-SDR, improvement and ceiling per OST-to-BGM ratio: figures + Markdown. */
export function bySiSdrRatio(rows: RatioRow[]): { figures: Record<string, unknown>; table: string } {
  const ratios = [...new Set(rows.map((r) => r.ratioDb))].sort((a, b) => b - a);
  const figures: Record<string, unknown> = {};
  let table =
    '| OST-to-BGM | n | SI-SDR median | SI-SDR p25 | SI-SDRi median | SI-SDRi p25 | ceiling median |\n';
  table += '|---|---|---|---|---|---|---|\n';
  for (const ratio of ratios) {
    const g = rows.filter((r) => r.ratioDb === ratio);
    const sdr = summarize(g.map((r) => r.siSdr));
    const imp = summarize(g.map((r) => r.siSdr - r.mixtureSiSdr));
    const ceil = summarize(g.map((r) => r.ceilingSiSdr ?? Number.NaN));
    figures[`${ratio}dB`] = { siSdr: sdr, improvement: imp, ceiling: ceil };
    table += `| ${ratio} dB | ${sdr.n} | ${fmt(sdr.median)} | ${fmt(sdr.p25)} | ${fmt(imp.median)} | ${fmt(imp.p25)} | ${fmt(ceil.median)} |\n`;
  }
  return { figures, table };
}
