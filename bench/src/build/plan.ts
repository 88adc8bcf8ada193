// What the benchmark contains: a deterministic plan of originals and uploads from the build options.
import type { BuildOptions, MusicTrack, Transform } from '../manifest';
import type { OriginalSpec } from './originals';
import { Rng } from './rng';
import type { UploadSpec } from './uploads';

export const RATIOS = [5, 0, -5, -10];
export const TRANSFORMS: Transform[] = [
  'none',
  'rescale540',
  'crop10',
  'mirror',
  'brightness',
  'speed+3',
  'speed-3',
];
// Re-uploads: untransformed ones dominate, every transform appears at every ratio.
const REUPLOAD_TRANSFORMS: Transform[] = [
  'none',
  'none',
  'none',
  'none',
  'rescale540',
  'crop10',
  'mirror',
  'brightness',
  'speed+3',
  'speed-3',
];

export interface Plan {
  originals: OriginalSpec[];
  uploads: UploadSpec[];
}

function bitrate(rng: Rng, i: number): number {
  return i % 4 === 3 ? 96 : rng.pick([192, 256, 320]);
}

export function makePlan(o: BuildOptions, music: MusicTrack[]): Plan {
  const catalogMusic = music.filter((m) => m.inCatalog);
  const otherMusic = music.filter((m) => !m.inCatalog);
  const originals: OriginalSpec[] = [];
  const id = (n: number) => `o-${String(n).padStart(4, '0')}`;
  for (let i = 0; i < o.originals; i++) originals.push({ id: id(originals.length + 1), inCatalog: true });
  const catalogOriginals = originals.map((x) => x.id);
  const uploads: UploadSpec[] = [];
  const uid = () => `u-${String(uploads.length + 1).padStart(4, '0')}`;
  const rng = new Rng(o.seed, 'plan');
  const base = { seconds: o.uploadSeconds, hasAudio: true };

  for (const ratioDb of RATIOS) {
    for (let i = 0; i < o.reuploadsPerRatio; i++) {
      const fromCatalog = i % 5 < 3;
      uploads.push({
        ...base,
        id: uid(),
        kind: 'reupload',
        originalId: rng.pick(catalogOriginals),
        musicId: rng.pick(fromCatalog ? catalogMusic : otherMusic).id,
        ratioDb,
        transform: REUPLOAD_TRANSFORMS[(i + RATIOS.indexOf(ratioDb)) % REUPLOAD_TRANSFORMS.length],
        bitrateKbps: bitrate(rng, i),
      });
    }
  }
  for (const transform of TRANSFORMS) {
    for (let i = 0; i < o.cleanPerTransform; i++) {
      uploads.push({
        ...base,
        id: uid(),
        kind: 'clean_reupload',
        originalId: rng.pick(catalogOriginals),
        transform,
        bitrateKbps: bitrate(rng, i),
      });
    }
  }
  for (let i = 0; i < o.newWorks; i++) {
    const work: OriginalSpec = { id: id(originals.length + 1), inCatalog: false };
    originals.push(work);
    // Ratio cycles fastest; catalog/unknown music and bitrate cycle per round of ratios, so neither
    // is tied to one ratio.
    const round = Math.floor(i / RATIOS.length);
    uploads.push({
      ...base,
      id: uid(),
      kind: 'new_work',
      originalId: work.id,
      musicId: rng.pick(round % 2 === 0 ? catalogMusic : otherMusic).id,
      ratioDb: RATIOS[i % RATIOS.length],
      transform: REUPLOAD_TRANSFORMS[i % REUPLOAD_TRANSFORMS.length],
      bitrateKbps: bitrate(rng, round),
    });
  }
  for (let i = 0; i < o.edgePerCase; i++) {
    const silent: OriginalSpec = { id: id(originals.length + 1), inCatalog: false, silent: true };
    originals.push(silent);
    uploads.push({
      ...base,
      id: uid(),
      kind: 'edge',
      edgeCase: 'silent_ost',
      originalId: silent.id,
      musicId: rng.pick(catalogMusic).id,
      transform: 'none',
      bitrateKbps: 256,
    });
    uploads.push({
      ...base,
      seconds: 3,
      id: uid(),
      kind: 'edge',
      edgeCase: 'very_short',
      originalId: rng.pick(catalogOriginals),
      musicId: rng.pick(catalogMusic).id,
      ratioDb: 0,
      transform: 'none',
      bitrateKbps: 256,
    });
    uploads.push({
      ...base,
      hasAudio: false,
      id: uid(),
      kind: 'edge',
      edgeCase: 'no_audio',
      originalId: rng.pick(catalogOriginals),
      transform: 'none',
      bitrateKbps: 0,
    });
  }
  // Identification must also hold with the music 10 dB under the OST; appended last so earlier ids keep.
  for (let i = 0; i < o.quietMusic; i++) {
    uploads.push({
      ...base,
      id: uid(),
      kind: 'reupload',
      originalId: rng.pick(catalogOriginals),
      musicId: rng.pick(catalogMusic).id,
      ratioDb: 10,
      transform: REUPLOAD_TRANSFORMS[i % REUPLOAD_TRANSFORMS.length],
      bitrateKbps: bitrate(rng, i),
    });
  }
  return { originals, uploads };
}
