// A LandmarkIndex held in memory: for tests, experiments and small one-off catalogs.
import type { Landmarks } from './landmarks';
import type { IndexHits, LandmarkIndex } from './match';
import type { ReferenceRows } from './verify';

export class MemoryLandmarkIndex implements LandmarkIndex {
  private readonly byHash = new Map<number, number[]>();
  private readonly byKey = new Map<number, Landmarks>();
  private readonly rowKey: number[] = [];
  private readonly rowT: number[] = [];

  add(key: number, lm: Landmarks): void {
    this.byKey.set(key, lm);
    for (let i = 0; i < lm.hashes.length; i++) {
      const row = this.rowKey.length;
      this.rowKey.push(key);
      this.rowT.push(lm.times[i]);
      const list = this.byHash.get(lm.hashes[i]);
      if (list) list.push(row);
      else this.byHash.set(lm.hashes[i], [row]);
    }
  }

  async lookup(hashes: Int32Array): Promise<IndexHits> {
    const found: number[] = [];
    const start = [0];
    const key: number[] = [];
    const t: number[] = [];
    for (const h of hashes) {
      const rows = this.byHash.get(h);
      if (!rows) continue;
      found.push(h);
      for (const r of rows) {
        key.push(this.rowKey[r]);
        t.push(this.rowT[r]);
      }
      start.push(key.length);
    }
    return {
      hashes: Int32Array.from(found),
      start: Int32Array.from(start),
      key: Int32Array.from(key),
      t: Int32Array.from(t),
    };
  }

  async window(key: number, fromFrame: number, toFrame: number): Promise<ReferenceRows> {
    const lm = this.byKey.get(key);
    const hash: number[] = [];
    const t: number[] = [];
    if (lm) {
      for (let i = 0; i < lm.hashes.length; i++) {
        if (lm.times[i] < fromFrame || lm.times[i] > toFrame) continue;
        hash.push(lm.hashes[i]);
        t.push(lm.times[i]);
      }
    }
    return { hash: Int32Array.from(hash), t: Int32Array.from(t) };
  }
}
