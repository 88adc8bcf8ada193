// Fingerprint lookup at catalog scale (issue 8): the AudioFingerprint table grown to 1k, 10k, ... music
// tracks in a database of its own (`undub_scale` on the server of SCALE_DATABASE_URL / TEST_DATABASE_URL /
// 127.0.0.1:5432), and the median time of a 60-second query through the product's own lookup
// (`matchQuery` over `PgLandmarkIndex`, as `identifyMusic` runs it), with table and index sizes.
//
// Rows are generated in SQL from real landmarks: the benchmark's catalog music is fingerprinted, each
// track cut to 3.5 minutes (a typical song), and synthetic track k is real track k mod R shifted in
// pitch (hash frequency field ±10 units) and stretched in time (hash time-step field ×0.9..1.1), so the
// hash distribution and rows per track match real music. Options: --opt scale.tracks=1000,10000,100000
// --opt scale.reps=3.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import {
  fingerprint,
  queryFingerprint,
  matchQuery,
  SAMPLE_RATE,
  FRAME_SECONDS,
  type IndexHits,
  type LandmarkIndex,
} from '@undub/inference/fingerprint';
import { decodeAudio } from '@undub/inference/media';
import { loadConfig } from '../../../apps/api/src/config';
import { openDatabase, type Database } from '../../../apps/api/src/db';
import {
  PgLandmarkIndex,
  POSTING_BLOCK_ITEMS as BLOCK_ITEMS,
  SOURCE_MUSIC,
} from '../../../apps/api/src/catalog/landmark-store';
import type { BenchContext, SuiteResult } from '../context';
import { suiteDatabaseUrl } from '../database';
import { markdownTable, median } from '../score';

const TRACK_SECONDS = 210;
const QUERY_SECONDS = 60;
const PITCH_SHIFTS = 21; // -10..+10 frequency units
const STRETCHES = 5; // 0.90, 0.95, 1.00, 1.05, 1.10

interface SizeRow {
  tracks: number;
  landmarks: number;
  postingRows: number;
  /** AudioPosting and AudioFingerprint, each with its TOAST table and primary key. */
  postingsMb: number;
  itemsMb: number;
  generateSeconds: number;
  missMedianMs: number;
  missCpuMs: number;
  missServerCpuMs: number;
  missLookupMs: number;
  missLookupRows: number;
  hitMedianMs: number;
  hitCpuMs: number;
  hitServerCpuMs: number;
  hitLookupMs: number;
  hitLookupRows: number;
  hitFound: boolean;
}

/** Counts the rows the lookups return and the time spent in them (SQL and transfer), around the real index. */
class CountingIndex implements LandmarkIndex {
  rows = 0;
  lookupMs = 0;
  constructor(private readonly inner: PgLandmarkIndex) {}
  async lookup(hashes: Int32Array, uses: Int32Array): Promise<IndexHits> {
    const t0 = performance.now();
    const hits = await this.inner.lookup(hashes, uses);
    this.lookupMs += performance.now() - t0;
    this.rows += hits.key.length;
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

/** Synthetic landmarks of tracks first..last, as rows (k, hash, t), in SQL. */
function generated(first: number, last: number, templates: number): string {
  // Track k: template k mod R, pitch shift and stretch from k (the first R tracks are the real ones).
  return `SELECT v.k,
      (GREATEST(0, (tp.hash >> 12) + v.shift) << 12) | (tp.hash & 4032)
        | LEAST(63, GREATEST(0, round(((tp.hash & 63) + 1) * v.stretch)::int - 1)) AS hash,
      round(tp.t * v.stretch)::int AS t
    FROM (SELECT k,
            CASE WHEN k <= ${templates} THEN 0 ELSE (k * 7) % ${PITCH_SHIFTS} - ${(PITCH_SHIFTS - 1) / 2} END AS shift,
            CASE WHEN k <= ${templates} THEN 1.0 ELSE 0.9 + 0.05 * ((k / ${PITCH_SHIFTS}) % ${STRETCHES}) END AS stretch
          FROM generate_series(${first}, ${last}) AS k) v
    JOIN scale_template tp ON tp.track = (v.k - 1) % ${templates}`;
}

/**
 * Grows the catalog to `to` tracks, one posting block (BLOCK_ITEMS tracks) per statement: the block's
 * posting rows in one aggregate (appended to when a block is filled in two steps), then its items' rows.
 */
async function grow(
  db: Database,
  from: number,
  to: number,
  templates: number,
  log: (m: string) => void,
): Promise<void> {
  const c = await db.pool.connect();
  try {
    await c.query(`SET work_mem = '1GB'`);
    for (let first = from + 1; first <= to;) {
      const block = Math.floor(first / BLOCK_ITEMS);
      const last = Math.min(to, (block + 1) * BLOCK_ITEMS - 1);
      const rows = generated(first, last, templates);
      await c.query(
        `INSERT INTO "AudioPosting" (source, hash, block, n, postings)
         SELECT ${SOURCE_MUSIC}, hash, ${block}, count(*), string_agg(int4send(k) || int4send(t), ''::bytea)
         FROM (${rows}) g GROUP BY hash
         ON CONFLICT (source, hash, block)
         DO UPDATE SET n = "AudioPosting".n + excluded.n, postings = "AudioPosting".postings || excluded.postings`,
      );
      await c.query(
        `INSERT INTO "AudioFingerprint" (source, "sourceKey", count, landmarks)
         SELECT ${SOURCE_MUSIC}, k, count(*), string_agg(int4send(hash) || int4send(t), ''::bytea ORDER BY t, hash)
         FROM (${rows}) g GROUP BY k`,
      );
      log(`generated ${last} tracks`);
      first = last + 1;
    }
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
 * Median wall time of `reps` queries, with the CPU time they cost this process (voting, decoding) and
 * the database backend (lookups): CPU figures stay meaningful on a loaded machine, wall time does not.
 */
async function timeQuery(
  url: string,
  tracks: number,
  query: ReturnType<typeof queryFingerprint>,
  reps: number,
) {
  // One connection, so one backend serves every lookup and window read.
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const { rows: backend } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const keys = new Set(Array.from({ length: tracks }, (_, i) => i + 1));
  const times: number[] = [];
  const cpuTimes: number[] = [];
  const serverTimes: number[] = [];
  const sqlTimes: number[] = [];
  let rows = 0;
  let found = false;
  try {
    for (let r = 0; r < reps; r++) {
      const index = new CountingIndex(new PgLandmarkIndex(pool, SOURCE_MUSIC, keys));
      const server0 = backendCpuMs(backend[0].pid);
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const matches = await matchQuery(query, index);
      times.push(performance.now() - t0);
      const cpu = process.cpuUsage(cpu0);
      cpuTimes.push((cpu.user + cpu.system) / 1000);
      serverTimes.push(backendCpuMs(backend[0].pid) - server0);
      sqlTimes.push(index.lookupMs);
      rows = index.rows;
      found = matches.some((m) => m.key === 1);
    }
  } finally {
    await pool.end();
  }
  return {
    ms: Math.round(median(times)),
    cpuMs: Math.round(median(cpuTimes)),
    serverCpuMs: Math.round(median(serverTimes)),
    lookupMs: Math.round(median(sqlTimes)),
    rows,
    found,
  };
}

export async function run(ctx: BenchContext): Promise<SuiteResult> {
  const sizes = (ctx.options['scale.tracks'] ?? '1000').split(',').map(Number);
  const reps = Number(ctx.options['scale.reps'] ?? 3);
  const url = suiteDatabaseUrl('SCALE_DATABASE_URL', 'undub_scale');
  const db = await openDatabase(loadConfig({ ...process.env, DATABASE_URL: url }));
  try {
    // Start from an empty table: the sizes below are this run's own.
    await db.pool.query(`TRUNCATE "AudioFingerprint", "AudioPosting"`);
    const music = ctx.manifest.music.filter((m) => m.inCatalog);
    await db.pool.query(
      `DROP TABLE IF EXISTS scale_template; CREATE TABLE scale_template (track int, hash int, t int)`,
    );
    for (const [i, m] of music.entries()) {
      const lm = fingerprint(await mono8k(ctx.resolve(m.file), 0, TRACK_SECONDS), SAMPLE_RATE);
      await db.pool.query(
        `INSERT INTO scale_template SELECT $1, h, t FROM unnest($2::int[], $3::int[]) AS x(h, t)`,
        [i, Array.from(lm.hashes), Array.from(lm.times)],
      );
    }
    const { rows: tpl } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM scale_template`);
    ctx.log(
      `template: ${music.length} real tracks, ${tpl[0].n} landmarks (${Math.round(tpl[0].n / music.length)} per track)`,
    );

    // Miss: music that is in no catalog (all speed hypotheses are looked up). Hit: 60 s of track 1.
    const unknown = ctx.manifest.music.find((m) => !m.inCatalog && m.durationSeconds >= QUERY_SECONDS + 30)!;
    const miss = queryFingerprint(await mono8k(ctx.resolve(unknown.file), 30, QUERY_SECONDS), SAMPLE_RATE);
    const hit = queryFingerprint(await mono8k(ctx.resolve(music[0].file), 60, QUERY_SECONDS), SAMPLE_RATE);

    const rows: SizeRow[] = [];
    let have = 0;
    for (const tracks of sizes) {
      const t0 = performance.now();
      await grow(db, have, tracks, music.length, ctx.log);
      have = tracks;
      const generateSeconds = Number(((performance.now() - t0) / 1000).toFixed(0));
      const { rows: size } = await db.pool.query<{
        landmarks: number;
        postingRows: number;
        postings: number;
        items: number;
      }>(
        `SELECT (SELECT sum(count) FROM "AudioFingerprint")::float8 AS landmarks,
                (SELECT count(*) FROM "AudioPosting")::float8 AS "postingRows",
                pg_total_relation_size('"AudioPosting"')::float8 AS postings,
                pg_total_relation_size('"AudioFingerprint"')::float8 AS items`,
      );
      const m = await timeQuery(url, tracks, miss, reps);
      const h = await timeQuery(url, tracks, hit, reps);
      const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
      rows.push({
        tracks,
        landmarks: size[0].landmarks,
        postingRows: size[0].postingRows,
        postingsMb: mb(size[0].postings),
        itemsMb: mb(size[0].items),
        generateSeconds,
        missMedianMs: m.ms,
        missCpuMs: m.cpuMs,
        missServerCpuMs: m.serverCpuMs,
        missLookupMs: m.lookupMs,
        missLookupRows: m.rows,
        hitMedianMs: h.ms,
        hitCpuMs: h.cpuMs,
        hitServerCpuMs: h.serverCpuMs,
        hitLookupMs: h.lookupMs,
        hitLookupRows: h.rows,
        hitFound: h.found,
      });
      ctx.log(
        `${tracks} tracks (generated in ${generateSeconds} s): miss ${m.ms} ms (CPU ${m.cpuMs} + ${m.serverCpuMs} ms, ` +
          `lookups ${m.lookupMs} ms, ${m.rows} postings), hit ${h.ms} ms (CPU ${h.cpuMs} + ${h.serverCpuMs} ms, ` +
          `lookups ${h.lookupMs} ms, ${h.rows} postings)`,
      );
    }
    await db.pool.query(`DROP TABLE scale_template`);

    const table = [
      `Synthetic catalog of ${TRACK_SECONDS / 60} min tracks from ${music.length} real ones (pitch-shifted, time-stretched landmark rows), ` +
        `in its own database. Query: ${QUERY_SECONDS} s of audio (query fingerprint ${miss.lookups.length} speed hypotheses), the product's ` +
        `\`matchQuery\` over \`PgLandmarkIndex\`; median of ${reps} (wall clock; CPU: this process's and the database backend's, medians of each). "Miss": music in no catalog (every hypothesis looked up); ` +
        `"hit": an excerpt of a catalog track (the identity round finds it).`,
      '',
      markdownTable(
        [
          'tracks',
          'landmarks',
          'posting rows',
          'AudioPosting MB',
          'AudioFingerprint MB',
          'miss median ms',
          'CPU ms: JS + Postgres',
          'of which lookups ms',
          'postings read (miss)',
          'hit median ms',
          'CPU ms: JS + Postgres',
          'of which lookups ms',
          'postings read (hit)',
          'found',
        ],
        rows.map((r) => [
          String(r.tracks),
          String(r.landmarks),
          String(r.postingRows),
          String(r.postingsMb),
          String(r.itemsMb),
          String(r.missMedianMs),
          `${r.missCpuMs} + ${r.missServerCpuMs}`,
          String(r.missLookupMs),
          String(r.missLookupRows),
          String(r.hitMedianMs),
          `${r.hitCpuMs} + ${r.hitServerCpuMs}`,
          String(r.hitLookupMs),
          String(r.hitLookupRows),
          r.hitFound ? 'yes' : 'no',
        ]),
      ),
    ].join('\n');
    return {
      name: 'scale',
      figures: {
        trackSeconds: TRACK_SECONDS,
        querySeconds: QUERY_SECONDS,
        templateTracks: music.length,
        frameSeconds: FRAME_SECONDS,
        rows,
      },
      table,
      notes: [`database: ${path.basename(new URL(url).pathname)} (emptied at the start of each run)`],
    };
  } finally {
    await db.close();
  }
}
