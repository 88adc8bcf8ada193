// Video decoding to small grayscale frames at a fixed rate (for perceptual hashing).
import ffmpeg from 'fluent-ffmpeg';
import { MediaError } from './errors';
import { fileOutput } from './run';

export interface DecodeFramesOptions {
  fps: number;
  width: number;
  height: number;
  startSeconds?: number;
  durationSeconds?: number;
}

export interface DecodedFrames {
  fps: number;
  width: number;
  height: number;
  /** One width*height 8-bit luma image per frame, row-major. */
  frames: Uint8Array[];
}

export async function decodeFrames(file: string, opts: DecodeFramesOptions): Promise<DecodedFrames> {
  const { fps, width, height } = opts;
  // Area averaging gives a stable small image; the fps filter picks frames on a fixed clock.
  // Hashes of a few small frames a second need neither B-frames nor the deblocking filter: skipping
  // them makes 720p H.264 decode about three times faster (the fps filter still keeps the clock).
  const command = ffmpeg(file)
    .inputOptions(['-skip_loop_filter', 'all', '-skip_frame', 'bidir'])
    .noAudio()
    .videoFilters([`fps=${fps}`, `scale=${width}:${height}:flags=area`, 'format=gray'])
    .format('rawvideo')
    .outputOptions(['-map', '0:v:0', '-sn', '-dn', '-pix_fmt', 'gray']);
  if (opts.startSeconds) command.seekInput(opts.startSeconds);
  if (opts.durationSeconds !== undefined) command.duration(opts.durationSeconds);
  // Written to a file, not a pipe: the caller may be busy for seconds while the frames decode.
  const raw = await fileOutput(file, command, 'gray');
  const size = width * height;
  const frames: Uint8Array[] = [];
  for (let offset = 0; offset + size <= raw.length; offset += size) {
    frames.push(new Uint8Array(raw.buffer, raw.byteOffset + offset, size));
  }
  if (frames.length === 0) throw new MediaError('MEDIA_EMPTY', `${file} decodes to no video frames`);
  return { fps, width, height, frames };
}
