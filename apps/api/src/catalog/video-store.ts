// Original works' frame hashes in Postgres: whole sequences per work, and candidate works found
// through the hashes' 16-bit bands.
import { fromBigInt, toBigInt, type FrameHashes } from '@undub/inference/videohash';
import type pg from 'pg';

type Queryable = Pick<pg.PoolClient, 'query'>;

const band = (hi: number, lo: number, i: number) => {
  const v = i < 2 ? (lo >>> (16 * i)) & 0xffff : (hi >>> (16 * (i - 2))) & 0xffff;
  return v >= 0x8000 ? v - 0x10000 : v; // smallint is signed
};

export async function insertVideoHashes(client: Queryable, workKey: number, h: FrameHashes): Promise<void> {
  const n = h.hi.length;
  const t: number[] = [];
  const hash: string[] = [];
  const bands: number[][] = [[], [], [], []];
  for (let i = 0; i < n; i++) {
    t.push(i);
    // Flat frames are stored too (sequence positions matter) but flagged out of band lookups below.
    hash.push(toBigInt(h.hi[i], h.lo[i]).toString());
    for (let b = 0; b < 4; b++) bands[b].push(h.informative[i] ? band(h.hi[i], h.lo[i], b) : 0);
  }
  await client.query(
    `INSERT INTO "VideoHash" ("workKey", t, hash, b0, b1, b2, b3)
     SELECT $1::int, t, h, b0, b1, b2, b3
     FROM unnest($2::int[], $3::bigint[], $4::smallint[], $5::smallint[], $6::smallint[], $7::smallint[]) AS x(t, h, b0, b1, b2, b3)`,
    [workKey, t, hash, ...bands],
  );
}

export async function deleteVideoHashes(client: Queryable, workKey: number): Promise<void> {
  await client.query(`DELETE FROM "VideoHash" WHERE "workKey" = $1`, [workKey]);
}

/** Works whose stored frames share a band with the query's frames (either orientation, any crop variant), best first. */
export async function candidateWorks(
  pool: pg.Pool,
  q: FrameHashes,
  keys: Set<number>,
  limit = 5,
): Promise<number[]> {
  const bands = [new Set<number>(), new Set<number>(), new Set<number>(), new Set<number>()];
  for (const set of [q, ...(q.crops ?? [])]) {
    for (let i = 0; i < q.hi.length; i++) {
      if (!q.informative[i]) continue;
      for (let b = 0; b < 4; b++) {
        bands[b].add(band(set.hi[i], set.lo[i], b));
        bands[b].add(band(set.mirrorHi[i], set.mirrorLo[i], b));
      }
    }
  }
  if (bands[0].size === 0) return [];
  const { rows } = await pool.query<{ workKey: number; n: string }>(
    `SELECT "workKey", count(*) AS n FROM "VideoHash"
     WHERE (b0 = ANY($1::smallint[]) OR b1 = ANY($2::smallint[]) OR b2 = ANY($3::smallint[]) OR b3 = ANY($4::smallint[]))
       AND NOT (b0 = 0 AND b1 = 0 AND b2 = 0 AND b3 = 0)
     GROUP BY "workKey" ORDER BY n DESC LIMIT $5`,
    [...bands.map((b) => [...b]), limit * 4],
  );
  return rows
    .map((r) => r.workKey)
    .filter((k) => keys.has(k))
    .slice(0, limit);
}

export async function loadVideoHashes(pool: pg.Pool, workKey: number, fps: number): Promise<FrameHashes> {
  const { rows } = await pool.query<{
    t: number;
    hash: string;
    b0: number;
    b1: number;
    b2: number;
    b3: number;
  }>(`SELECT t, hash::text AS hash, b0, b1, b2, b3 FROM "VideoHash" WHERE "workKey" = $1 ORDER BY t`, [
    workKey,
  ]);
  const n = rows.length;
  const out: FrameHashes = {
    fps,
    hi: new Uint32Array(n),
    lo: new Uint32Array(n),
    mirrorHi: new Uint32Array(n),
    mirrorLo: new Uint32Array(n),
    informative: new Uint8Array(n),
  };
  rows.forEach((r, i) => {
    const [hi, lo] = fromBigInt(BigInt(r.hash));
    out.hi[i] = hi;
    out.lo[i] = lo;
    out.informative[i] = r.b0 || r.b1 || r.b2 || r.b3 ? 1 : 0;
  });
  return out;
}
