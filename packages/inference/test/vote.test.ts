// Typed-array offset voting against a plain reference implementation (the Map-based voting it
// replaced) on random posting lists with planted matches, including an hours-long item.
import { describe, expect, it } from 'vitest';
import {
  IDENTITY,
  vote,
  type IndexHits,
  type QueryLandmarks,
  type SpeedHypothesis,
} from '../src/fingerprint';

function random(seed: number) {
  let s = seed;
  return (n: number) => (s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff) % n;
}

/** Best (votes, offset, hypothesis) per key, by counting every cell in a Map. */
function reference(lookups: QueryLandmarks[], hits: IndexHits) {
  const best = new Map<number, { votes: number; offset: number; h: number }>();
  lookups.forEach((q, h) => {
    const counts = new Map<number, number>();
    const cellOf = (key: number, off: number) => key * 4194304 + off + 2097152;
    const order: [number, number][] = [];
    q.landmarks.hashes.forEach((hash, i) => {
      const p = hits.hashes.indexOf(hash);
      if (p < 0) return;
      for (let r = hits.start[p]; r < hits.start[p + 1]; r++) {
        const cell = cellOf(hits.key[r], hits.t[r] - q.landmarks.times[i]);
        if (!counts.has(cell)) order.push([hits.key[r], hits.t[r] - q.landmarks.times[i]]);
        counts.set(cell, (counts.get(cell) ?? 0) + 1);
      }
    });
    for (const [key, off] of order) {
      const c = (o: number) => counts.get(cellOf(key, o)) ?? 0;
      const votes = c(off) + c(off - 1) + c(off + 1);
      const cur = best.get(key);
      if (!cur || votes > cur.votes) best.set(key, { votes, offset: off, h });
    }
  });
  return best;
}

describe('offset voting', () => {
  it('finds the same best offset per item as counting every cell, on histogram and sort paths', () => {
    const rnd = random(11);
    const slow: SpeedHypothesis = { speed: 0.98, pitchFollows: false };
    // Query: 1200 landmarks over 60 s; two hypotheses with slightly different times.
    const n = 1200;
    const hashes = Int32Array.from({ length: n }, () => rnd(400));
    const times = Int32Array.from({ length: n }, (_, i) => Math.floor(i * 1.5));
    const lookups: QueryLandmarks[] = [
      { hypothesis: IDENTITY, landmarks: { hashes, times, anchors: times } },
      {
        hypothesis: slow,
        landmarks: { hashes, times: times.map((t) => Math.round(t * 0.98)), anchors: times },
      },
    ];
    // Postings: 40 items of noise; item 7 holds a copy of the query at offset 500, item 9 (hours
    // long, offsets spread beyond the histogram) a copy at offset 300000 of the slow hypothesis.
    const byHash = Array.from({ length: 400 }, () => [] as [number, number][]);
    for (let k = 1; k <= 40; k++)
      for (let j = 0; j < 200; j++) byHash[rnd(400)].push([k, rnd(k === 9 ? 400_000 : 8000)]);
    for (let i = 0; i < n; i += 3) byHash[hashes[i]].push([7, times[i] + 500 + rnd(2)]);
    for (let i = 1; i < n; i += 4) byHash[hashes[i]].push([9, lookups[1].landmarks.times[i] + 300_000]);
    const present = byHash.map((rows, hash) => (rows.length ? hash : -1)).filter((h) => h >= 0);
    const rows = present.map((h) => byHash[h]);
    let total = 0;
    const hits: IndexHits = {
      hashes: Int32Array.from(present),
      start: Int32Array.from([0, ...rows.map((r) => (total += r.length))]),
      key: Int32Array.from(rows.flat().map((r) => r[0])),
      t: Int32Array.from(rows.flat().map((r) => r[1])),
    };

    const candidates = vote(lookups, hits);
    const want = reference(lookups, hits);
    expect(candidates[0]).toMatchObject({ key: 7, hypothesis: IDENTITY });
    expect(Math.abs(candidates[0].offsetFrames - 500)).toBeLessThanOrEqual(1);
    const long = candidates.find((c) => c.key === 9)!;
    expect(long.hypothesis).toBe(slow);
    expect(Math.abs(long.offsetFrames - 300_000)).toBeLessThanOrEqual(1);
    for (const c of candidates) {
      const w = want.get(c.key)!;
      expect([c.votes, c.hypothesis]).toEqual([w.votes, lookups[w.h].hypothesis]);
      // The hours-long item takes the sort path, which breaks ties by the earliest offset instead.
      if (c.key !== 9) expect(c.offsetFrames).toBe(w.offset);
    }
    expect(candidates.map((c) => c.votes)).toEqual([...candidates.map((c) => c.votes)].sort((a, b) => b - a));
  });
});
