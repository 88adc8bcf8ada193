// Audio decoding to planar Float32 PCM at a chosen rate and channel count, streamed in chunks.
import ffmpeg from 'fluent-ffmpeg';
import { MediaError } from './errors';
import { pipeOutput } from './run';

export interface DecodeAudioOptions {
  sampleRate: number;
  channels: number;
  startSeconds?: number;
  durationSeconds?: number;
  /** Samples per channel per chunk for decodeAudioChunks (default: 10 s). */
  chunkSamples?: number;
}

function audioCommand(file: string, opts: DecodeAudioOptions): ffmpeg.FfmpegCommand {
  const command = ffmpeg(file)
    .noVideo()
    .audioChannels(opts.channels)
    .audioFrequency(opts.sampleRate)
    .format('f32le')
    .outputOptions(['-map', '0:a:0', '-sn', '-dn']);
  if (opts.startSeconds) command.seekInput(opts.startSeconds);
  if (opts.durationSeconds !== undefined) command.duration(opts.durationSeconds);
  return command;
}

/** Interleaved samples `from` (a whole number of frames) into planar `out` at frame `at`. */
function deinterleave(from: Float32Array, out: Float32Array[], at: number): void {
  const channels = out.length;
  const n = from.length / channels;
  if (channels === 1) {
    out[0].set(from, at);
    return;
  }
  for (let c = 0; c < channels; c++) {
    const dst = out[c];
    for (let i = 0, k = c; i < n; i++, k += channels) dst[at + i] = from[k];
  }
}

/**
 * Streams ffmpeg's interleaved output through one reused staging buffer of `chunkFrames` frames
 * (aligned, so it is read as floats in place): `onFrames` gets each full staging buffer and the last
 * part, and must use it before returning. Returns the number of frames.
 */
async function streamFrames(
  file: string,
  opts: DecodeAudioOptions,
  chunkFrames: number,
  onFrames: (interleaved: Float32Array) => void | Promise<void>,
): Promise<number> {
  const frameBytes = 4 * opts.channels;
  const staging = new Float32Array(chunkFrames * opts.channels);
  const bytes = Buffer.from(staging.buffer);
  let filled = 0;
  let total = 0;
  for await (const buf of pipeOutput(file, audioCommand(file, opts))) {
    let offset = 0;
    while (offset < buf.length) {
      const take = Math.min(buf.length - offset, bytes.length - filled);
      buf.copy(bytes, filled, offset, offset + take);
      filled += take;
      offset += take;
      if (filled === bytes.length) {
        await onFrames(staging);
        total += chunkFrames;
        filled = 0;
      }
    }
  }
  const frames = Math.floor(filled / frameBytes);
  if (frames > 0) await onFrames(staging.subarray(0, frames * opts.channels));
  return total + frames;
}

/** Calls onChunk with successive planar chunks; only one chunk is held in memory at a time. */
export async function decodeAudioChunks(
  file: string,
  opts: DecodeAudioOptions,
  onChunk: (channels: Float32Array[]) => void | Promise<void>,
): Promise<number> {
  const chunkSamples = opts.chunkSamples ?? opts.sampleRate * 10;
  return streamFrames(file, opts, chunkSamples, async (interleaved) => {
    // The chunk handed out is its own: the staging buffer is reused.
    const planar = Array.from(
      { length: opts.channels },
      () => new Float32Array(interleaved.length / opts.channels),
    );
    deinterleave(interleaved, planar, 0);
    await onChunk(planar);
  });
}

/**
 * Decodes the whole (or the selected part of the) audio track into memory. Samples go straight into
 * the output (sized by the duration asked for, else grown by doubling): fresh memory is slow to touch
 * on this machine, and the chunked copies it replaced cost twice the decode itself on long tracks.
 */
export async function decodeAudio(file: string, opts: DecodeAudioOptions): Promise<Float32Array[]> {
  const expected = opts.durationSeconds !== undefined ? Math.ceil(opts.durationSeconds * opts.sampleRate) : 0;
  let out = Array.from(
    { length: opts.channels },
    () => new Float32Array(Math.max(expected, opts.sampleRate)),
  );
  let at = 0;
  const total = await streamFrames(file, opts, 1 << 16, (interleaved) => {
    const n = interleaved.length / opts.channels;
    if (at + n > out[0].length) {
      const grown = out.map(() => new Float32Array(Math.max(2 * out[0].length, at + n)));
      grown.forEach((g, c) => g.set(out[c].subarray(0, at)));
      out = grown;
    }
    deinterleave(interleaved, out, at);
    at += n;
  });
  if (total === 0) throw new MediaError('MEDIA_EMPTY', `${file} decodes to no audio samples`);
  // Views, not copies: pages past the end were never touched, so they cost no memory.
  return out.map((c) => c.subarray(0, total));
}
