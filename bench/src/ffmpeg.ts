// ffmpeg as a child process: benchmark build tooling and run-time decoding of benchmark files.
import { spawn } from 'node:child_process';

/** Runs ffmpeg; resolves with stdout, rejects with the tail of stderr. */
export function ffmpeg(args: string[], stdin?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const proc = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], {
      stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    proc.stdout?.on('data', (d: Buffer) => out.push(d));
    proc.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`BENCH_FFMPEG: ffmpeg ${args.join(' ')} exited ${code}: ${err.trim()}`));
    });
    if (stdin && proc.stdin) {
      proc.stdin.on('error', () => undefined);
      proc.stdin.end(stdin);
    }
  });
}

/**
 * Decodes (and optionally filters) any media file's audio to float PCM, one array per channel.
 * `filters` is an ffmpeg -af chain applied before resampling to the target format.
 */
export async function decodeAudio(
  file: string,
  opts: { sampleRate?: number; channels?: number; filters?: string; start?: number; duration?: number } = {},
): Promise<Float32Array[]> {
  const sampleRate = opts.sampleRate ?? 48000;
  const count = opts.channels ?? 2;
  const args: string[] = [];
  if (opts.start !== undefined) args.push('-ss', String(opts.start));
  if (opts.duration !== undefined) args.push('-t', String(opts.duration));
  args.push('-i', file, '-vn');
  if (opts.filters) args.push('-af', opts.filters);
  args.push('-ac', String(count), '-ar', String(sampleRate), '-f', 'f32le', '-c:a', 'pcm_f32le', 'pipe:1');
  const raw = await ffmpeg(args);
  const usable = raw.length - (raw.length % 4);
  // Copy: a pooled Buffer's offset need not be 4-byte aligned.
  const interleaved = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + usable));
  const frames = Math.floor(interleaved.length / count);
  const out = Array.from({ length: count }, () => new Float32Array(frames));
  for (let i = 0, o = 0; i < frames; i++) for (let c = 0; c < count; c++) out[c][i] = interleaved[o++];
  return out;
}

export async function probeDuration(file: string): Promise<number> {
  const text = await new Promise<string>((resolve, reject) => {
    const proc = spawn('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'format=duration',
      '-of',
      'csv=p=0',
      file,
    ]);
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`BENCH_FFPROBE: ${file}`))));
  });
  return Number.parseFloat(text);
}
