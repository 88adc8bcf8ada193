// Small media files synthesised with the real ffmpeg CLI, for tests of the media layer.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'undub-media-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args]);
}

/** A clip from lavfi sources: moving test pattern and a tone, the soundtrack in file `audio`, or no audio. */
export function makeVideo(
  file: string,
  opts: { seconds: number; audio?: boolean | string; size?: string; source?: string },
) {
  const size = opts.size ?? '320x180';
  const src = opts.source ?? `testsrc2=size=${size}:rate=25`;
  const args = ['-f', 'lavfi', '-i', `${src}:duration=${opts.seconds}`];
  if (typeof opts.audio === 'string') args.push('-i', opts.audio);
  else if (opts.audio !== false)
    args.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=44100:duration=${opts.seconds}`);
  args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p');
  if (opts.audio !== false) args.push('-c:a', 'aac', '-b:a', '128k', '-shortest');
  ffmpeg([...args, file]);
}

export function makeTone(file: string, opts: { seconds: number; frequency?: number; sampleRate?: number }) {
  const sr = opts.sampleRate ?? 44100;
  ffmpeg([
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=${opts.frequency ?? 440}:sample_rate=${sr}:duration=${opts.seconds}`,
    file,
  ]);
}

/** Keeps the first fraction of a file's bytes, as an interrupted upload would. */
export function truncate(src: string, dst: string, fraction: number): void {
  const bytes = readFileSync(src);
  writeFileSync(dst, bytes.subarray(0, Math.floor(bytes.length * fraction)));
}
