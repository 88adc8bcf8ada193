// The one restoration function: catalog music removed by reference, the model used only where it hears
// music, original music kept on request, provenance covering the whole upload, rate and length kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siSdr } from '../src/dsp';
import { restore } from '../src/restore';
import { loadSeparator, type Separator } from '../src/separation';
import { mix, synthBabble, synthMusic } from './support/synth-audio';

const SR = 44100;
let separator: Separator;

beforeAll(async () => {
  separator = await loadSeparator();
});
afterAll(async () => {
  await separator.release();
});

function covered(provenance: { start: number; end: number }[]): number {
  return provenance.reduce((s, p) => s + (p.end - p.start), 0);
}

describe('restore', () => {
  it('removes identified catalog music with its reference and accounts for every second', async () => {
    const seconds = 8;
    const ost = synthBabble(1, seconds, SR);
    const reference = synthMusic(2, 20, SR);
    const refStart = 5;
    const music = reference.subarray(refStart * SR, (refStart + seconds) * SR);
    const upload = mix(ost, music, 0);
    const result = await restore(
      { channels: [upload], sampleRate: SR, references: [{ musicId: 'm', channels: [reference], segments: [{ start: 0, end: seconds, refStart }] }] },
      { separator },
    );
    expect(result.ost[0].length).toBe(upload.length);
    expect(siSdr(result.ost[0], ost)).toBeGreaterThan(20);
    expect(result.provenance.some((p) => p.method === 'reference')).toBe(true);
    expect(covered(result.provenance)).toBeCloseTo(seconds, 1);
  });

  it('leaves audio without music untouched', async () => {
    const ost = synthBabble(3, 5, SR);
    const result = await restore({ channels: [ost, ost], sampleRate: SR, references: [] }, { separator });
    const untouched = result.provenance.filter((p) => p.method === 'none');
    expect(covered(untouched)).toBeGreaterThan(2.5);
    expect(siSdr(result.ost[1], ost)).toBeGreaterThan(15);
  });

  it('separates unknown music with the model and keeps music attributed to the original', async () => {
    const ost = synthBabble(4, 6, SR);
    const music = synthMusic(5, 6, SR);
    const upload = mix(ost, music, 0);
    const plain = await restore({ channels: [upload], sampleRate: SR, references: [] }, { separator });
    expect(plain.provenance.some((p) => p.method === 'model')).toBe(true);

    const kept = await restore(
      { channels: [upload], sampleRate: SR, references: [] },
      { separator, attributeMusic: async () => [{ start: 0, end: 6 }] },
    );
    expect(kept.provenance.every((p) => p.method !== 'model')).toBe(true);
    expect(kept.provenance.some((p) => p.method === 'original_music')).toBe(true);
    // Kept music stays in the OST: the restored audio is the upload there.
    expect(siSdr(kept.ost[0], upload)).toBeGreaterThan(40);
  });
});
