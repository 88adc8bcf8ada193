// Small charts for the benchmark report: an SVG drawn here, rasterised to PNG by ffmpeg (librsvg).
import { rm, writeFile } from 'node:fs/promises';
import { ffmpeg } from './ffmpeg';

export interface Series {
  name: string;
  points: [number, number][];
}

export interface LinePlot {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Logarithmic x axis (catalog sizes, durations). */
  logX?: boolean;
  /** A fixed y range (percentages), widened only if a point falls outside it. */
  yRange?: [number, number];
}

const W = 720;
const H = 420;
const M = { left: 70, right: 170, top: 40, bottom: 55 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function ticks(lo: number, hi: number, count = 5): number[] {
  const step0 = (hi - lo) / count || 1;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? step0;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

/** SVG text of a line chart with markers and a legend. */
export function lineSvg(p: LinePlot): string {
  const pts = p.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (pts.length === 0) throw new Error(`BENCH_PLOT_EMPTY: "${p.title}" has no finite points`);
  const fx = (x: number) => (p.logX ? Math.log10(x) : x);
  let [x0, x1] = [Math.min(...pts.map(([x]) => fx(x))), Math.max(...pts.map(([x]) => fx(x)))];
  let [y0, y1] = [Math.min(...pts.map(([, y]) => y)), Math.max(...pts.map(([, y]) => y))];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  if (p.yRange) [y0, y1] = [Math.min(y0, p.yRange[0]), Math.max(y1, p.yRange[1])];
  const pad = (y1 - y0) * 0.08 || 1;
  [y0, y1] = [y0 - pad, y1 + pad];
  const px = (x: number) => M.left + ((fx(x) - x0) / (x1 - x0)) * (W - M.left - M.right);
  const py = (y: number) => H - M.bottom - ((y - y0) / (y1 - y0)) * (H - M.top - M.bottom);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - M.right / 2}" y="22" text-anchor="middle" font-size="15">${esc(p.title)}</text>`,
  ];
  const xTicks = p.logX
    ? ticks(x0, x1)
        .filter(Number.isInteger)
        .map((e) => 10 ** e)
    : ticks(x0, x1);
  for (const t of xTicks) {
    out.push(`<line x1="${px(t)}" x2="${px(t)}" y1="${M.top}" y2="${H - M.bottom}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${px(t)}" y="${H - M.bottom + 16}" text-anchor="middle">${t}</text>`);
  }
  for (const t of ticks(y0, y1)) {
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${py(t)}" y2="${py(t)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${M.left - 6}" y="${py(t) + 4}" text-anchor="end">${t}</text>`);
  }
  out.push(
    `<rect x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#333"/>`,
  );
  out.push(
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 14}" text-anchor="middle">${esc(p.xLabel)}</text>`,
  );
  out.push(
    `<text transform="translate(18 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`,
  );
  p.series.forEach((s, i) => {
    const c = COLOURS[i % COLOURS.length];
    const good = s.points
      .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
      .sort((a, b) => a[0] - b[0]);
    out.push(
      `<polyline fill="none" stroke="${c}" stroke-width="2" points="${good.map(([x, y]) => `${px(x)},${py(y)}`).join(' ')}"/>`,
    );
    for (const [x, y] of good) out.push(`<circle cx="${px(x)}" cy="${py(y)}" r="3.5" fill="${c}"/>`);
    const ly = M.top + 10 + i * 20;
    out.push(
      `<line x1="${W - M.right + 12}" x2="${W - M.right + 32}" y1="${ly}" y2="${ly}" stroke="${c}" stroke-width="3"/>`,
    );
    out.push(`<text x="${W - M.right + 38}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

/** Writes a line chart as PNG to `file`. */
export async function linePlot(file: string, p: LinePlot): Promise<string> {
  const svg = `${file}.svg`;
  await writeFile(svg, lineSvg(p));
  try {
    await ffmpeg(['-i', svg, '-frames:v', '1', '-update', '1', file]);
  } finally {
    await rm(svg, { force: true });
  }
  return file;
}
