// Originality verdicts on the development benchmark (issue 5): re-uploads judged `reupload` of the right
// original by OST-to-BGM ratio, with and without video transforms, with restoration and without it
// (`--no-restore`), new works wrongly judged re-uploads, clean re-uploads, edge cases, and how well the
// confidence is calibrated. Options: --opt limit=N (items per group, default 8), --opt groups=a,b (only
// the groups named, e.g. new_work to measure false re-uploads on every new work).
import { loadConfig } from '../../../apps/api/src/config';
import { analyzeFile } from '../../../apps/api/src/pipeline/analyze';
import { join } from 'node:path';
import { loadSeparator } from '@undub/inference/separation';
import { ensureBenchCatalog } from '../catalog';
import { linePlot } from '../plot';
import type { BenchContext, SuiteResult } from '../context';
import type { Upload } from '../manifest';

interface Row {
  id: string;
  group: string;
  kind: Upload['kind'];
  ratioDb: number | null;
  transformed: boolean;
  expected: 'reupload' | 'original';
  expectedOriginal: string | null;
  restored: Outcome;
  unrestored: Outcome;
}

interface Outcome {
  verdict: string;
  originalId: string | null;
  confidence: number;
  routing: string;
  correct: boolean;
  error?: string;
}

function groupOf(u: Upload): string {
  if (u.kind === 'reupload')
    return `reupload ${u.ratioDb} dB ${u.transform === 'none' ? 'plain' : 'transformed'}`;
  if (u.kind === 'edge') return `edge ${u.edgeCase}`;
  return u.kind;
}

function pct(xs: boolean[]): number {
  return xs.length ? Math.round((1000 * xs.filter(Boolean).length) / xs.length) / 10 : Number.NaN;
}

export async function run(ctx: BenchContext): Promise<SuiteResult> {
  const limit = Number(ctx.options.limit ?? 8);
  const db = await ensureBenchCatalog(ctx);
  const config = loadConfig();
  const separator = await loadSeparator();

  const only = ctx.options.groups ? new Set(ctx.options.groups.split(',')) : null;
  const byGroup = new Map<string, Upload[]>();
  for (const u of ctx.manifest.uploads) {
    const g = groupOf(u);
    if (only && !only.has(g)) continue;
    const list = byGroup.get(g) ?? [];
    if (list.length < limit) list.push(u);
    byGroup.set(g, list);
  }
  const items = [...byGroup.values()].flat();
  ctx.log(`${items.length} uploads in ${byGroup.size} groups`);

  const judge = async (u: Upload, restore: boolean): Promise<Outcome> => {
    try {
      const a = await analyzeFile(
        ctx.resolve(u.file),
        { db, config, separator },
        { outDir: ctx.tmpDir, restore, outputs: 'none' },
      );
      const v = a.verdict;
      const correct =
        u.expectedVerdict === 'reupload'
          ? v.verdict === 'reupload' && v.originalId === u.originalId
          : v.verdict !== 'reupload';
      return {
        verdict: v.verdict,
        originalId: v.originalId,
        confidence: v.confidence,
        routing: v.routing,
        correct,
      };
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'ERROR';
      // A clear error is an accepted outcome for an upload without audio (bench/README.md).
      const correct = u.edgeCase === 'no_audio' && code.startsWith('MEDIA_');
      return { verdict: 'error', originalId: null, confidence: 0, routing: 'none', correct, error: code };
    }
  };

  const rows: Row[] = [];
  for (const [i, u] of items.entries()) {
    const restored = await judge(u, true);
    const unrestored = await judge(u, false);
    rows.push({
      id: u.id,
      group: groupOf(u),
      kind: u.kind,
      ratioDb: u.ratioDb ?? null,
      transformed: u.transform !== 'none',
      expected: u.expectedVerdict,
      expectedOriginal: u.originalId ?? null,
      restored,
      unrestored,
    });
    if ((i + 1) % 10 === 0) ctx.log(`${i + 1}/${items.length}`);
  }
  await separator.release();

  const groups = [...new Set(rows.map((r) => r.group))].sort();
  const perGroup = groups.map((g) => {
    const rs = rows.filter((r) => r.group === g);
    return {
      group: g,
      n: rs.length,
      correctRestored: pct(rs.map((r) => r.restored.correct)),
      correctUnrestored: pct(rs.map((r) => r.unrestored.correct)),
      reuploadVerdicts: pct(rs.map((r) => r.restored.verdict === 'reupload')),
    };
  });
  const reuploads = rows.filter((r) => r.kind === 'reupload');
  const newWorks = rows.filter((r) => r.kind === 'new_work');
  const byRatio = [5, 0, -5, -10].map((ratio) => {
    const rs = reuploads.filter((r) => r.ratioDb === ratio);
    return {
      ratioDb: ratio,
      n: rs.length,
      correctRestored: pct(rs.map((r) => r.restored.correct)),
      correctUnrestored: pct(rs.map((r) => r.unrestored.correct)),
    };
  });
  // Reliability: of the verdicts given with confidence in each band, the share that were right.
  const bands = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0001];
  const calibration = bands.slice(0, -1).map((lo, i) => {
    const rs = rows.filter(
      (r) =>
        r.restored.verdict !== 'error' && r.restored.confidence >= lo && r.restored.confidence < bands[i + 1],
    );
    return {
      band: `${lo}-${Math.min(1, bands[i + 1])}`,
      n: rs.length,
      correct: pct(rs.map((r) => r.restored.correct)),
    };
  });
  const routing = Object.fromEntries(
    ['auto_flag', 'review', 'auto_clear'].map((k) => [
      k,
      rows.filter((r) => r.restored.routing === k).length,
    ]),
  );
  const falseReupload = pct(newWorks.map((r) => r.restored.verdict === 'reupload'));
  const autoErrors = rows
    .filter((r) => r.restored.routing !== 'review' && !r.restored.correct)
    .map((r) => r.id);

  const table = [
    '| OST-to-BGM | re-uploads | correct, restored | correct, `--no-restore` |',
    '|---|---|---|---|',
    ...byRatio.map((r) => `| ${r.ratioDb} dB | ${r.n} | ${r.correctRestored}% | ${r.correctUnrestored}% |`),
    '',
    `New works with overlaid music judged \`reupload\`: **${falseReupload}%** of ${newWorks.length}.`,
    '',
    '| group | n | correct, restored | correct, `--no-restore` | `reupload` verdicts |',
    '|---|---|---|---|---|',
    ...perGroup.map(
      (g) =>
        `| ${g.group} | ${g.n} | ${g.correctRestored}% | ${g.correctUnrestored}% | ${g.reuploadVerdicts}% |`,
    ),
    '',
    'Calibration (restored): share of verdicts that were right, by confidence band.',
    '',
    '| confidence | n | correct |',
    '|---|---|---|',
    ...calibration.map((c) => `| ${c.band} | ${c.n} | ${c.n ? `${c.correct}%` : '–'} |`),
    '',
    `Routing: ${Object.entries(routing)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}; wrong verdicts routed automatically: ${autoErrors.length}.`,
  ].join('\n');

  const plots = [
    await linePlot(join(ctx.outDir, 'verdict-by-ratio.png'), {
      title: 'Re-uploads judged reupload of the right original',
      xLabel: 'OST-to-BGM (dB)',
      yLabel: 'correct (%)',
      yRange: [0, 100],
      series: [
        { name: 'restored', points: byRatio.map((r) => [r.ratioDb, r.correctRestored]) },
        { name: '--no-restore', points: byRatio.map((r) => [r.ratioDb, r.correctUnrestored]) },
      ],
    }),
  ];

  return {
    name: 'verdict',
    plots,
    figures: {
      limitPerGroup: limit,
      byRatio,
      perGroup,
      newWorkFalseReuploadPct: falseReupload,
      calibration,
      routing,
      autoErrors,
      rows,
    },
    table,
  };
}
