// Summary of the development benchmark itself: what is in it, that every source is from the eval split,
// that every file is there, and the codec ceiling the separation figures must be read against.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext, SuiteResult } from '../context';
import type { Upload } from '../manifest';
import { rmsOf } from '../build/shape';
import { linePlot } from '../plot';
import { percentile, summarize } from '../score';
import { splitOf } from '../split';
import { readWav } from '../wav';

function countBy<T>(items: T[], key: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of items) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
}

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');

export async function run(ctx: BenchContext): Promise<SuiteResult> {
  const { music, originals, uploads, musicExcerpts, options } = ctx.manifest;
  const files = [
    ...music.map((m) => m.file),
    ...originals.flatMap((o) => [o.video, o.ost]),
    ...originals.flatMap((o) => (o.originalMusic ? [o.originalMusic] : [])),
    ...uploads.flatMap((u) =>
      [u.file, u.ost, u.bgm, u.originalMusic].filter((f): f is string => f !== undefined),
    ),
  ];
  const missing = files.filter((f) => !existsSync(ctx.resolve(f)));
  const bytes = files
    .filter((f) => !missing.includes(f))
    .reduce((a, f) => a + statSync(ctx.resolve(f)).size, 0);
  const sources = [
    ...music.map((m) => m.source),
    ...originals.flatMap((o) => [...o.speech.map((s) => s.source), ...o.ambient]),
  ];
  const nonEval = [...new Set(sources)].filter((s) => splitOf(s) !== 'eval');
  ctx.log(`${files.length} files, ${missing.length} missing, ${nonEval.length} non-eval sources`);

  const catalogMusic = music.filter((m) => m.inCatalog);
  const hours = (xs: { durationSeconds: number }[]) => xs.reduce((a, m) => a + m.durationSeconds, 0) / 3600;
  const ratios = [...new Set(uploads.map((u) => u.ratioDb).filter((r): r is number => r !== undefined))].sort(
    (a, b) => b - a,
  );
  const withMusic = (u: Upload) => u.musicId !== undefined && u.ratioDb !== undefined;
  const ceiling = (us: Upload[]) => summarize(us.map((u) => u.ceilingSiSdr ?? Number.NaN));
  const ceilingByRatio = Object.fromEntries(
    ratios.map((r) => {
      const g = uploads.filter((u) => withMusic(u) && u.ratioDb === r);
      return [
        `${r}dB`,
        {
          high: ceiling(g.filter((u) => u.bitrateKbps >= 192)),
          low: ceiling(g.filter((u) => u.bitrateKbps < 192)),
        },
      ];
    }),
  );
  // The stems on disk must carry the nominal OST-to-BGM ratio over the music span.
  const ratioErrors: number[] = [];
  for (const u of uploads.filter((x) => withMusic(x) && x.ost && x.bgm && !missing.includes(x.ost))) {
    const ost = (await readWav(ctx.resolve(u.ost!))).channels;
    const bgm = (await readWav(ctx.resolve(u.bgm!))).channels;
    const from = Math.round((u.musicStart ?? 0) * 48000);
    const to = Math.min(ost[0].length, Math.round((u.musicEnd ?? u.durationSeconds) * 48000));
    ratioErrors.push(Math.abs(20 * Math.log10(rmsOf(ost, from, to) / rmsOf(bgm, from, to)) - u.ratioDb!));
  }
  const ratioError = summarize(ratioErrors);
  const kinds = countBy(uploads, (u) => (u.edgeCase ? `edge:${u.edgeCase}` : u.kind));
  const figures = {
    options,
    files: files.length,
    missingFiles: missing,
    sizeMb: Math.round(bytes / 2 ** 20),
    nonEvalSources: nonEval,
    music: {
      tracks: music.length,
      catalog: catalogMusic.length,
      notInCatalog: music.length - catalogMusic.length,
      catalogHours: Number(hours(catalogMusic).toFixed(2)),
      notInCatalogHours: Number(hours(music.filter((m) => !m.inCatalog)).toFixed(2)),
      byPackage: countBy(music, (m) => `${m.package}${m.inCatalog ? '' : ' (not in catalog)'}`),
    },
    originals: {
      total: originals.length,
      inCatalog: originals.filter((o) => o.inCatalog).length,
      withOriginalMusic: originals.filter((o) => o.hasOriginalMusic).length,
      durationSeconds: summarize(originals.map((o) => o.durationSeconds)),
      resolutions: countBy(originals, (o) => `${o.width}x${o.height}`),
      speechClips: originals.reduce((a, o) => a + o.speech.length, 0),
    },
    uploads: {
      total: uploads.length,
      byKind: kinds,
      byRatio: countBy(
        uploads.filter(withMusic),
        (u) => `${u.ratioDb}dB ${u.kind} ${u.musicInCatalog ? 'catalog' : 'unknown'}`,
      ),
      byTransform: countBy(uploads, (u) => `${u.kind} ${u.transform}`),
      byBitrate: countBy(
        uploads.filter((u) => u.hasAudio),
        (u) => `${u.bitrateKbps}k`,
      ),
      withOriginalMusic: uploads.filter((u) => u.hasOriginalMusic).length,
    },
    musicExcerpts: musicExcerpts.length,
    measuredRatioErrorDb: ratioError,
    ceilingByRatio,
    ceilingClean: ceiling(uploads.filter((u) => u.kind === 'clean_reupload')),
  };

  let table = `${music.length} music tracks (${catalogMusic.length} in the catalog, ${f1(hours(catalogMusic))} h; ${figures.music.notInCatalog} not, ${f1(figures.music.notInCatalogHours)} h), `;
  table += `${originals.length} original works (${figures.originals.inCatalog} in the catalog, ${figures.originals.withOriginalMusic} with their own music), `;
  table += `${uploads.length} uploads (${figures.uploads.withOriginalMusic} whose OST has the original's own music), ${musicExcerpts.length} non-catalog music excerpts; ${figures.sizeMb} MB; `;
  table += `${missing.length} missing files; ${nonEval.length} sources outside the eval split; `;
  table += `OST-to-BGM measured on the stems is within ${f1(percentile(ratioErrors, 95))} dB of nominal for 95% of uploads.\n\n`;
  table += '| upload kind | count |\n|---|---|\n';
  for (const [k, n] of Object.entries(kinds)) table += `| ${k} | ${n} |\n`;
  table +=
    '\n| OST-to-BGM | re-uploads (catalog / unknown music) | new works | transformed | at 96 kb/s |\n|---|---|---|---|---|\n';
  for (const r of ratios) {
    const g = uploads.filter((u) => u.ratioDb === r && withMusic(u));
    const re = g.filter((u) => u.kind === 'reupload');
    table += `| ${r} dB | ${re.filter((u) => u.musicInCatalog).length} / ${re.filter((u) => !u.musicInCatalog).length} | `;
    table += `${g.filter((u) => u.kind === 'new_work').length} | ${g.filter((u) => u.transform !== 'none').length} | ${g.filter((u) => u.bitrateKbps < 192).length} |\n`;
  }
  table +=
    '\nCodec ceiling: SI-SDR (dB) of the decoded upload minus the true BGM against the true OST, the best any remover can reach.\n\n';
  table += '| OST-to-BGM | 192-320 kb/s median (p25) | 96 kb/s median (p25) |\n|---|---|---|\n';
  for (const r of ratios) {
    const c = ceilingByRatio[`${r}dB`];
    table += `| ${r} dB | ${f1(c.high.median)} (${f1(c.high.p25)}), n=${c.high.n} | ${f1(c.low.median)} (${f1(c.low.p25)}), n=${c.low.n} |\n`;
  }
  table += `| clean re-uploads | ${f1(figures.ceilingClean.median)} (${f1(figures.ceilingClean.p25)}), n=${figures.ceilingClean.n} | |\n`;
  if (missing.length || nonEval.length) {
    throw new Error(
      `BENCH_DATASET_INVALID: ${missing.length} missing files (${missing.slice(0, 3).join(', ')}), ${nonEval.length} non-eval sources (${nonEval.slice(0, 3).join(', ')})`,
    );
  }
  const curve = (band: 'high' | 'low') =>
    ratios.map((r): [number, number] => [r, ceilingByRatio[`${r}dB`][band].median]);
  const plots = ratios.length
    ? [
        await linePlot(join(ctx.outDir, 'dataset-ceiling.png'), {
          title: 'Codec ceiling: decoded upload minus true BGM (median)',
          xLabel: 'OST-to-BGM (dB)',
          yLabel: 'SI-SDR against the true OST (dB)',
          series: [
            { name: '192-320 kb/s', points: curve('high') },
            { name: '96 kb/s', points: curve('low') },
          ],
        }),
      ]
    : [];
  return { name: 'dataset', figures, table, plots };
}
