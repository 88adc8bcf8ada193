// Fingerprint lookup at catalog scale (issues 3 and 8): the music catalog's landmark tables grown to 1k,
// 10k, 100k, ... tracks in a database of its own (`undub_scale` on the server of SCALE_DATABASE_URL /
// TEST_DATABASE_URL / 127.0.0.1:5432), and the wall and CPU time of 60-second queries through the
// product's own lookup (`matchQuery` over `PgLandmarkIndex`, as `identifyMusic` runs it), with table sizes.
//
// The catalog is generated from real landmarks (bench/src/synthetic-catalog.ts): the benchmark's catalog
// music is fingerprinted (each track cut to 3.5 minutes, a typical song) and is tracks 1..R; every later
// track is made of pitch-shifted, time-stretched stretches of them. Rows are written with binary COPY
// in the store's own layout, a posting block (4,096 tracks) at a time, and full blocks are then
// compacted into group rows (compactPostings); the tables are made UNLOGGED in this database (no WAL
// for generated rows; lookups read them as they read logged ones).
// Options: --opt scale.tracks=1000,10000,100000 --opt scale.queries=5 --opt scale.reps=2 --opt scale.keep=1
// (measure the tables a previous run left instead of emptying them).
import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import {
  fingerprint,
  queryFingerprint,
  matchQuery,
  SAMPLE_RATE,
  FRAME_SECONDS,
  type FingerprintQuery,
  type IndexHits,
  type LandmarkIndex,
} from '@undub/inference/fingerprint';
import { decodeAudio } from '@undub/inference/media';
import { loadConfig } from '../../../apps/api/src/config';
import { openDatabase, type Database } from '../../../apps/api/src/db';
import {
  compactPostings,
  PgLandmarkIndex,
  POSTING_BLOCK_ITEMS as BLOCK_ITEMS,
  rebuildPostingSizes,
  SOURCE_MUSIC,
} from '../../../apps/api/src/catalog/landmark-store';
import type { BenchContext, SuiteResult } from '../context';
import { suiteDatabaseUrl } from '../database';
import { copyBinary } from '../pg-copy';
import { linePlot } from '../plot';
import { markdownTable, median, percentile } from '../score';
import { blockRows, type Template } from '../synthetic-catalog';

const TRACK_SECONDS = 210;
const QUERY_SECONDS = 60;

interface QueryFigures {
  /** Wall clock per query, ms: median and 95th percentile. */
  medianMs: number;
  p95Ms: number;
  /** CPU per query, ms (medians): this process (fingerprint matching, decoding rows) and the database backend. */
  cpuMs: number;
  serverCpuMs: number;
  /** Time inside PgLandmarkIndex.lookup (SQL, transfer, decoding), median ms. */
  lookupMs: number;
  /** Postings the lookups returned, median per query. */
  postings: number;
  /** Hits: queries whose best match is their own track; misses: queries with any match reported. */
  right: number;
  queries: number;
  loadAverage: number;
}

interface SizeRow {
  tracks: number;
  landmarks: number;
  postingRows: number;
  /** AudioPosting with AudioPostingSize, and AudioFingerprint, each with its TOAST table and primary key. */
  postingsMb: number;
  itemsMb: number;
  /** Postings per hash value in use: median, 99th percentile, largest; share held by the top 1 % of values. */
  hashValues: number;
  postingsP50: number;
  postingsP99: number;
  postingsMax: number;
  top1Share: number;
  generateSeconds: number;
  miss: QueryFigures;
  hit: QueryFigures;
}

/** Counts the postings the lookups return and the time spent in them, around the real index. */
class CountingIndex implements LandmarkIndex {
  postings = 0;
  lookupMs = 0;
  constructor(private readonly inner: PgLandmarkIndex) {}
  async lookup(hashes: Int32Array, uses: Int32Array): Promise<IndexHits> {
    const t0 = performance.now();
    const hits = await this.inner.lookup(hashes, uses);
    this.lookupMs += performance.now() - t0;
    this.postings += hits.key.length;
    return hits;
  }
  window(key: number, from: number, to: number) {
    return this.inner.window(key, from, to);
  }
}

async function mono8k(file: string, start: number, seconds: number): Promise<Float32Array> {
  const [mono] = await decodeAudio(file, { sampleRate: SAMPLE_RATE, channels: 1 });
  return mono.subarray(Math.floor(start * SAMPLE_RATE), Math.floor((start + seconds) * SAMPLE_RATE));
}

/**
 * Grows the catalog from `from` to `to` tracks, one posting block per pair of COPY statements, then
 * compacts the full blocks as the product does. A block left part-filled by the previous size (the open
 * one, never compacted) is deleted and written again whole (generation is deterministic).
 */
async function grow(
  db: Database,
  from: number,
  to: number,
  templates: Template[],
  log: (m: string) => void,
): Promise<void> {
  const frames = Math.round(TRACK_SECONDS / FRAME_SECONDS);
  const c = await db.pool.connect();
  try {
    for (let block = Math.floor((from + 1) / BLOCK_ITEMS); block * BLOCK_ITEMS <= to; block++) {
      const first = Math.max(1, block * BLOCK_ITEMS);
      const last = Math.min(to, (block + 1) * BLOCK_ITEMS - 1);
      if (first <= from) {
        await c.query(`DELETE FROM "AudioPosting" WHERE source = $1 AND block = $2`, [SOURCE_MUSIC, block]);
        await c.query(`DELETE FROM "AudioFingerprint" WHERE source = $1 AND "sourceKey" BETWEEN $2 AND $3`, [
          SOURCE_MUSIC,
          first,
          last,
        ]);
      }
      const rows = blockRows(templates, SOURCE_MUSIC, first, last, frames);
      await copyBinary(c, `"AudioFingerprint" (source, "sourceKey", count, landmarks)`, [rows.items]);
      await copyBinary(c, `"AudioPosting" (source, hash, block, n, postings)`, [rows.postings]);
      log(`generated tracks ${first}..${last} (${rows.landmarks} landmarks)`);
    }
    await rebuildPostingSizes(c, SOURCE_MUSIC);
    // Full blocks merged into group rows, as the product's index job keeps them.
    const rows = await compactPostings(db.pool, SOURCE_MUSIC);
    log(`compacted full blocks into ${rows} group rows`);
    // Index-only sizing needs the visibility map; the planner needs statistics.
    await c.query(`VACUUM ANALYZE "AudioPostingSize"`);
    await c.query(`VACUUM ANALYZE "AudioPosting"`);
    await c.query(`VACUUM ANALYZE "AudioFingerprint"`);
  } finally {
    c.release();
  }
}

/** CPU milliseconds a PostgreSQL backend has used (its /proc entry: the server must be local). */
function backendCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 10 ms clock ticks
}

/**
 * Runs each query `reps` times (round robin) through a fresh index, as the service does per upload;
 * `expected` is each query's own track key (hits) or undefined (misses: nothing should be reported).
 */
async function timeQueries(
  url: string,
  tracks: number,
  queries: { query: FingerprintQuery; expected?: number }[],
  reps: number,
): Promise<QueryFigures> {
  // One connection, so one backend serves every lookup and window read.
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const { rows: backend } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const keys = new Set(Array.from({ length: tracks }, (_, i) => i + 1));
  const wall: number[] = [];
  const cpu: number[] = [];
  const server: number[] = [];
  const lookup: number[] = [];
  const postings: number[] = [];
  const load: number[] = [];
  let right = 0;
  try {
    for (let r = 0; r < reps; r++) {
      for (const q of queries) {
        const index = new CountingIndex(new PgLandmarkIndex(pool, SOURCE_MUSIC, keys));
        load.push(os.loadavg()[0]);
        const server0 = backendCpuMs(backend[0].pid);
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        const matches = await matchQuery(q.query, index);
        wall.push(performance.now() - t0);
        const used = process.cpuUsage(cpu0);
        cpu.push((used.user + used.system) / 1000);
        server.push(backendCpuMs(backend[0].pid) - server0);
        lookup.push(index.lookupMs);
        postings.push(index.postings);
        if (r === 0)
          right += q.expected ? Number(matches[0]?.key === q.expected) : Number(matches.length > 0);
      }
    }
  } finally {
    await pool.end();
  }
  return {
    medianMs: Math.round(median(wall)),
    p95Ms: Math.round(percentile(wall, 95)),
    cpuMs: Math.round(median(cpu)),
    serverCpuMs: Math.round(median(server)),
    lookupMs: Math.round(median(lookup)),
    postings: Math.round(median(postings)),
    right,
    queries: queries.length,
    loadAverage: Number(median(load).toFixed(2)),
  };
}

/** Share of landmarks carried by the most common 1 % of hash values. */
function top1Share(counts: number[]): number {
  const sorted = counts.sort((a, b) => b - a);
  const total = sorted.reduce((a, b) => a + b, 0);
  const top = sorted.slice(0, Math.max(1, Math.round(sorted.length / 100))).reduce((a, b) => a + b, 0);
  return Number((top / total).toFixed(3));
}

/**
 * What the largest sizes measured say about `tracks` (a size too large to generate here): tables grow
 * with the landmarks, lookup time by the factor per decade seen between the two largest sizes.
 */
function projection(rows: SizeRow[], tracks: number): string[] {
  const [a, b] = rows.slice(-2);
  if (!a || !b || b.tracks >= tracks) return [];
  const decades = Math.log10(tracks / b.tracks);
  const grow = (x: number, y: number) =>
    Math.round(y * (y / x) ** (decades / Math.log10(b.tracks / a.tracks)));
  const gb = ((b.postingsMb + b.itemsMb) * (tracks / b.tracks)) / 1024;
  return [
    `${tracks.toLocaleString('en')} tracks, projected from the ${a.tracks} and ${b.tracks} rows above (not generated: ` +
      `the tables would take about ${Math.round(gb)} GB): hit median ~${grow(a.hit.medianMs, b.hit.medianMs)} ms, ` +
      `miss median ~${grow(a.miss.medianMs, b.miss.medianMs)} ms wall (docs/scaling.md: how the store holds up at that size).`,
  ];
}

export async function run(ctx: BenchContext): Promise<SuiteResult> {
  const sizes = (ctx.options['scale.tracks'] ?? '1000,10000,100000').split(',').map(Number);
  const queryCount = Number(ctx.options['scale.queries'] ?? 5);
  const reps = Number(ctx.options['scale.reps'] ?? 2);
  const url = suiteDatabaseUrl('SCALE_DATABASE_URL', 'undub_scale');
  const db = await openDatabase(loadConfig({ ...process.env, DATABASE_URL: url }));
  try {
    // Start from empty tables unless told to keep them: the sizes below are this run's own.
    if (ctx.options['scale.keep'] !== '1') {
      await db.pool.query(
        `TRUNCATE "AudioFingerprint", "AudioPosting", "AudioPostingSize";
         ALTER TABLE "AudioFingerprint" SET UNLOGGED; ALTER TABLE "AudioPosting" SET UNLOGGED;
         ALTER TABLE "AudioPostingSize" SET UNLOGGED`,
      );
    }
    const music = ctx.manifest.music.filter((m) => m.inCatalog);
    const templates: Template[] = [];
    const templateHashes = new Map<number, number>();
    for (const m of music) {
      const lm = fingerprint(await mono8k(ctx.resolve(m.file), 0, TRACK_SECONDS), SAMPLE_RATE);
      templates.push({ hash: lm.hashes, t: lm.times });
      for (const h of lm.hashes) templateHashes.set(h, (templateHashes.get(h) ?? 0) + 1);
    }
    const templateLandmarks = templates.reduce((a, tp) => a + tp.hash.length, 0);
    const realTop1 = top1Share([...templateHashes.values()]);
    ctx.log(
      `templates: ${music.length} real tracks, ${templateLandmarks} landmarks, ${templateHashes.size} hash values, top 1 % hold ${realTop1}`,
    );

    // Hits: 60 s of real catalog tracks (keys 1..R); misses: 60 s of music in no catalog.
    const hits = [];
    for (const [i, m] of music.entries()) {
      if (hits.length === queryCount) break;
      if (m.durationSeconds < 60 + QUERY_SECONDS) continue;
      const query = queryFingerprint(await mono8k(ctx.resolve(m.file), 60, QUERY_SECONDS), SAMPLE_RATE);
      hits.push({ query, expected: i + 1 });
    }
    const misses = [];
    for (const m of ctx.manifest.music.filter(
      (x) => !x.inCatalog && x.durationSeconds >= 30 + QUERY_SECONDS,
    )) {
      if (misses.length === queryCount) break;
      misses.push({
        query: queryFingerprint(await mono8k(ctx.resolve(m.file), 30, QUERY_SECONDS), SAMPLE_RATE),
      });
    }

    const rows: SizeRow[] = [];
    // scale.keep=1 measures the catalog a previous run left (grown further if a size asks for more).
    const { rows: kept } = await db.pool.query<{ n: number }>(
      `SELECT coalesce(max("sourceKey"), 0)::int AS n FROM "AudioFingerprint" WHERE source = $1`,
      [SOURCE_MUSIC],
    );
    let have = kept[0].n;
    for (const tracks of sizes) {
      const t0 = performance.now();
      if (tracks < have)
        throw new Error(`scale: the catalog already holds ${have} tracks, more than ${tracks}`);
      if (tracks > have) await grow(db, have, tracks, templates, ctx.log);
      have = tracks;
      const generateSeconds = Math.round((performance.now() - t0) / 1000);
      const { rows: size } = await db.pool.query<{
        landmarks: number;
        postingRows: number;
        postings: number;
        items: number;
      }>(
        `SELECT (SELECT sum(count) FROM "AudioFingerprint")::float8 AS landmarks,
                (SELECT count(*) FROM "AudioPosting")::float8 AS "postingRows",
                (pg_total_relation_size('"AudioPosting"') + pg_total_relation_size('"AudioPostingSize"'))::float8 AS postings,
                pg_total_relation_size('"AudioFingerprint"')::float8 AS items`,
      );
      const { rows: perHash } = await db.pool.query<{ n: number }>(
        `SELECT n::float8 AS n FROM "AudioPostingSize" WHERE source = $1`,
        [SOURCE_MUSIC],
      );
      const lengths = perHash.map((r) => r.n);
      const miss = await timeQueries(url, tracks, misses, reps);
      const hit = await timeQueries(url, tracks, hits, reps);
      const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
      const row: SizeRow = {
        tracks,
        landmarks: size[0].landmarks,
        postingRows: size[0].postingRows,
        postingsMb: mb(size[0].postings),
        itemsMb: mb(size[0].items),
        hashValues: lengths.length,
        postingsP50: Math.round(median(lengths)),
        postingsP99: Math.round(percentile(lengths, 99)),
        postingsMax: lengths.reduce((a, b) => Math.max(a, b), 0),
        top1Share: top1Share(lengths),
        generateSeconds,
        miss,
        hit,
      };
      rows.push(row);
      ctx.log(`${tracks} tracks: ${JSON.stringify(row)}`);
    }

    const q = (f: QueryFigures) => [
      `${f.medianMs} / ${f.p95Ms}`,
      `${f.cpuMs} + ${f.serverCpuMs}`,
      String(f.lookupMs),
      String(f.postings),
    ];
    const table = [
      `Synthetic catalog of ${TRACK_SECONDS / 60} min tracks: ${music.length} real ones (${templateLandmarks} landmarks, ` +
        `${templateHashes.size} hash values, the most common 1 % of them holding ${(realTop1 * 100).toFixed(1)} % of the landmarks), ` +
        `the rest made of pitch-shifted, time-stretched stretches of them, written with binary COPY into the store's tables ` +
        `in their own database. Queries: ${QUERY_SECONDS} s of audio (${hits[0]?.query.lookups.length ?? 0} speed hypotheses) ` +
        `through the product's \`matchQuery\` over \`PgLandmarkIndex\`, one connection; ${hits.length} hits (excerpts of ` +
        `real catalog tracks, found by the identity round) and ${misses.length} misses (music in no catalog: every ` +
        `hypothesis looked up), each run ${reps} times. Wall: median / 95th percentile; CPU: medians of this process ` +
        `and of the database backend; lookups: time inside \`PgLandmarkIndex.lookup\`.`,
      '',
      markdownTable(
        [
          'tracks',
          'landmarks',
          'posting rows',
          'AudioPosting + AudioPostingSize MB',
          'AudioFingerprint MB',
          'postings per hash value: p50 / p99 / max (top 1 % share)',
          'generated in s',
        ],
        rows.map((r) => [
          String(r.tracks),
          String(r.landmarks),
          String(r.postingRows),
          String(r.postingsMb),
          String(r.itemsMb),
          `${r.postingsP50} / ${r.postingsP99} / ${r.postingsMax} (${(r.top1Share * 100).toFixed(1)} %)`,
          String(r.generateSeconds),
        ]),
      ),
      '',
      markdownTable(
        [
          'tracks',
          'hit wall ms',
          'hit CPU ms: JS + Postgres',
          'hit lookups ms',
          'hit postings read',
          'hits top-1',
          'miss wall ms',
          'miss CPU ms: JS + Postgres',
          'miss lookups ms',
          'miss postings read',
          'misses with a match',
          'load average',
        ],
        rows.map((r) => [
          String(r.tracks),
          ...q(r.hit),
          `${r.hit.right}/${r.hit.queries}`,
          ...q(r.miss),
          `${r.miss.right}/${r.miss.queries}`,
          `${r.hit.loadAverage}, ${r.miss.loadAverage}`,
        ]),
      ),
    ].join('\n');
    const plots =
      rows.length > 1
        ? [
            await linePlot(path.join(ctx.outDir, 'scale-lookup.png'), {
              title: `A ${QUERY_SECONDS} s query against the catalog`,
              xLabel: 'catalog tracks',
              yLabel: 'median wall ms',
              logX: true,
              series: [
                { name: 'hit', points: rows.map((r) => [r.tracks, r.hit.medianMs]) },
                { name: 'miss', points: rows.map((r) => [r.tracks, r.miss.medianMs]) },
              ],
            }),
          ]
        : [];
    return {
      name: 'scale',
      plots,
      figures: {
        trackSeconds: TRACK_SECONDS,
        querySeconds: QUERY_SECONDS,
        templateTracks: music.length,
        templateLandmarks,
        templateHashValues: templateHashes.size,
        templateTop1Share: realTop1,
        rows,
      },
      table,
      notes: [
        ...projection(rows, 1_000_000),
        `database: ${path.basename(new URL(url).pathname)} (${ctx.options['scale.keep'] === '1' ? 'kept from the previous run' : 'emptied at the start of the run'}; its landmark tables are UNLOGGED)`,
      ],
    };
  } finally {
    await db.close();
  }
}
