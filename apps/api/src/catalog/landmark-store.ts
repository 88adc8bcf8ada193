// Audio landmarks in Postgres. The hot paths use raw SQL: bulk insert through unnest arrays, lookups
// by `hash = ANY($1)` answered as one packed bytea (rows as big-endian int32 triples), which is far
// cheaper to read than one JS object per row.
import type { IndexHits, LandmarkIndex, Landmarks, ReferenceRows } from '@undub/inference/fingerprint';
import type pg from 'pg';

export const SOURCE_MUSIC = 1;
export const SOURCE_ORIGINAL = 2;
export type LandmarkSource = typeof SOURCE_MUSIC | typeof SOURCE_ORIGINAL;

const BATCH = 50_000;
/** Posting lists longer than this many times the average (and than MIN_POSTING_CAP) are skipped. */
const POSTING_CAP_FACTOR = 4;
const MIN_POSTING_CAP = 200;

type Queryable = Pick<pg.PoolClient, 'query'>;

export async function insertLandmarks(client: Queryable, source: LandmarkSource, key: number, lm: Landmarks) {
  // The primary key forbids exact repeats (one anchor can pair twice with identical targets).
  const seen = new Set<string>();
  const hashes: number[] = [];
  const times: number[] = [];
  for (let i = 0; i < lm.hashes.length; i++) {
    const id = `${lm.hashes[i]}:${lm.times[i]}`;
    if (seen.has(id)) continue;
    seen.add(id);
    hashes.push(lm.hashes[i]);
    times.push(lm.times[i]);
  }
  for (let at = 0; at < hashes.length; at += BATCH) {
    await client.query(
      `INSERT INTO "AudioFingerprint" (hash, source, "sourceKey", t)
       SELECT h, $2::smallint, $3::int, t FROM unnest($1::int[], $4::int[]) AS x(h, t)`,
      [hashes.slice(at, at + BATCH), source, key, times.slice(at, at + BATCH)],
    );
  }
  return hashes.length;
}

export async function deleteLandmarks(client: Queryable, source: LandmarkSource, key: number): Promise<void> {
  await client.query(`DELETE FROM "AudioFingerprint" WHERE source = $1 AND "sourceKey" = $2`, [source, key]);
}

function unpack(buf: Buffer | null, fields: number): Int32Array[] {
  const n = buf ? buf.length / (4 * fields) : 0;
  const out = Array.from({ length: fields }, () => new Int32Array(n));
  for (let i = 0; i < n; i++)
    for (let f = 0; f < fields; f++) out[f][i] = buf!.readInt32BE((i * fields + f) * 4);
  return out;
}

/** The stored landmarks of one source, restricted to the items in `keys` (the caller's tenant). */
export class PgLandmarkIndex implements LandmarkIndex {
  constructor(
    private readonly pool: pg.Pool,
    private readonly source: LandmarkSource,
    private readonly keys: Set<number>,
  ) {}

  async lookup(hashes: Int32Array): Promise<IndexHits> {
    if (hashes.length === 0 || this.keys.size === 0)
      return { hash: new Int32Array(0), key: new Int32Array(0), t: new Int32Array(0) };
    // Hashes far more common than average carry almost no evidence but most of the rows (a sustained
    // chord is the same landmark in thousands of tracks): like stop words, they are left out.
    const { rows } = await this.pool.query<{ packed: Buffer | null }>(
      `WITH common AS (
         SELECT greatest($3::float8, $4::float8 * reltuples / 1048576)::bigint AS cap
         FROM pg_class WHERE oid = '"AudioFingerprint"'::regclass
       ), rare AS (
         SELECT hash FROM "AudioFingerprint", common WHERE hash = ANY($1::int[]) AND source = $2
         GROUP BY hash, common.cap HAVING count(*) <= common.cap
       )
       SELECT string_agg(int4send(f.hash) || int4send(f."sourceKey") || int4send(f.t), ''::bytea) AS packed
       FROM "AudioFingerprint" f JOIN rare USING (hash) WHERE f.source = $2`,
      [Array.from(hashes), this.source, MIN_POSTING_CAP, POSTING_CAP_FACTOR],
    );
    const [hash, key, t] = unpack(rows[0].packed, 3);
    return this.ownOnly({ hash, key, t });
  }

  async window(key: number, fromFrame: number, toFrame: number): Promise<ReferenceRows> {
    const { rows } = await this.pool.query<{ packed: Buffer | null }>(
      `SELECT string_agg(int4send(hash) || int4send(t), ''::bytea) AS packed
       FROM "AudioFingerprint" WHERE source = $1 AND "sourceKey" = $2 AND t BETWEEN $3 AND $4`,
      [this.source, key, fromFrame, toFrame],
    );
    const [hash, t] = unpack(rows[0].packed, 2);
    return { hash, t };
  }

  private ownOnly(hits: IndexHits): IndexHits {
    let n = 0;
    for (let i = 0; i < hits.key.length; i++) if (this.keys.has(hits.key[i])) n++;
    if (n === hits.key.length) return hits;
    const out = { hash: new Int32Array(n), key: new Int32Array(n), t: new Int32Array(n) };
    for (let i = 0, j = 0; i < hits.key.length; i++) {
      if (!this.keys.has(hits.key[i])) continue;
      out.hash[j] = hits.hash[i];
      out.key[j] = hits.key[i];
      out.t[j++] = hits.t[i];
    }
    return out;
  }
}
