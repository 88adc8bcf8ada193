// Runs an fluent-ffmpeg command whose output goes to a pipe, and yields the raw bytes as they arrive.
// ffmpeg's stderr is kept so a failure (or a decode that "succeeded" on a cut-off file) maps to a MediaError.
import type { FfmpegCommand } from 'fluent-ffmpeg';
import { PassThrough } from 'node:stream';
import { mediaErrorFromFfmpeg } from './errors';

export async function* pipeOutput(file: string, command: FfmpegCommand): AsyncGenerator<Buffer> {
  // No 'close' event: fluent-ffmpeg treats it as a failure when it beats ffmpeg's exit (a race under load).
  const out = new PassThrough({ highWaterMark: 1 << 20, emitClose: false });
  let stderr = '';
  let failure: Error | undefined;
  const finished = new Promise<void>((resolve) => {
    command
      .on('stderr', (line: string) => {
        if (stderr.length < 64_000) stderr += line + '\n';
      })
      .on('error', (err: Error, _stdout: string | null, errText: string | null) => {
        failure = mediaErrorFromFfmpeg(file, `${errText ?? stderr}\n${err.message}`);
        out.end();
        resolve();
      })
      .on('end', () => resolve());
  });
  command.pipe(out, { end: true });
  try {
    for await (const chunk of out) yield chunk as Buffer;
    await finished;
  } finally {
    // Leaving early (consumer stopped): stop ffmpeg instead of letting it block on a full pipe.
    if (!failure) command.kill('SIGKILL');
  }
  if (failure) throw failure;
  // ffmpeg exits 0 on many cut-off files; its stderr still says so.
  if (/partial file|moov atom not found|Invalid NAL unit size|error while decoding/i.test(stderr)) {
    throw mediaErrorFromFfmpeg(file, stderr);
  }
}
