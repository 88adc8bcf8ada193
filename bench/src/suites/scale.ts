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
import path from 'node:path';
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
import { PgLandmarkIndex, SOURCE_MUSIC } from '../../../apps/api/src/catalog';
import type { BenchContext, SuiteResult } from '../context';
import { markdownTable, median } from '../score';

const TRACK_SECONDS = 210;
const QUERY_SECONDS = 60;
const PITCH_SHIFTS = 21; // -10..+10 frequency units
const STRETCHES = 5; // 0.90, 0.95, 1.00, 1.05, 1.10

interface SizeRow {
  tracks: number;
  rows: number;
  tableMb: number;
  indexMb: number;
  generateSeconds: number;
  missMedianMs: number;
  missLookupMs: number;
  missLookupRows: number;
  hitMedianMs: number;
  hitLookupMs: number;
  hitLookupRows: number;
  hitFound: boolean;
}

function scaleUrl(): string {
  const base = new URL(
    process.env.SCALE_DATABASE_URL ??
      process.env.TEST_DATABASE_URL ??
      'postgresql://postgres@127.0.0.1:5432/postgres',
  );
  base.pathname = '/undub_scale';
  return base.toString();
}

/** Counts the rows the lookups return and the time spent in them (SQL and transfer), around the real index. */
class CountingIndex implements LandmarkIndex {
  rows = 0;
  lookupMs = 0;
  constructor(private readonly inner: PgLandmarkIndex) {}
  async lookup(hashes: Int32Array): Promise<IndexHits> {
    const t0 = performance.now();
    const hits = await this.inner.lookup(hashes);
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

/** Grows the table to `to` tracks, `chunk` tracks per statement; indexes dropped for the load and rebuilt. */
async function grow(
  db: Database,
  from: number,
  to: number,
  templates: number,
  log: (m: string) => void,
): Promise<void> {
  const c = await db.pool.connect();
  try {
    await c.query(`SET maintenance_work_mem = '512MB'`);
    await c.query(`ALTER TABLE "AudioFingerprint" DROP CONSTRAINT IF EXISTS "AudioFingerprint_pkey"`);
    await c.query(`DROP INDEX IF EXISTS "AudioFingerprint_source_sourceKey_t_idx"`);
    const chunk = 500;
    for (let first = from + 1; first <= to; first += chunk) {
      const last = Math.min(to, first + chunk - 1);
      // Track k: template k mod R, pitch shift and stretch from k (the first R tracks are the real ones).
      await c.query(
        `INSERT INTO "AudioFingerprint" (hash, source, "sourceKey", t)
         SELECT DISTINCT
           (GREATEST(0, (tp.hash >> 12) + v.shift) << 12) | (tp.hash & 4032)
             | LEAST(63, GREATEST(0, round(((tp.hash & 63) + 1) * v.stretch)::int - 1)),
           ${SOURCE_MUSIC}, v.k, round(tp.t * v.stretch)::int
         FROM (SELECT k,
                 CASE WHEN k <= $3 THEN 0 ELSE (k * 7) % ${PITCH_SHIFTS} - ${(PITCH_SHIFTS - 1) / 2} END AS shift,
                 CASE WHEN k <= $3 THEN 1.0 ELSE 0.9 + 0.05 * ((k / ${PITCH_SHIFTS}) % ${STRETCHES}) END AS stretch
               FROM generate_series($1::int, $2::int) AS k) v
         JOIN scale_template tp ON tp.track = (v.k - 1) % $3`,
        [first, last, templates],
      );
      if (last % 5000 === 0 || last === to) log(`generated ${last} tracks`);
    }
    log('building indexes');
    await c.query(
      `ALTER TABLE "AudioFingerprint" ADD CONSTRAINT "AudioFingerprint_pkey" PRIMARY KEY (hash, source, "sourceKey", t)`,
    );
    await c.query(
      `CREATE INDEX "AudioFingerprint_source_sourceKey_t_idx" ON "AudioFingerprint" (source, "sourceKey", t)`,
    );
    await c.query(`ANALYZE "AudioFingerprint"`);
  } finally {
    c.release();
  }
}

async function timeQuery(
  db: Database,
  tracks: number,
  query: ReturnType<typeof queryFingerprint>,
  reps: number,
) {
  const keys = new Set(Array.from({ length: tracks }, (_, i) => i + 1));
  const times: number[] = [];
  const sqlTimes: number[] = [];
  let rows = 0;
  let found = false;
  for (let r = 0; r < reps; r++) {
    const index = new CountingIndex(new PgLandmarkIndex(db.pool, SOURCE_MUSIC, keys));
    const t0 = performance.now();
    const matches = await matchQuery(query, index);
    times.push(performance.now() - t0);
    sqlTimes.push(index.lookupMs);
    rows = index.rows;
    found = matches.some((m) => m.key === 1);
  }
  return { ms: Math.round(median(times)), lookupMs: Math.round(median(sqlTimes)), rows, found };
}

export async function run(ctx: BenchContext): Promise<SuiteResult> {
  const sizes = (ctx.options['scale.tracks'] ?? '1000').split(',').map(Number);
  const reps = Number(ctx.options['scale.reps'] ?? 3);
  const url = scaleUrl();
  const db = await openDatabase(loadConfig({ ...process.env, DATABASE_URL: url }));
  try {
    // Start from an empty table: the sizes below are this run's own.
    await db.pool.query(`TRUNCATE "AudioFingerprint"`);
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
      const { rows: size } = await db.pool.query<{ rows: number; table: number; index: number }>(
        `SELECT (SELECT count(*) FROM "AudioFingerprint")::bigint::float8 AS rows,
                pg_relation_size('"AudioFingerprint"')::float8 AS table,
                pg_indexes_size('"AudioFingerprint"')::float8 AS index`,
      );
      const m = await timeQuery(db, tracks, miss, reps);
      const h = await timeQuery(db, tracks, hit, reps);
      rows.push({
        tracks,
        rows: size[0].rows,
        tableMb: Math.round(size[0].table / 2 ** 20),
        indexMb: Math.round(size[0].index / 2 ** 20),
        generateSeconds,
        missMedianMs: m.ms,
        missLookupMs: m.lookupMs,
        missLookupRows: m.rows,
        hitMedianMs: h.ms,
        hitLookupMs: h.lookupMs,
        hitLookupRows: h.rows,
        hitFound: h.found,
      });
      ctx.log(
        `${tracks} tracks: miss ${m.ms} ms (lookups ${m.lookupMs} ms, ${m.rows} rows), hit ${h.ms} ms (lookups ${h.lookupMs} ms, ${h.rows} rows)`,
      );
    }
    await db.pool.query(`DROP TABLE scale_template`);

    const table = [
      `Synthetic catalog of ${TRACK_SECONDS / 60} min tracks from ${music.length} real ones (pitch-shifted, time-stretched landmark rows), ` +
        `in its own database. Query: ${QUERY_SECONDS} s of audio (query fingerprint ${miss.lookups.length} speed hypotheses), the product's ` +
        `\`matchQuery\` over \`PgLandmarkIndex\`; median of ${reps}. "Miss": music in no catalog (every hypothesis looked up); ` +
        `"hit": an excerpt of a catalog track (the identity round finds it).`,
      '',
      markdownTable(
        [
          'tracks',
          'landmark rows',
          'table MB',
          'indexes MB',
          'miss median ms',
          'of which lookups',
          'rows read (miss)',
          'hit median ms',
          'of which lookups',
          'rows read (hit)',
          'found',
        ],
        rows.map((r) => [
          String(r.tracks),
          String(r.rows),
          String(r.tableMb),
          String(r.indexMb),
          String(r.missMedianMs),
          String(r.missLookupMs),
          String(r.missLookupRows),
          String(r.hitMedianMs),
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
