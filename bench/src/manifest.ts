// The development benchmark's manifest (.bench/dev/manifest.json); bench/README.md documents each field.
import { readFile } from 'node:fs/promises';
import type { Split } from './split';

export type Transform = 'none' | 'rescale540' | 'crop10' | 'mirror' | 'brightness' | 'speed+3' | 'speed-3';
export type UploadKind = 'reupload' | 'clean_reupload' | 'new_work' | 'edge';
export type EdgeCase = 'silent_ost' | 'very_short' | 'no_audio';
export type Verdict = 'reupload' | 'original';

export interface BuildOptions {
  seed: number;
  originals: number;
  catalogShare: number;
  reuploadsPerRatio: number;
  cleanPerTransform: number;
  newWorks: number;
  edgePerCase: number;
  quietMusic: number;
  excerpts: number;
  uploadSeconds: number;
}

export interface MusicTrack {
  id: string;
  file: string;
  source: string;
  package: string;
  split: Split;
  inCatalog: boolean;
  durationSeconds: number;
}

export interface OriginalWork {
  id: string;
  title: string;
  video: string;
  ost: string;
  split: 'eval';
  inCatalog: boolean;
  hasOriginalMusic: boolean;
  originalMusicId?: string;
  /** Wav of the work's own music as it sits in `ost` (same gain and timing). */
  originalMusic?: string;
  durationSeconds: number;
  width: number;
  height: number;
  fps: number;
  speech: { source: string; start: number; end: number }[];
  ambient: string[];
}

export interface Upload {
  id: string;
  file: string;
  kind: UploadKind;
  edgeCase?: EdgeCase;
  originalId?: string;
  originalStart?: number;
  musicId?: string;
  musicInCatalog: boolean;
  ratioDb?: number;
  transform: Transform;
  bitrateKbps: number;
  speed: number;
  durationSeconds: number;
  hasAudio: boolean;
  ost?: string;
  bgm?: string;
  musicStart?: number;
  musicEnd?: number;
  musicRefStart?: number;
  hasOriginalMusic: boolean;
  /** Wav of the original's own music inside `ost`, aligned to the upload (before the upload's AAC). */
  originalMusic?: string;
  expectedVerdict: Verdict;
  ceilingSiSdr?: number;
}

export interface MusicExcerpt {
  id: string;
  musicId: string;
  start: number;
  duration: number;
}

export interface Manifest {
  version: 1;
  seed: number;
  sampleRate: 48000;
  options: BuildOptions;
  music: MusicTrack[];
  originals: OriginalWork[];
  uploads: Upload[];
  musicExcerpts: MusicExcerpt[];
}

export async function loadManifest(file: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new Error(`BENCH_NO_MANIFEST: ${file} not found; run \`npm run bench:build\` first`);
  }
  const manifest = JSON.parse(text) as Manifest;
  if (manifest.version !== 1)
    throw new Error(`BENCH_MANIFEST_VERSION: unsupported version ${manifest.version}`);
  return manifest;
}
