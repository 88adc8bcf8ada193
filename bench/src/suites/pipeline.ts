// End-to-end speed of `undub analyze` (issue 5): 720p uploads of 15 s, 60 s and 300 s, the whole
// pipeline with the files the CLI writes, per-stage timings, real-time factor and peak memory.
// Options: --opt durations=15,60,300.
import { join } from 'node:path';
import { loadConfig } from '../../../apps/api/src/config';
import { analyzeFile } from '../../../apps/api/src/pipeline/analyze';
import { loadSeparator } from '@undub/inference/separation';
import { ensureBenchCatalog } from '../catalog';
import type { BenchContext, SuiteResult } from '../context';
import { ffmpeg } from '../ffmpeg';

/** Peak resident memory of this process while `work` runs (sampled every 20 ms). */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peakMb: Math.round(peak / 2 ** 20) };
  } finally {
    clearInterval(timer);
  }
}

export async function run(ctx: BenchContext): Promise<SuiteResult> {
  const durations = (ctx.options.durations ?? '15,60,300').split(',').map(Number);
  const db = await ensureBenchCatalog(ctx);
  const config = loadConfig();
  const separator = await loadSeparator();
  const original = ctx.manifest.originals.find((o) => o.inCatalog)!;
  const music = ctx.manifest.music.find((m) => m.inCatalog)!;
  const counts = await db.pool.query(
    `SELECT (SELECT count(*) FROM "MusicTrack")::int AS music, (SELECT count(*) FROM "OriginalWork")::int AS originals,
            (SELECT count(*) FROM "AudioFingerprint")::int AS landmarks`,
  );

  const rows = [];
  for (const seconds of durations) {
    // The original's picture scaled to 720p and looped, with catalog music laid over its soundtrack at 0 dB.
    const file = join(ctx.tmpDir, `upload-${seconds}s.mp4`);
    await ffmpeg([
      '-stream_loop',
      '-1',
      '-i',
      ctx.resolve(original.video),
      '-stream_loop',
      '-1',
      '-i',
      ctx.resolve(music.file),
      '-filter_complex',
      '[0:v]scale=1280:720,fps=30[v];[0:a][1:a]amix=inputs=2:normalize=0[a]',
      '-map',
      '[v]',
      '-map',
      '[a]',
      '-t',
      String(seconds),
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-b:a',
      '192k',
      file,
    ]);
    ctx.log(`analysing ${seconds} s`);
    const started = performance.now();
    const { result, peakMb } = await withPeakRss(() =>
      analyzeFile(file, { db, config, separator }, { outDir: join(ctx.tmpDir, `out-${seconds}`) }),
    );
    const wall = (performance.now() - started) / 1000;
    rows.push({
      seconds,
      wallSeconds: Number(wall.toFixed(2)),
      realtimeFactor: Number((seconds / wall).toFixed(1)),
      peakRssMb: peakMb,
      verdict: result.verdict.verdict,
      timings: Object.fromEntries(
        Object.entries(result.timings).map(([k, v]) => [k, Number((v ?? 0).toFixed(2))]),
      ),
    });
  }
  await separator.release();

  const stages = Object.keys(rows[0]?.timings ?? {});
  const table = [
    `Catalog: ${counts.rows[0].music} music tracks, ${counts.rows[0].originals} original works, ${counts.rows[0].landmarks} landmarks. 720p H.264 uploads, music at 0 dB; outputs as \`undub analyze\` writes them.`,
    '',
    `| upload | wall s | x real time | peak RSS MB | verdict | ${stages.join(' | ')} |`,
    `|---|---|---|---|---|${stages.map(() => '---').join('|')}|`,
    ...rows.map(
      (r) =>
        `| ${r.seconds} s | ${r.wallSeconds} | ${r.realtimeFactor} | ${r.peakRssMb} | ${r.verdict} | ${stages.map((s) => (r.timings as Record<string, number>)[s]).join(' | ')} |`,
    ),
  ].join('\n');
  return {
    name: 'pipeline',
    figures: { catalog: counts.rows[0], rows },
    table,
    notes: ['Peak RSS is the Node process only; ffmpeg decoders run as child processes beside it.'],
  };
}
