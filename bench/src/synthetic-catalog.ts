// Synthetic music catalog made of real landmarks, for the scale suite. Tracks 1..R are the real
// fingerprinted tracks themselves; every later track is SEGMENTS stretches cut from random real tracks at
// random places, each shifted in pitch (1 to 10 log-frequency units, so never a copy of its source) and
// stretched in time (0.9..1.1: the hash's time step and the times scale), so hash frequencies keep real
// music's skew while no two generated tracks repeat each other. Deterministic per track key.
// Rows are built in the store's layout (apps/api/src/catalog/landmark-store.ts) as binary COPY streams.
import { firstAtLeast, POSTING_BLOCK_ITEMS } from '../../apps/api/src/catalog/landmark-store';
import { BinaryRows } from './pg-copy';

/** A real track's landmarks sorted by (t, hash). */
export interface Template {
  hash: Int32Array;
  t: Int32Array;
}

const SEGMENTS = 7;
const MAX_SHIFT = 10;
const MAX_STRETCH = 0.1;
const HASH_VALUES = 1 << 20;

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    // mulberry32
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), a | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Growable (hash, t) arrays. */
class Pairs {
  hash = new Int32Array(1 << 16);
  t = new Int32Array(1 << 16);
  n = 0;
  push(hash: number, t: number): void {
    if (this.n === this.hash.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.hash = grow(this.hash);
      this.t = grow(this.t);
    }
    this.hash[this.n] = hash;
    this.t[this.n++] = t;
  }
}

/**
 * Landmarks of track `key` (1-based) of `frames` frames into `out` (cleared), sorted by (t, hash), each
 * distinct pair once (as insertLandmarks stores them).
 */
function syntheticTrack(templates: Template[], key: number, frames: number, out: Pairs): void {
  out.n = 0;
  if (key <= templates.length) {
    const tp = templates[key - 1];
    for (let i = 0; i < tp.hash.length; i++) out.push(tp.hash[i], tp.t[i]);
    return sortDistinct(out);
  }
  const rand = random(Math.imul(key, 0x9e3779b1));
  const seg = Math.floor(frames / SEGMENTS);
  for (let s = 0; s < SEGMENTS; s++) {
    const tp = templates[Math.floor(rand() * templates.length)];
    const stretch = 1 - MAX_STRETCH + 2 * MAX_STRETCH * rand();
    const shift = (1 + Math.floor(rand() * MAX_SHIFT)) * (rand() < 0.5 ? -1 : 1);
    const span = seg / stretch;
    const length = tp.t.length ? tp.t[tp.t.length - 1] + 1 : 0;
    const from = Math.floor(rand() * Math.max(0, length - span));
    for (let i = firstAtLeast(tp.t, from); i < tp.t.length && tp.t[i] < from + span; i++) {
      const h = tp.hash[i];
      const k1 = Math.min(255, Math.max(0, (h >> 12) + shift));
      const dt = Math.min(64, Math.max(1, Math.round(((h & 63) + 1) * stretch)));
      out.push((k1 << 12) | (h & 4032) | (dt - 1), s * seg + Math.round((tp.t[i] - from) * stretch));
    }
  }
  sortDistinct(out);
}

/** Insertion sort by (t, hash) (the input is nearly sorted), dropping repeated pairs. */
function sortDistinct(p: Pairs): void {
  const { hash, t } = p;
  for (let i = 1; i < p.n; i++) {
    const h = hash[i];
    const ti = t[i];
    let j = i - 1;
    while (j >= 0 && (t[j] > ti || (t[j] === ti && hash[j] > h))) {
      hash[j + 1] = hash[j];
      t[j + 1] = t[j];
      j--;
    }
    hash[j + 1] = h;
    t[j + 1] = ti;
  }
  let n = 0;
  for (let i = 0; i < p.n; i++) {
    if (n > 0 && hash[n - 1] === hash[i] && t[n - 1] === t[i]) continue;
    hash[n] = hash[i];
    t[n++] = t[i];
  }
  p.n = n;
}

export interface BlockRows {
  /** `"AudioFingerprint" (source, "sourceKey", count, landmarks)` rows, binary COPY. */
  items: Buffer;
  /** `"AudioPosting" (source, hash, block, n, postings)` rows, binary COPY. */
  postings: Buffer;
  landmarks: number;
}

/** The rows of tracks first..last, which must lie in one posting block. */
export function blockRows(
  templates: Template[],
  source: number,
  first: number,
  last: number,
  frames: number,
): BlockRows {
  const block = Math.floor(first / POSTING_BLOCK_ITEMS);
  if (Math.floor(last / POSTING_BLOCK_ITEMS) !== block) throw new Error('tracks span two posting blocks');
  const track = new Pairs();
  const all = new Pairs();
  const keyOf = new Int32Array(last - first + 2); // landmark offsets of each track in `all`
  const items = new BinaryRows(64 << 20);
  for (let key = first; key <= last; key++) {
    syntheticTrack(templates, key, frames, track);
    items.row(4).smallint(source).int(key).int(track.n).pairs(track.hash, track.t, 0, track.n);
    keyOf[key - first] = all.n;
    for (let i = 0; i < track.n; i++) all.push(track.hash[i], track.t[i]);
  }
  keyOf[last - first + 1] = all.n;

  // Counting sort by hash, stable, so each posting row lists its items in key order, then by t (as
  // items added one after another append to it).
  const start = new Int32Array(HASH_VALUES + 1);
  for (let i = 0; i < all.n; i++) start[all.hash[i] + 1]++;
  for (let h = 0; h < HASH_VALUES; h++) start[h + 1] += start[h];
  const fill = start.slice(0, HASH_VALUES);
  const pKey = new Int32Array(all.n);
  const pT = new Int32Array(all.n);
  for (let k = 0; k <= last - first; k++) {
    for (let i = keyOf[k]; i < keyOf[k + 1]; i++) {
      const at = fill[all.hash[i]]++;
      pKey[at] = first + k;
      pT[at] = all.t[i];
    }
  }
  const postings = new BinaryRows(all.n * 8 + (1 << 24));
  for (let h = 0; h < HASH_VALUES; h++) {
    const n = start[h + 1] - start[h];
    if (n === 0) continue;
    postings
      .row(5)
      .smallint(source)
      .int(h)
      .int(block)
      .int(n)
      .pairs(pKey, pT, start[h], start[h + 1]);
  }
  return { items: items.end(), postings: postings.end(), landmarks: all.n };
}
