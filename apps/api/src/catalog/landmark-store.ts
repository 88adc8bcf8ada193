// Audio landmarks in Postgres as posting lists (prisma/schema.prisma: AudioPosting, AudioFingerprint).
// A lookup reads packed rows per query hash instead of one row per stored landmark: writes go to the
// row of the item's block (4,096 items), and full blocks are compacted into one row per group of 16
// blocks, so a hash is a handful of rows at any catalog size. An item's own landmarks sit in one row
// for verification and removal; AudioPostingSize holds each hash's total so a lookup sizes its hashes
// with one probe each.
// Writers of one source take one transaction-scoped lock: a write touches thousands of posting and
// size rows that every other write shares, so they would queue anyway, and this way they cannot deadlock.
import type { IndexHits, LandmarkIndex, Landmarks, ReferenceRows } from '@undub/inference/fingerprint';
import pg from 'pg';
import { pgTransaction } from '../db/pg-transaction';

export const SOURCE_MUSIC = 1;
export const SOURCE_ORIGINAL = 2;
export type LandmarkSource = typeof SOURCE_MUSIC | typeof SOURCE_ORIGINAL;

/** Items per posting row: adding an item appends to postings of its own block only. */
const BLOCK_BITS = 12;
export const POSTING_BLOCK_ITEMS = 1 << BLOCK_BITS;
/**
 * Blocks per compacted row (65,536 items). Full blocks are merged into their group's row, stored under a
 * negative block number; a merge rewrites one group's rows, never the whole table.
 */
const GROUP_BITS = 4;
/** Hash values one compaction statement moves (its transaction's size). */
const COMPACT_HASHES = 1 << 16;

/** The row number a block's postings are compacted into. */
function groupOf(block: number): number {
  return -1 - (block >> GROUP_BITS);
}
/**
 * Votes one lookup casts at most (a posting casts one vote per query landmark with its hash). Rare
 * hashes are read first, as they carry the evidence; the most common ones, like stop words, are left
 * out once the budget is spent, so a lookup's cost stops growing with the catalog. Small catalogs never
 * reach it.
 */
const LOOKUP_VOTE_BUDGET = 500_000;

type Queryable = Pick<pg.PoolClient, 'query'>;

/** Serialises the landmark writes of `source` until the caller's transaction ends. */
async function lockWrites(client: Queryable, source: LandmarkSource): Promise<void> {
  await client.query(`SELECT pg_advisory_xact_lock(hashtext('undub.landmarks'), $1)`, [source]);
}

/** Adds `delta` to each hash's total (rows at zero go): `hashes` ascending, one entry each. */
async function addToSizes(client: Queryable, source: LandmarkSource, hashes: number[], delta: number[]) {
  await client.query(
    `INSERT INTO "AudioPostingSize" (source, hash, n)
     SELECT $1::smallint, h, d FROM unnest($2::int[], $3::int[]) AS x(h, d)
     ON CONFLICT (source, hash) DO UPDATE SET n = "AudioPostingSize".n + excluded.n`,
    [source, hashes, delta],
  );
  if (delta.some((d) => d < 0))
    await client.query(
      `DELETE FROM "AudioPostingSize" WHERE source = $1 AND hash = ANY($2::int[]) AND n <= 0`,
      [source, hashes],
    );
}

/**
 * Recomputes `source`'s per-hash totals from its posting rows, for bulk loads that write AudioPosting
 * directly (the benchmark's generated catalogs).
 */
export async function rebuildPostingSizes(client: Queryable, source: LandmarkSource): Promise<void> {
  await client.query(`DELETE FROM "AudioPostingSize" WHERE source = $1`, [source]);
  await client.query(
    `INSERT INTO "AudioPostingSize" (source, hash, n)
     SELECT source, hash, sum(n) FROM "AudioPosting" WHERE source = $1 GROUP BY source, hash`,
    [source],
  );
}

/** Stores an item's landmarks (each distinct (hash, t) once); returns how many. Call it in a transaction. */
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
  await lockWrites(client, source);
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
  const [distinct, counts] = countsOf(hashes);
  await addToSizes(client, source, distinct, counts);
  return hashes.length;
}

/** The distinct values of `values`, ascending, and how often each occurs. */
function countsOf(values: ArrayLike<number>): [number[], number[]] {
  const sorted = Int32Array.from(values).sort();
  const distinct: number[] = [];
  const counts: number[] = [];
  for (const v of sorted) {
    if (distinct.at(-1) === v) counts[counts.length - 1]++;
    else {
      distinct.push(v);
      counts.push(1);
    }
  }
  return [distinct, counts];
}

/** Removes an item's landmarks (from its block's rows and its group's compacted rows). Call it in a transaction. */
export async function deleteLandmarks(client: Queryable, source: LandmarkSource, key: number): Promise<void> {
  await lockWrites(client, source);
  const { rows } = await client.query<{ landmarks: Buffer }>(
    `DELETE FROM "AudioFingerprint" WHERE source = $1 AND "sourceKey" = $2 RETURNING landmarks`,
    [source, key],
  );
  if (rows.length === 0) return;
  const [hash] = unpackPairs(rows[0].landmarks);
  const [distinct, counts] = countsOf(hash);
  const block = key >> BLOCK_BITS;
  const blocks = [block, groupOf(block)];
  const { rows: postings } = await client.query<{ hash: number; block: number; postings: Buffer }>(
    `SELECT hash, block, postings FROM "AudioPosting"
     WHERE source = $1 AND block = ANY($2::int[]) AND hash = ANY($3::int[])
     ORDER BY hash, block FOR UPDATE`,
    [source, blocks, distinct],
  );
  const kept = postings.map((p) => withoutKey(p.postings, key));
  await client.query(
    `UPDATE "AudioPosting" p SET n = octet_length(x.postings) / 8, postings = x.postings
     FROM unnest($2::int[], $3::int[], $4::bytea[]) AS x(hash, block, postings)
     WHERE p.source = $1 AND p.hash = x.hash AND p.block = x.block`,
    [source, postings.map((p) => p.hash), postings.map((p) => p.block), kept],
  );
  await client.query(
    `DELETE FROM "AudioPosting" WHERE source = $1 AND block = ANY($2::int[]) AND hash = ANY($3::int[]) AND n = 0`,
    [source, blocks, distinct],
  );
  await addToSizes(
    client,
    source,
    distinct,
    counts.map((c) => -c),
  );
}

/**
 * Whether `source` has full blocks left to compact, judged by the hashes of an item just stored under
 * `key`: a block below the item's own still holding rows of its hashes (one index probe per hash).
 */
async function compactionDue(
  client: Queryable,
  source: LandmarkSource,
  key: number,
  hashes: Int32Array,
): Promise<boolean> {
  const block = key >> BLOCK_BITS;
  if (block === 0) return false;
  const { rows } = await client.query<{ due: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM "AudioPosting"
       WHERE source = $1 AND hash = ANY($2::int[]) AND block >= 0 AND block < $3) AS due`,
    [source, Array.from(new Set(hashes)), block],
  );
  return rows[0].due;
}

/**
 * Merges the rows of every full block of `source` (all blocks below the one the newest item is in,
 * where writes still go) into their groups' rows, a range of hash values per transaction. Lookups
 * return the same postings before and after; returns how many group rows were written.
 */
export async function compactPostings(
  pool: pg.Pool,
  source: LandmarkSource,
  onProgress?: (done: number, total: number) => void,
): Promise<number> {
  const { rows } = await pool.query<{ open: number | null; low: number | null; top: number | null }>(
    `SELECT (SELECT max("sourceKey") FROM "AudioFingerprint" WHERE source = $1) >> ${BLOCK_BITS} AS open,
            min(hash) AS low, max(hash) AS top FROM "AudioPostingSize" WHERE source = $1`,
    [source],
  );
  const { open, low, top } = rows[0];
  if (open === null || low === null || top === null || open === 0) return 0;
  let written = 0;
  for (let from = low; from <= top; from += COMPACT_HASHES) {
    written += await pgTransaction(pool, async (client) => {
      await lockWrites(client, source);
      const { rowCount } = await client.query(
        `WITH moved AS (
           DELETE FROM "AudioPosting"
           WHERE source = $1 AND hash >= $2 AND hash < $3 AND block >= 0 AND block < $4
           RETURNING hash, block, n, postings
         )
         INSERT INTO "AudioPosting" (source, hash, block, n, postings)
         SELECT $1::smallint, hash, -1 - (block >> ${GROUP_BITS}), sum(n), string_agg(postings, ''::bytea)
         FROM moved GROUP BY hash, block >> ${GROUP_BITS} ORDER BY hash
         ON CONFLICT (source, hash, block)
         DO UPDATE SET n = "AudioPosting".n + excluded.n, postings = "AudioPosting".postings || excluded.postings`,
        [source, from, from + COMPACT_HASHES, open],
      );
      return rowCount ?? 0;
    });
    onProgress?.(Math.min(top + 1, from + COMPACT_HASHES) - low, top + 1 - low);
  }
  return written;
}

/**
 * After an item was stored (and committed) under `key`: compacts `source`'s full blocks when its block is
 * a new one (the first items of each block pay for it, about once per 4,096 items). Returns the group
 * rows written (0 when nothing was due).
 */
export async function compactIfDue(
  pool: pg.Pool,
  source: LandmarkSource,
  key: number,
  hashes: Int32Array,
  onProgress?: (done: number, total: number) => void,
): Promise<number> {
  if (!(await compactionDue(pool, source, key, hashes))) return 0;
  return compactPostings(pool, source, onProgress);
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
    // Sizes come from AudioPostingSize's primary key alone (`= ANY` of the query's hashes: one index
    // descent each, inside one scan); the kept rows come back as raw bytes (binary COPY), a hash's blocks adjacent.
    // COPY takes no parameters: the arrays are written into the statement (integers only).
    const sql = `COPY (
      WITH q AS (SELECT * FROM unnest('{${hashes.join(',')}}'::int[], '{${uses.join(',')}}'::int[]) AS q(hash, uses)),
      sized AS (
        SELECT hash, n FROM "AudioPostingSize"
        WHERE source = ${this.source} AND hash = ANY(ARRAY(SELECT hash FROM q))
      ), kept AS (
        SELECT hash FROM (
          SELECT s.hash, sum(q.uses * s.n) OVER (ORDER BY q.uses * s.n, s.hash) AS spent FROM sized s JOIN q USING (hash)
        ) x WHERE spent <= ${this.voteBudget}
      )
      SELECT p.hash, p.n, p.postings FROM "AudioPosting" p
      WHERE p.source = ${this.source} AND p.hash = ANY(ARRAY(SELECT hash FROM kept)) ORDER BY p.hash, p.block
    ) TO STDOUT (FORMAT binary)`;
    const client = await this.pool.connect();
    try {
      // A lookup is index probes: the planner, which cannot see how few postings the budget keeps, would
      // rather scan the whole table; and compiling it (JIT) costs more than it saves. One round trip.
      const rows = await copyOut(
        client,
        `BEGIN; SET LOCAL jit = off; SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL work_mem = '64MB'; ${sql}; COMMIT`,
      );
      return postingLists(rows, this.own);
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

/** Index of the first element of `sorted` that is at least `value` (its length if none). */
export function firstAtLeast(sorted: Int32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Rows of a query as `COPY … TO STDOUT (FORMAT binary)` data: raw bytes, where node-postgres hands a
 * bytea over as a hex string twice its size, decoded twice (text, then hex).
 */
class CopyOut extends pg.Query {
  private readonly chunks: Buffer[] = [];
  private length = 0;

  constructor(text: string, callback: (err: Error | undefined) => void) {
    super({ text, callback } as pg.QueryConfig);
  }

  // Called by pg's Client for each CopyData message; its buffer is reused for later messages.
  handleCopyData(msg: { chunk: Buffer }): void {
    this.chunks.push(Buffer.from(msg.chunk));
    this.length += msg.chunk.length;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}

/** Runs `text` (statements, one of them a COPY … TO STDOUT (FORMAT binary)) and returns the COPY's bytes. */
function copyOut(client: Queryable, text: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const copy: CopyOut = new CopyOut(text, (err) => (err ? reject(err) : resolve(copy.bytes())));
    void client.query(copy);
  });
}

/**
 * Decodes the lookup's rows (binary COPY: per row a field count, then hash, n and postings, each after
 * its length) into posting lists, keeping only the items marked in `own`.
 */
function postingLists(copy: Buffer | null, own: Uint8Array): IndexHits {
  const view = copy ? new DataView(copy.buffer, copy.byteOffset, copy.length) : null;
  const size = copy ? copy.length >> 3 : 0; // more than the postings it holds
  const hashes: number[] = [];
  const start = [0];
  const key = new Int32Array(size);
  const t = new Int32Array(size);
  let n = 0;
  // Header: 11-byte signature, flags, extension length; a row: int16 field count, then (int32 length, value)s.
  for (let at = 19; view && view.getInt16(at) !== -1;) {
    const hash = view.getInt32(at + 6);
    const end = at + 22 + 8 * view.getInt32(at + 14);
    for (let w = at + 22; w < end; w += 8) {
      const k = view.getInt32(w);
      if (k >= own.length || own[k] === 0) continue;
      key[n] = k;
      t[n++] = view.getInt32(w + 4);
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
