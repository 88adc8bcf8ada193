// Runs a fluent-ffmpeg command and hands its raw output back: as a stream of bytes from a pipe, or in one
// piece from a temporary file. ffmpeg's stderr is kept so a failure (or a decode that "succeeded" on a
// cut-off file) maps to a MediaError.
import type { FfmpegCommand } from 'fluent-ffmpeg';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { mediaErrorFromFfmpeg } from './errors';

/** ffmpeg's stderr and the error it ended with, once it has ended. */
function watch(file: string, command: FfmpegCommand, onError: () => void) {
  const state = { stderr: '', failure: undefined as Error | undefined };
  const finished = new Promise<void>((resolve) => {
    command
      .on('stderr', (line: string) => {
        if (state.stderr.length < 64_000) state.stderr += line + '\n';
      })
      .on('error', (err: Error, _stdout: string | null, errText: string | null) => {
        state.failure = mediaErrorFromFfmpeg(file, `${errText ?? state.stderr}\n${err.message}`);
        onError();
        resolve();
      })
      .on('end', () => resolve());
  });
  return { state, finished };
}

function checkEnded(file: string, state: { stderr: string; failure?: Error }): void {
  if (state.failure) throw state.failure;
  // ffmpeg exits 0 on many cut-off files; its stderr still says so.
  if (/partial file|moov atom not found|Invalid NAL unit size|error while decoding/i.test(state.stderr)) {
    throw mediaErrorFromFfmpeg(file, state.stderr);
  }
}

export async function* pipeOutput(file: string, command: FfmpegCommand): AsyncGenerator<Buffer> {
  // No 'close' event: fluent-ffmpeg treats it as a failure when it beats ffmpeg's exit (a race under load).
  const out = new PassThrough({ highWaterMark: 1 << 20, emitClose: false });
  const { state, finished } = watch(file, command, () => out.end());
  command.pipe(out, { end: true });
  try {
    for await (const chunk of out) yield chunk as Buffer;
    await finished;
  } finally {
    // Leaving early (consumer stopped): stop ffmpeg instead of letting it block on a full pipe.
    if (!state.failure) command.kill('SIGKILL');
  }
  checkEnded(file, state);
}

/**
 * The command's whole output, written by ffmpeg to a temporary file. Unlike a pipe, ffmpeg never waits
 * for this process to read: it keeps decoding while the event loop is busy with long synchronous work
 * (the pipeline decodes frames while it removes music).
 */
export async function fileOutput(file: string, command: FfmpegCommand, extension: string): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'undub-ffmpeg-'));
  try {
    const target = join(dir, `out.${extension}`);
    const { state, finished } = watch(file, command, () => {});
    command.save(target);
    await finished;
    checkEnded(file, state);
    return await readFile(target);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
