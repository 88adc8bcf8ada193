// End-to-end speed of `undub analyze` (issue 5): 720p uploads of 15 s, 60 s and 300 s, the whole
// pipeline with the files the CLI writes, per-stage timings, real-time factor, CPU time and peak memory,
// against a catalog of 1,000 music tracks and 1,000 original works.
//
// The catalog lives in a database of its own (`undub_pipeline` on the server of PIPELINE_DATABASE_URL /
// TEST_DATABASE_URL / 127.0.0.1:5432), kept between runs: the benchmark's real catalog, grown with
// generated items once. Generated item k copies a real one (k mod R): its landmarks shifted in pitch
// (hash frequency field ±10 units) and stretched in time (×0.9..1.1) as the scale suite does, its frame
// hashes XORed with a random 64-bit mask (as far from the template as an unrelated video, with the same
// band statistics). Options: --opt durations=15,60,300,600, --opt pipeline.catalog=1000 (items of each kind).
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { fingerprint, SAMPLE_RATE, type Landmarks } from '@undub/inference/fingerprint';
import { decodeAudio } from '@undub/inference/media';
import { loadConfig } from '../../../apps/api/src/config';
import { openDatabase, type Database } from '../../../apps/api/src/db';
import {
  ensureDefaultTenant,
  insertLandmarks,
  SOURCE_MUSIC,
  SOURCE_ORIGINAL,
} from '../../../apps/api/src/catalog';
import { insertVideoHashes, loadVideoHashes } from '../../../apps/api/src/catalog/video-store';
import { analyzeFile } from '../../../apps/api/src/pipeline/analyze';
import { loadSeparator } from '@undub/inference/separation';
import { HASH_FPS } from '@undub/inference/videohash';
import { ensureBenchCatalog } from '../catalog';
import type { BenchContext, SuiteResult } from '../context';
import { suiteDatabaseUrl } from '../database';
import { ffmpeg } from '../ffmpeg';
import { linePlot } from '../plot';

/** Stages whose time is mostly catalog lookups (fingerprints or frame hashes against the database). */
const LOOKUP_STAGES = ['identify_music', 'attribute_music', 'match_originals'];
/** Landmarks of a template track beyond this are not copied (a typical song's length). */
const TEMPLATE_SECONDS = 210;

/** Generated item k's landmarks: the template shifted in pitch and stretched in time. */
function variant(lm: Landmarks, k: number): Landmarks {
  const shift = ((k * 7) % 21) - 10;
  const stretch = 0.9 + 0.05 * (Math.floor(k / 21) % 5);
  const hashes = lm.hashes.map((h) => {
    const f = Math.min(255, Math.max(0, (h >> 12) + shift));
    return (f << 12) | (h & 4032) | Math.min(63, Math.max(0, Math.round(((h & 63) + 1) * stretch) - 1));
  });
  const times = lm.times.map((t) => Math.round(t * stretch));
  return { hashes, times, anchors: times };
}

async function landmarksOf(file: string): Promise<Landmarks> {
  const [mono] = await decodeAudio(file, { sampleRate: SAMPLE_RATE, channels: 1 });
  return fingerprint(mono.subarray(0, TEMPLATE_SECONDS * SAMPLE_RATE), SAMPLE_RATE);
}

/** Adds generated items until the default tenant has `size` indexed items of each kind. */
async function growCatalog(db: Database, ctx: BenchContext, size: number): Promise<void> {
  const tenantId = await ensureDefaultTenant(db);
  for (const kind of ['music', 'original'] as const) {
    const table = kind === 'music' ? 'MusicTrack' : 'OriginalWork';
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${table}" WHERE "tenantId" = $1 AND "indexedAt" IS NOT NULL`,
      [tenantId],
    );
    const missing = size - rows[0].n;
    if (missing <= 0) continue;
    ctx.log(`catalog: generating ${missing} ${kind} items`);
    const real =
      kind === 'music'
        ? ctx.manifest.music.filter((m) => m.inCatalog).map((m) => ({ id: m.id, file: ctx.resolve(m.file) }))
        : ctx.manifest.originals
            .filter((o) => o.inCatalog)
            .map((o) => ({ id: o.id, file: ctx.resolve(o.video) }));
    const templates = await Promise.all(
      real.slice(0, 20).map(async (r) => ({
        landmarks: await landmarksOf(r.file),
        frames:
          kind === 'original'
            ? await loadVideoHashes(
                db.pool,
                (
                  await db.pool.query<{ k: number }>(
                    `SELECT "fingerprintKey" AS k FROM "OriginalWork" WHERE "tenantId" = $1 AND "externalId" = $2`,
                    [tenantId, r.id],
                  )
                ).rows[0].k,
                HASH_FPS,
              )
            : undefined,
      })),
    );
    const first = rows[0].n + 1;
    for (let k = first; k < first + missing; k++) {
      const template = templates[k % templates.length];
      const client = await db.pool.connect();
      try {
        await client.query('BEGIN');
        const { rows: added } = await client.query<{ key: number }>(
          `INSERT INTO "${table}" (id, "tenantId", "externalId", title, "indexedAt")
           VALUES (gen_random_uuid()::text, $1, $2, $2, now()) RETURNING "fingerprintKey" AS key`,
          [tenantId, `gen-${kind}-${String(k).padStart(5, '0')}`],
        );
        const key = added[0].key;
        await insertLandmarks(
          client,
          kind === 'music' ? SOURCE_MUSIC : SOURCE_ORIGINAL,
          key,
          variant(template.landmarks, k),
        );
        if (template.frames) {
          const mask = [(Math.random() * 2 ** 32) >>> 0, (Math.random() * 2 ** 32) >>> 0];
          await insertVideoHashes(client, key, {
            ...template.frames,
            hi: template.frames.hi.map((h) => (h ^ mask[0]) >>> 0),
            lo: template.frames.lo.map((h) => (h ^ mask[1]) >>> 0),
          });
        }
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      } finally {
        client.release();
      }
      if ((k - first + 1) % 100 === 0) ctx.log(`catalog: ${k - first + 1}/${missing} ${kind} items`);
    }
  }
  await db.pool.query('ANALYZE');
}

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
  const durations = (ctx.options.durations ?? '15,60,300,600').split(',').map(Number);
  const catalogSize = Number(ctx.options['pipeline.catalog'] ?? 1000);
  const db = await openDatabase(
    loadConfig({ ...process.env, DATABASE_URL: suiteDatabaseUrl('PIPELINE_DATABASE_URL', 'undub_pipeline') }),
  );
  try {
    await ensureBenchCatalog({ ...ctx, db: async <T>() => db as T });
    await growCatalog(db, ctx, catalogSize);
    return await measure(ctx, db, durations);
  } finally {
    await db.close();
  }
}

interface PipelineRow {
  seconds: number;
  wallSeconds: number;
  realtimeFactor: number;
  lookupSeconds: number;
  otherSeconds: number;
  nodeCpuSeconds: number;
  peakRssMb: number;
  loadAverage: number;
  verdict: string;
  timings: Record<string, number>;
}

async function measure(ctx: BenchContext, db: Database, durations: number[]): Promise<SuiteResult> {
  const config = loadConfig();
  const separator = await loadSeparator();
  const original = ctx.manifest.originals.find((o) => o.inCatalog)!;
  const music = ctx.manifest.music.find((m) => m.inCatalog)!;
  const counts = await db.pool.query(
    `SELECT (SELECT count(*) FROM "MusicTrack" WHERE "indexedAt" IS NOT NULL)::int AS music,
            (SELECT count(*) FROM "OriginalWork" WHERE "indexedAt" IS NOT NULL)::int AS originals`,
  );

  const rows: PipelineRow[] = [];
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
    const cpu0 = process.cpuUsage();
    const { result, peakMb } = await withPeakRss(() =>
      analyzeFile(file, { db, config, separator }, { outDir: join(ctx.tmpDir, `out-${seconds}`) }),
    );
    const wall = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const lookups = LOOKUP_STAGES.reduce(
      (sum, s) => sum + ((result.timings as Record<string, number>)[s] ?? 0),
      0,
    );
    rows.push({
      seconds,
      wallSeconds: Number(wall.toFixed(2)),
      realtimeFactor: Number((seconds / wall).toFixed(1)),
      lookupSeconds: Number(lookups.toFixed(2)),
      otherSeconds: Number((wall - lookups).toFixed(2)),
      nodeCpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
      peakRssMb: peakMb,
      loadAverage: Number(loadavg()[0].toFixed(1)),
      verdict: result.verdict.verdict,
      timings: Object.fromEntries(
        Object.entries(result.timings).map(([k, v]) => [k, Number((v ?? 0).toFixed(2))]),
      ),
    });
  }
  await separator.release();

  const stages = Object.keys(rows[0]?.timings ?? {});
  const table = [
    `Catalog: ${counts.rows[0].music} music tracks, ${counts.rows[0].originals} original works (the benchmark's, grown with generated items). 720p H.264 uploads, music at 0 dB; outputs as \`undub analyze\` writes them.`,
    '',
    `| upload | wall s | x real time | lookup stages s | rest s | Node CPU s | peak RSS MB | load avg | verdict | ${stages.join(' | ')} |`,
    `|---|---|---|---|---|---|---|---|---|${stages.map(() => '---').join('|')}|`,
    ...rows.map(
      (r) =>
        `| ${r.seconds} s | ${r.wallSeconds} | ${r.realtimeFactor} | ${r.lookupSeconds} | ${r.otherSeconds} | ${r.nodeCpuSeconds} | ${r.peakRssMb} | ${r.loadAverage} | ${r.verdict} | ${stages.map((s) => r.timings[s]).join(' | ')} |`,
    ),
  ].join('\n');
  const byDuration = (y: (r: PipelineRow) => number): [number, number][] =>
    rows.map((r) => [r.seconds, y(r)]);
  const plots = [
    await linePlot(join(ctx.outDir, 'pipeline-time.png'), {
      title: 'Analysis time by upload duration (720p, 1k catalog)',
      xLabel: 'upload duration (s)',
      yLabel: 'seconds',
      series: [
        { name: 'wall', points: byDuration((r) => r.wallSeconds) },
        { name: 'lookup stages', points: byDuration((r) => r.lookupSeconds) },
        { name: 'Node CPU', points: byDuration((r) => r.nodeCpuSeconds) },
      ],
    }),
    await linePlot(join(ctx.outDir, 'pipeline-memory.png'), {
      title: 'Peak memory of the analysing process',
      xLabel: 'upload duration (s)',
      yLabel: 'peak RSS (MB)',
      series: [{ name: 'peak RSS', points: byDuration((r) => r.peakRssMb) }],
    }),
  ];
  return {
    name: 'pipeline',
    plots,
    figures: { catalog: counts.rows[0], rows },
    table,
    notes: [
      `Lookup stages: ${LOOKUP_STAGES.join(', ')} (catalog fingerprint and frame-hash lookups, with the fingerprinting they need); rest: wall time minus those.`,
      'Stages overlap: decode (frames) runs beside identify_music and remove_bgm, write_outputs beside match_originals and decide, so the stage times add up to more than the wall time.',
      'Node CPU s: the analysing process only (PostgreSQL and the ffmpeg processes are not in it); load avg: 1-minute load average after the run.',
      'Peak RSS is the Node process only; ffmpeg decoders run as child processes beside it.',
    ],
  };
}
