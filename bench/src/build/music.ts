// Music tracks: eval-split files decoded (or MIDI rendered) to 48 kHz stereo wav, split into the catalog
// and the "unknown music" pool.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { decodeAudio, probeDuration } from '../ffmpeg';
import type { MusicTrack } from '../manifest';
import { writeWav } from '../wav';
import type { SourceFile } from './sources';

const SOUNDFONT = '/usr/share/sounds/sf2/FluidR3_GM.sf2';
const MIN_SECONDS = 30;
/**
 * Eval tracks built from another eval track's material: call_of_the_winding_path plays shallow-green's
 * loops again and again (most of its 10 s excerpts match shallow-green at confidence 1); aftermath_track18
 * carries passages of aftermath_track22's recording (waveform correlation 0.39 where they meet, 0.05
 * elsewhere; the pipeline's waveform check names aftermath_track22 for about one in ten of its
 * excerpts). To a fingerprint they are one work, so each is left out like the other versions
 * (sources.ts crossSplitVersions): otherwise it would be "music not in the catalog" that the catalog
 * does contain.
 */
const SAME_WORK_AS: Record<string, string> = {
  'm-supertux-call_of_the_winding_path': 'm-supertux-shallow_green',
  'm-warzone2100-aftermath_track18': 'm-warzone2100-aftermath_track22',
};

export function musicId(src: SourceFile): string {
  const name = basename(src.key)
    .replace(/\.[^.]+$/, '')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toLowerCase();
  const album = src.key.includes('/albums/') ? `${src.key.split('/').at(-2)?.split('_')[0]}_` : '';
  return `m-${src.package.split('-')[0]}-${album}${name}`;
}

/** Deterministic catalog membership: the lowest-hashing share of tracks goes to the catalog. */
export function assignCatalog(ids: string[], seed: number, share: number): Set<string> {
  const ranked = [...ids].sort((a, b) => hashOf(seed, a) - hashOf(seed, b));
  return new Set(ranked.slice(0, Math.round(ids.length * share)));
}

function hashOf(seed: number, id: string): number {
  return parseInt(createHash('sha1').update(`${seed}:${id}`).digest('hex').slice(0, 8), 16);
}

function renderMidi(mid: string, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      'fluidsynth',
      ['-ni', '-q', '-g', '0.6', '-r', '48000', '-F', out, '-T', 'wav', SOUNDFONT, mid],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`BENCH_FLUIDSYNTH: ${mid}: ${err.slice(-500)}`)),
    );
  });
}

/**
 * Writes music/<id>.wav for one source (kept if it exists); returns undefined for tracks too short to use
 * and for another version of a work already used (SAME_WORK_AS).
 */
export async function buildMusicTrack(
  src: SourceFile,
  sourcesRoot: string,
  dataDir: string,
  inCatalog: boolean,
): Promise<MusicTrack | undefined> {
  const id = musicId(src);
  if (SAME_WORK_AS[id]) return undefined;
  const rel = `music/${id}.wav`;
  const out = join(dataDir, rel);
  await mkdir(join(dataDir, 'music'), { recursive: true });
  if (!existsSync(out)) {
    const input = join(sourcesRoot, src.key);
    if (src.key.endsWith('.mid')) {
      const raw = `${out}.midi.wav`;
      await renderMidi(input, raw);
      // Re-read through ffmpeg to trim the synthesiser's trailing silence and normalise the format.
      const pcm = await decodeAudio(raw, {
        filters: 'areverse,silenceremove=start_periods=1:start_threshold=-60dB,areverse',
      });
      await writeWav(out, { sampleRate: 48000, channels: pcm });
      await rm(raw);
    } else {
      await writeWav(out, { sampleRate: 48000, channels: await decodeAudio(input) });
    }
  }
  const durationSeconds = await probeDuration(out);
  if (durationSeconds < MIN_SECONDS) return undefined;
  return {
    id,
    file: rel,
    source: src.key,
    package: src.package,
    split: src.split,
    inCatalog,
    durationSeconds,
  };
}
