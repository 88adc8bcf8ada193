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

/** Calls onChunk with successive planar chunks; only one chunk is held in memory at a time. */
export async function decodeAudioChunks(
  file: string,
  opts: DecodeAudioOptions,
  onChunk: (channels: Float32Array[]) => void | Promise<void>,
): Promise<number> {
  const { sampleRate, channels } = opts;
  const chunkSamples = opts.chunkSamples ?? sampleRate * 10;
  const command = ffmpeg(file)
    .noVideo()
    .audioChannels(channels)
    .audioFrequency(sampleRate)
    .format('f32le')
    .outputOptions(['-map', '0:a:0', '-sn', '-dn']);
  if (opts.startSeconds) command.seekInput(opts.startSeconds);
  if (opts.durationSeconds !== undefined) command.duration(opts.durationSeconds);

  const frameBytes = 4 * channels;
  let pending = Buffer.alloc(chunkSamples * frameBytes);
  let filled = 0;
  let total = 0;
  const flush = async (bytes: number) => {
    const n = bytes / frameBytes;
    const view = new Float32Array(pending.buffer, pending.byteOffset, n * channels);
    const planar = Array.from({ length: channels }, () => new Float32Array(n));
    for (let i = 0, k = 0; i < n; i++) for (let c = 0; c < channels; c++) planar[c][i] = view[k++];
    total += n;
    await onChunk(planar);
  };
  for await (const buf of pipeOutput(file, command)) {
    let offset = 0;
    while (offset < buf.length) {
      const take = Math.min(buf.length - offset, pending.length - filled);
      buf.copy(pending, filled, offset, offset + take);
      filled += take;
      offset += take;
      if (filled === pending.length) {
        await flush(filled);
        pending = Buffer.alloc(pending.length); // the chunk handed out must not be overwritten
        filled = 0;
      }
    }
  }
  const whole = filled - (filled % frameBytes);
  if (whole > 0) await flush(whole);
  return total;
}

/** Decodes the whole (or the selected part of the) audio track into memory. */
export async function decodeAudio(file: string, opts: DecodeAudioOptions): Promise<Float32Array[]> {
  const parts: Float32Array[][] = [];
  const total = await decodeAudioChunks(file, opts, (c) => void parts.push(c));
  if (total === 0) throw new MediaError('MEDIA_EMPTY', `${file} decodes to no audio samples`);
  return Array.from({ length: opts.channels }, (_, c) => {
    const out = new Float32Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p[c], at);
      at += p[c].length;
    }
    return out;
  });
}
