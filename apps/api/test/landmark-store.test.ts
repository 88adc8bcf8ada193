// The landmark store against a real Postgres: posting lists answer lookups like the landmarks they
// were built from, per tenant and per block; removal and concurrent indexing keep them and each hash's
// total exact.
import type { IndexHits, Landmarks } from '@undub/inference/fingerprint';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compactIfDue,
  deleteLandmarks,
  insertLandmarks,
  PgLandmarkIndex,
  rebuildPostingSizes,
  SOURCE_MUSIC,
  SOURCE_ORIGINAL,
} from '../src/catalog/landmark-store';
import { createTestDatabase, type TestDatabase } from './support/database';

let testDb: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  testDb = await createTestDatabase();
  pool = new pg.Pool({ connectionString: testDb.url, max: 4 });
}, 60_000);

afterAll(async () => {
  // pool.end() resolves before its clients' sockets close; the database is dropped WITH (FORCE) next,
  // which would terminate a backend still closing (an uncaught error in its client).
  if (pool) {
    let open = pool.totalCount;
    const closed = new Promise<void>((resolve) => {
      if (open === 0) resolve();
      pool.on('remove', () => --open === 0 && resolve());
    });
    await pool.end();
    await closed;
  }
  await testDb?.drop();
});

/** Deterministic landmarks: `n` pairs with hashes from a small alphabet, so items share postings. */
function landmarksOf(seed: number, n: number): Landmarks {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) & 0x7fffffff);
  const hashes = Int32Array.from({ length: n }, () => next() % 500);
  const times = Int32Array.from({ length: n }, (_, i) => i * 3 + (next() % 3));
  return { hashes, times, anchors: times };
}

/** Lookup result as sorted "hash:key:t" strings. */
function rowsOf(hits: IndexHits): string[] {
  const out: string[] = [];
  hits.hashes.forEach((h, i) => {
    for (let r = hits.start[i]; r < hits.start[i + 1]; r++) out.push(`${h}:${hits.key[r]}:${hits.t[r]}`);
  });
  return out.sort();
}

/** What a lookup of `hashes` must return for `items`, distinct (hash, t) per item. */
function expected(items: Map<number, Landmarks>, hashes: number[]): string[] {
  const want = new Set(hashes);
  const out = new Set<string>();
  for (const [key, lm] of items)
    lm.hashes.forEach((h, i) => want.has(h) && out.add(`${h}:${key}:${lm.times[i]}`));
  return [...out].sort();
}

const allHashes = Array.from({ length: 500 }, (_, i) => i);

/** Looks `hashes` up as a query holding each once. */
function lookup(index: PgLandmarkIndex, hashes: number[]): Promise<IndexHits> {
  return index.lookup(Int32Array.from(hashes), new Int32Array(hashes.length).fill(1));
}

/** Hashes whose AudioPostingSize total differs from the sum of their posting rows (none when exact). */
async function sizeMismatches(): Promise<unknown[]> {
  const { rows } = await pool.query(
    `SELECT coalesce(s.source, p.source) AS source, coalesce(s.hash, p.hash) AS hash, s.n AS total, p.n AS postings
     FROM "AudioPostingSize" s
     FULL JOIN (SELECT source, hash, sum(n)::int AS n FROM "AudioPosting" GROUP BY source, hash) p
       ON p.source = s.source AND p.hash = s.hash
     WHERE s.n IS DISTINCT FROM p.n`,
  );
  return rows;
}

describe('landmark store', () => {
  it('answers lookups and windows from posting lists, per tenant and source, across blocks', async () => {
    // Keys 4095/4096 straddle a block boundary: one hash's postings come from two rows.
    const items = new Map([
      [7, landmarksOf(1, 400)],
      [4095, landmarksOf(2, 400)],
      [4096, landmarksOf(3, 400)],
    ]);
    for (const [key, lm] of items) await insertLandmarks(pool, SOURCE_MUSIC, key, lm);
    await insertLandmarks(pool, SOURCE_ORIGINAL, 7, landmarksOf(9, 400));

    const index = new PgLandmarkIndex(pool, SOURCE_MUSIC, new Set(items.keys()));
    const some = [3, 17, 250, 499, 1000];
    expect(rowsOf(await lookup(index, some))).toEqual(expected(items, some));
    const tenant = new PgLandmarkIndex(pool, SOURCE_MUSIC, new Set([4096]));
    expect(rowsOf(await lookup(tenant, allHashes))).toEqual(
      expected(new Map([[4096, items.get(4096)!]]), allHashes),
    );

    const lm = items.get(4095)!;
    const rows = await index.window(4095, 100, 200);
    const want = [...lm.times.keys()].filter((i) => lm.times[i] >= 100 && lm.times[i] <= 200);
    expect(Array.from(rows.t)).toEqual(want.map((i) => lm.times[i]).sort((a, b) => a - b));
    expect(new Set(Array.from(rows.hash))).toEqual(new Set(want.map((i) => lm.hashes[i])));
  });

  it('reads the rarest hashes first and leaves the most common out once the vote budget is spent', async () => {
    // Hash 9000 in 30 items, 9001 in 10, 9002 in 2; a query holding 9002 three times.
    for (let key = 300; key < 330; key++) {
      const hashes = [9000, ...(key < 310 ? [9001] : []), ...(key < 302 ? [9002] : [])];
      await insertLandmarks(pool, SOURCE_MUSIC, key, {
        hashes: Int32Array.from(hashes),
        times: new Int32Array(hashes.length),
        anchors: new Int32Array(hashes.length),
      });
    }
    const keys = new Set(Array.from({ length: 30 }, (_, i) => 300 + i));
    const query = [Int32Array.from([9000, 9001, 9002]), Int32Array.from([1, 1, 3])] as const;
    const hashesRead = async (budget: number) =>
      Array.from((await new PgLandmarkIndex(pool, SOURCE_MUSIC, keys, budget).lookup(...query)).hashes);
    expect(await hashesRead(46)).toEqual([9000, 9001, 9002]);
    // 9002 costs 2 x 3 = 6 votes, 9001 then 10 more, 9000 30 more.
    expect(await hashesRead(45)).toEqual([9001, 9002]);
    expect(await hashesRead(15)).toEqual([9002]);
  });

  it('removes an item from every posting list it is in, leaving the others', async () => {
    const items = new Map([
      [100, landmarksOf(4, 300)],
      [101, landmarksOf(5, 300)],
    ]);
    for (const [key, lm] of items) await insertLandmarks(pool, SOURCE_MUSIC, key, lm);
    await deleteLandmarks(pool, SOURCE_MUSIC, 100);
    const index = new PgLandmarkIndex(pool, SOURCE_MUSIC, new Set([100, 101]));
    expect(rowsOf(await lookup(index, allHashes))).toEqual(
      expected(new Map([[101, items.get(101)!]]), allHashes),
    );
    expect((await index.window(100, 0, 1e6)).t.length).toBe(0);
    // Re-indexing the same key (delete then insert) gives the same postings.
    await insertLandmarks(pool, SOURCE_MUSIC, 100, items.get(100)!);
    expect(rowsOf(await lookup(index, allHashes))).toEqual(expected(items, allHashes));
    // Each hash's total follows its postings; a hash no item holds any more has no total.
    await deleteLandmarks(pool, SOURCE_MUSIC, 100);
    await deleteLandmarks(pool, SOURCE_MUSIC, 101);
    expect(await sizeMismatches()).toEqual([]);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM "AudioPostingSize" WHERE n <= 0`);
    expect(rows[0].n).toBe(0);
  });

  it('lets concurrent indexers add and remove items sharing hashes without deadlock or loss', async () => {
    const keys = Array.from({ length: 8 }, (_, i) => 200 + i);
    const items = new Map(keys.map((k) => [k, landmarksOf(k, 300)]));
    const inTransaction = async (fn: (c: pg.PoolClient) => Promise<unknown>) => {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        await fn(c);
        await c.query('COMMIT');
      } finally {
        c.release();
      }
    };
    await Promise.all(
      keys.map((k) => inTransaction((c) => insertLandmarks(c, SOURCE_MUSIC, k, items.get(k)!))),
    );
    const removed = keys.slice(0, 4);
    await Promise.all(removed.map((k) => inTransaction((c) => deleteLandmarks(c, SOURCE_MUSIC, k))));
    for (const k of removed) items.delete(k);
    const index = new PgLandmarkIndex(pool, SOURCE_MUSIC, new Set(keys));
    expect(rowsOf(await lookup(index, allHashes))).toEqual(expected(items, allHashes));
    expect(await sizeMismatches()).toEqual([]);
  });

  it('compacts full blocks into group rows without changing what lookups and removal see', async () => {
    // Keys in blocks 0, 1 and 2: block 2 holds the newest item, so blocks 0 and 1 are full.
    const items = new Map([
      [10, landmarksOf(21, 300)],
      [4100, landmarksOf(22, 300)],
      [8200, landmarksOf(23, 300)],
    ]);
    for (const [key, lm] of items) await insertLandmarks(pool, SOURCE_MUSIC, key, lm);
    const index = () => new PgLandmarkIndex(pool, SOURCE_MUSIC, new Set(items.keys()));
    const before = rowsOf(await lookup(index(), allHashes));
    expect(before).toEqual(expected(items, allHashes));

    expect(await compactIfDue(pool, SOURCE_MUSIC, 10, items.get(10)!.hashes)).toBe(0); // block 0: never due
    expect(await compactIfDue(pool, SOURCE_MUSIC, 8200, items.get(8200)!.hashes)).toBeGreaterThan(0);
    const blockRows = async () =>
      (
        await pool.query(
          `SELECT count(*)::int AS n FROM "AudioPosting" WHERE source = $1 AND block >= 0 AND block < 2`,
          [SOURCE_MUSIC],
        )
      ).rows[0].n;
    expect(await blockRows()).toBe(0);
    expect(await compactIfDue(pool, SOURCE_MUSIC, 8200, items.get(8200)!.hashes)).toBe(0); // nothing left
    expect(rowsOf(await lookup(index(), allHashes))).toEqual(before);
    expect(await sizeMismatches()).toEqual([]);

    // An item whose pairs were compacted is removed from its group's rows, and comes back once.
    await deleteLandmarks(pool, SOURCE_MUSIC, 4100);
    const without = new Map([...items].filter(([k]) => k !== 4100));
    expect(rowsOf(await lookup(index(), allHashes))).toEqual(expected(without, allHashes));
    await insertLandmarks(pool, SOURCE_MUSIC, 4100, items.get(4100)!);
    expect(rowsOf(await lookup(index(), allHashes))).toEqual(before);
    expect(await sizeMismatches()).toEqual([]);
    // Its new block rows are merged by the next compaction.
    expect(await compactIfDue(pool, SOURCE_MUSIC, 8200, items.get(8200)!.hashes)).toBeGreaterThan(0);
    expect(await blockRows()).toBe(0);
    expect(rowsOf(await lookup(index(), allHashes))).toEqual(before);
  });

  it('rebuilds the per-hash totals of a bulk load from its posting rows', async () => {
    await pool.query(`DELETE FROM "AudioPostingSize" WHERE source = $1`, [SOURCE_MUSIC]);
    expect((await sizeMismatches()).length).toBeGreaterThan(0);
    await rebuildPostingSizes(pool, SOURCE_MUSIC);
    expect(await sizeMismatches()).toEqual([]);
  });
});
