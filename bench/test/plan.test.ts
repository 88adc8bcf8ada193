import { describe, expect, it } from 'vitest';
import type { BuildOptions, MusicTrack } from '../src/manifest';
import { makePlan, RATIOS, TRANSFORMS } from '../src/build/plan';

const options: BuildOptions = {
  seed: 7,
  originals: 10,
  catalogShare: 0.6,
  reuploadsPerRatio: 20,
  cleanPerTransform: 2,
  newWorks: 16,
  edgePerCase: 2,
  quietMusic: 4,
  excerpts: 0,
  uploadSeconds: 10,
};
const music: MusicTrack[] = Array.from({ length: 10 }, (_, i) => ({
  id: `m-${i}`,
  file: `music/m-${i}.wav`,
  source: `s/${i}.ogg`,
  package: 'p',
  split: 'eval',
  inCatalog: i < 6,
  durationSeconds: 120,
}));

describe('makePlan', () => {
  const plan = makePlan(options, music);
  const inCatalog = new Set(music.filter((m) => m.inCatalog).map((m) => m.id));

  it('plans the requested counts with unique ids that refer to planned originals', () => {
    const kinds = plan.uploads.reduce<Record<string, number>>(
      (a, u) => ({ ...a, [u.edgeCase ?? u.kind]: (a[u.edgeCase ?? u.kind] ?? 0) + 1 }),
      {},
    );
    expect(kinds).toEqual({
      reupload: 84,
      clean_reupload: 14,
      new_work: 16,
      silent_ost: 2,
      very_short: 2,
      no_audio: 2,
    });
    expect(new Set(plan.uploads.map((u) => u.id)).size).toBe(plan.uploads.length);
    const originals = new Set(plan.originals.map((o) => o.id));
    for (const u of plan.uploads) expect(originals.has(u.originalId)).toBe(true);
    expect(plan.originals.filter((o) => o.inCatalog)).toHaveLength(10);
  });

  it('never builds a new work or a silent OST from a catalog original', () => {
    const catalog = new Set(plan.originals.filter((o) => o.inCatalog).map((o) => o.id));
    for (const u of plan.uploads.filter((x) => x.kind === 'new_work' || x.edgeCase === 'silent_ost')) {
      expect(catalog.has(u.originalId)).toBe(false);
    }
  });

  it('covers every ratio with catalog and unknown music and every transform', () => {
    for (const kind of ['reupload', 'new_work']) {
      for (const r of RATIOS) {
        const g = plan.uploads.filter((u) => u.kind === kind && u.ratioDb === r);
        expect(g.some((u) => inCatalog.has(u.musicId!))).toBe(true);
        expect(g.some((u) => !inCatalog.has(u.musicId!))).toBe(true);
      }
    }
    for (const t of TRANSFORMS)
      expect(plan.uploads.filter((u) => u.kind === 'clean_reupload' && u.transform === t)).toHaveLength(2);
  });

  it('is deterministic for a seed', () => {
    expect(makePlan(options, music)).toEqual(plan);
    expect(makePlan({ ...options, seed: 8 }, music)).not.toEqual(plan);
  });
});
