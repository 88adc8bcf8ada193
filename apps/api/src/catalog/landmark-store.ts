// Audio landmarks in Postgres as posting lists (prisma/schema.prisma: AudioPosting, AudioFingerprint).
// A lookup reads one packed row per (query hash, block of items) instead of one row per stored
// landmark, answered as a single bytea; an item's own landmarks sit in one row for verification and
// removal. Every write touches posting rows in ascending hash order, so concurrent indexers queue on
// the row locks they share instead of deadlocking.
import type { IndexHits, LandmarkIndex, Landmarks, ReferenceRows } from '@undub/inference/fingerprint';
import type pg from 'pg';

export const SOURCE_MUSIC = 1;
export const SOURCE_ORIGINAL = 2;
export type LandmarkSource = typeof SOURCE_MUSIC | typeof SOURCE_ORIGINAL;

/** Items per posting row: adding or removing an item rewrites postings of its own block only. */
const BLOCK_BITS = 12;
export const POSTING_BLOCK_ITEMS = 1 << BLOCK_BITS;
/**
 * Votes one lookup casts at most (a posting casts one vote per query landmark with its hash). Rare
 * hashes are read first, as they carry the evidence; the most common ones, like stop words, are left
 * out once the budget is spent, so a lookup's cost stops growing with the catalog. Small catalogs never
 * reach it.
 */
const LOOKUP_VOTE_BUDGET = 500_000;

type Queryable = Pick<pg.PoolClient, 'query'>;

/** Stores an item's landmarks (each distinct (hash, t) once); returns how many. */
export async function insertLandmarks(client: Queryable, source: LandmarkSource, key: number, lm: Landmarks) {
  const order = Array.from(lm.hashes.keys()).sort(
    (a, b) => lm.times[a] - lm.times[b] || lm.hashes[a] - lm.hashes[b],
  );
  const hashes: number[] = [];
  const times: number[] = [];
  for (const i of order) {
    // One anchor can pair twice with identical targets: a repeat would vote twice.
    if (hashes.length && hashes.at(-1) === lm.hashes[i] && times.at(-1) === lm.times[i]) continue;
    hashes.push(lm.hashes[i]);
    times.push(lm.times[i]);
  }
  await client.query(
    `WITH item AS (
       INSERT INTO "AudioFingerprint" (source, "sourceKey", count, landmarks)
       SELECT $1::smallint, $2::int, $5::int, coalesce(string_agg(int4send(h) || int4send(t), ''::bytea ORDER BY n), ''::bytea)
       FROM unnest($3::int[], $4::int[]) WITH ORDINALITY AS x(h, t, n)
     )
     INSERT INTO "AudioPosting" (source, hash, block, n, postings)
     SELECT $1::smallint, h, $2::int >> ${BLOCK_BITS}, count(*),
            string_agg(int4send($2::int) || int4send(t), ''::bytea ORDER BY t)
     FROM unnest($3::int[], $4::int[]) AS x(h, t) GROUP BY h ORDER BY h
     ON CONFLICT (source, hash, block)
     DO UPDATE SET n = "AudioPosting".n + excluded.n, postings = "AudioPosting".postings || excluded.postings`,
    [source, key, hashes, times, hashes.length],
  );
  return hashes.length;
}

export async function deleteLandmarks(client: Queryable, source: LandmarkSource, key: number): Promise<void> {
  const { rows } = await client.query<{ landmarks: Buffer }>(
    `DELETE FROM "AudioFingerprint" WHERE source = $1 AND "sourceKey" = $2 RETURNING landmarks`,
    [source, key],
  );
  if (rows.length === 0) return;
  const [hash] = unpackPairs(rows[0].landmarks);
  const hashes = Int32Array.from(new Set(hash)).sort();
  const block = key >> BLOCK_BITS;
  const { rows: postings } = await client.query<{ hash: number; postings: Buffer }>(
    `SELECT hash, postings FROM "AudioPosting" WHERE source = $1 AND block = $2 AND hash = ANY($3::int[])
     ORDER BY hash FOR UPDATE`,
    [source, block, Array.from(hashes)],
  );
  const kept = postings.map((p) => withoutKey(p.postings, key));
  await client.query(
    `UPDATE "AudioPosting" p SET n = octet_length(x.postings) / 8, postings = x.postings
     FROM unnest($3::int[], $4::bytea[]) AS x(hash, postings)
     WHERE p.source = $1 AND p.block = $2 AND p.hash = x.hash`,
    [source, block, postings.map((p) => p.hash), kept],
  );
  await client.query(
    `DELETE FROM "AudioPosting" WHERE source = $1 AND block = $2 AND hash = ANY($3::int[]) AND n = 0`,
    [source, block, Array.from(hashes)],
  );
}

/** Big-endian int4 pairs as two arrays. */
function unpackPairs(buf: Buffer | null): [Int32Array, Int32Array] {
  const n = buf ? buf.length / 8 : 0;
  const a = new Int32Array(n);
  const b = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = buf!.readInt32BE(i * 8);
    b[i] = buf!.readInt32BE(i * 8 + 4);
  }
  return [a, b];
}

function withoutKey(postings: Buffer, key: number): Buffer {
  const out = Buffer.allocUnsafe(postings.length);
  let n = 0;
  for (let at = 0; at < postings.length; at += 8) {
    if (postings.readInt32BE(at) === key) continue;
    postings.copy(out, n, at, at + 8);
    n += 8;
  }
  return out.subarray(0, n);
}

/** The stored landmarks of one source, restricted to the items in `keys` (the caller's tenant). */
export class PgLandmarkIndex implements LandmarkIndex {
  private readonly own: Uint8Array;
  private readonly items = new Map<number, Promise<ReferenceRows>>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly source: LandmarkSource,
    private readonly keys: Set<number>,
    private readonly voteBudget = LOOKUP_VOTE_BUDGET,
  ) {
    let max = 0;
    for (const k of keys) max = Math.max(max, k);
    this.own = new Uint8Array(max + 1);
    for (const k of keys) if (k >= 0) this.own[k] = 1;
  }

  async lookup(hashes: Int32Array, uses: Int32Array): Promise<IndexHits> {
    if (hashes.length === 0 || this.keys.size === 0) return postingLists(null, this.own);
    // Sizes come from the primary key's index alone; each kept row comes back as hash, count, then its
    // (sourceKey, t) pairs, a hash's blocks adjacent.
    const client = await this.pool.connect();
    try {
      // A lookup is index probes, a few per query hash: the planner, which cannot see how few postings
      // the budget keeps, would rather scan the whole table; and compiling it (JIT) costs more than it saves.
      await client.query(
        'BEGIN; SET LOCAL jit = off; SET LOCAL enable_seqscan = off; SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off',
      );
      const { rows } = await client.query<{ packed: Buffer | null }>(
        `WITH found AS (
           SELECT p.hash, q.uses * sum(p.n) AS votes
           FROM unnest($1::int[], $2::int[]) AS q(hash, uses)
           JOIN "AudioPosting" p ON p.source = $3 AND p.hash = q.hash
           GROUP BY p.hash, q.uses
         ), kept AS (
           SELECT hash FROM (SELECT hash, sum(votes) OVER (ORDER BY votes, hash) AS spent FROM found) x
           WHERE spent <= $4
         )
         SELECT string_agg(int4send(p.hash) || int4send(p.n) || p.postings, ''::bytea ORDER BY p.hash, p.block)
                AS packed
         FROM "AudioPosting" p JOIN kept USING (hash) WHERE p.source = $3`,
        [Array.from(hashes), Array.from(uses), this.source, this.voteBudget],
      );
      await client.query('COMMIT');
      return postingLists(rows[0].packed, this.own);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  async window(key: number, fromFrame: number, toFrame: number): Promise<ReferenceRows> {
    const { hash, t } = await this.landmarksOf(key);
    const from = firstAtLeast(t, fromFrame);
    const to = firstAtLeast(t, toFrame + 1);
    return { hash: hash.subarray(from, to), t: t.subarray(from, to) };
  }

  /** One item's landmarks sorted by t, read once per index (both lookup rounds verify the same items). */
  private landmarksOf(key: number): Promise<ReferenceRows> {
    let rows = this.items.get(key);
    if (!rows) {
      rows = this.pool
        .query<{ landmarks: Buffer }>({
          text: `SELECT landmarks FROM "AudioFingerprint" WHERE source = $1 AND "sourceKey" = $2`,
          values: [this.source, key],
        })
        .then((r) => {
          const [hash, t] = unpackPairs(r.rows[0]?.landmarks ?? null);
          return { hash, t };
        });
      this.items.set(key, rows);
    }
    return rows;
  }
}

function firstAtLeast(sorted: Int32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Decodes the lookup's packed rows into posting lists, keeping only the items marked in `own`. */
function postingLists(packed: Buffer | null, own: Uint8Array): IndexHits {
  const words = packed ? int32sOf(packed) : new Int32Array(0);
  const hashes: number[] = [];
  const start = [0];
  // Sized for every posting; the tenant filter only shortens it.
  const key = new Int32Array(words.length >> 1);
  const t = new Int32Array(words.length >> 1);
  let n = 0;
  for (let at = 0; at < words.length;) {
    const hash = words[at];
    const end = at + 2 + 2 * words[at + 1];
    for (let w = at + 2; w < end; w += 2) {
      const k = words[w];
      if (k >= own.length || own[k] === 0) continue;
      key[n] = k;
      t[n++] = words[w + 1];
    }
    at = end;
    const last = start.length - 1;
    if (hashes.length && hashes[last - 1] === hash) start[last] = n;
    else if (n > start[last]) {
      hashes.push(hash);
      start.push(n);
    }
  }
  return {
    hashes: Int32Array.from(hashes),
    start: Int32Array.from(start),
    key: key.subarray(0, n),
    t: t.subarray(0, n),
  };
}

/** Big-endian int4 words as native (little-endian) integers: one byte swap instead of a read per word. */
function int32sOf(buf: Buffer): Int32Array {
  const words = new Int32Array(buf.length / 4); // a copy: aligned, and `buf` stays as it was
  const bytes = Buffer.from(words.buffer);
  buf.copy(bytes);
  bytes.swap32();
  return words;
}
