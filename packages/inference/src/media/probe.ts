// Container and stream facts from ffprobe, plus the checks every ingest applies before decoding.
import { stat } from 'node:fs/promises';
import ffmpeg from 'fluent-ffmpeg';
import { MediaError, mediaErrorFromFfmpeg } from './errors';

export interface AudioStreamInfo {
  codec: string;
  sampleRate: number;
  channels: number;
}

export interface VideoStreamInfo {
  codec: string;
  width: number;
  height: number;
  fps: number;
  /** Display rotation in degrees (phone videos store portrait as rotated landscape). */
  rotation: number;
}

export interface MediaInfo {
  container: string;
  durationSeconds: number;
  sizeBytes: number;
  audio?: AudioStreamInfo;
  video?: VideoStreamInfo;
}

export async function probeMedia(file: string): Promise<MediaInfo> {
  const size = await stat(file).then(
    (s) => s.size,
    () => {
      throw new MediaError('MEDIA_NOT_FOUND', `${file} does not exist`);
    },
  );
  if (size === 0) throw new MediaError('MEDIA_EMPTY', `${file} is an empty file`);
  const data = await new Promise<ffmpeg.FfprobeData>((resolve, reject) => {
    ffmpeg.ffprobe(file, (err: Error | null, out) => {
      if (err) reject(mediaErrorFromFfmpeg(file, err.message));
      else resolve(out);
    });
  });
  // ffprobe reads any text file as an ANSI-art "video"; that is not media.
  if (data.format.format_name === 'tty')
    throw new MediaError('MEDIA_UNREADABLE', `${file} is not a media file (text)`);
  const a = data.streams.find((s) => s.codec_type === 'audio');
  const v = data.streams.find((s) => s.codec_type === 'video' && !isCoverArt(s));
  const duration = Number(data.format.duration);
  const info: MediaInfo = {
    container: data.format.format_name ?? 'unknown',
    durationSeconds: Number.isFinite(duration) ? duration : streamDuration(a ?? v),
    sizeBytes: size,
  };
  if (a) {
    info.audio = {
      codec: a.codec_name ?? 'unknown',
      sampleRate: Number(a.sample_rate),
      channels: a.channels ?? 1,
    };
  }
  if (v) {
    info.video = {
      codec: v.codec_name ?? 'unknown',
      width: v.width ?? 0,
      height: v.height ?? 0,
      fps: parseRate(v.avg_frame_rate) || parseRate(v.r_frame_rate),
      rotation: rotationOf(v),
    };
  }
  return info;
}

export interface MediaRequirements {
  audio?: boolean;
  video?: boolean;
  maxDurationSeconds?: number;
}

/** Throws the MediaError an ingest must report for media that cannot be used. */
export function assertUsable(file: string, info: MediaInfo, req: MediaRequirements): void {
  if (!info.audio && !info.video)
    throw new MediaError('MEDIA_UNREADABLE', `${file} has no audio or video stream`);
  if (req.audio && !info.audio) throw new MediaError('MEDIA_NO_AUDIO', `${file} has no audio track`);
  if (req.video && !info.video) throw new MediaError('MEDIA_NO_VIDEO', `${file} has no video track`);
  if (!(info.durationSeconds > 0.05))
    throw new MediaError('MEDIA_EMPTY', `${file} has no content (0 seconds)`);
  if (req.maxDurationSeconds !== undefined && info.durationSeconds > req.maxDurationSeconds) {
    throw new MediaError(
      'MEDIA_TOO_LONG',
      `${file} lasts ${info.durationSeconds.toFixed(1)} s, longer than the allowed ${req.maxDurationSeconds} s`,
    );
  }
}

function isCoverArt(s: ffmpeg.FfprobeStream): boolean {
  return (s.disposition as Record<string, number> | undefined)?.attached_pic === 1;
}

function streamDuration(s: ffmpeg.FfprobeStream | undefined): number {
  const d = Number(s?.duration);
  return Number.isFinite(d) ? d : 0;
}

function parseRate(r: string | undefined): number {
  if (!r) return 0;
  const [n, d] = r.split('/').map(Number);
  return d ? n / d : n || 0;
}

function rotationOf(s: ffmpeg.FfprobeStream): number {
  const tag = Number((s.tags as Record<string, string> | undefined)?.rotate);
  if (Number.isFinite(tag) && tag) return ((tag % 360) + 360) % 360;
  const side = (s as { side_data_list?: { rotation?: number }[] }).side_data_list?.find(
    (d) => d.rotation !== undefined,
  );
  return side?.rotation ? ((-side.rotation % 360) + 360) % 360 : 0;
}
