// Stable error codes for bad media, so callers (CLI, API, worker) can report them without parsing messages.

export type MediaErrorCode =
  | 'MEDIA_NOT_FOUND'
  | 'MEDIA_UNREADABLE'
  | 'MEDIA_TRUNCATED'
  | 'MEDIA_NO_AUDIO'
  | 'MEDIA_NO_VIDEO'
  | 'MEDIA_EMPTY'
  | 'MEDIA_TOO_LONG'
  | 'MEDIA_ENCODE_FAILED';

export class MediaError extends Error {
  constructor(
    readonly code: MediaErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MediaError';
  }
}

/** Maps ffmpeg/ffprobe stderr to a MediaError: a cut-off file reads differently from garbage. */
export function mediaErrorFromFfmpeg(file: string, stderr: string): MediaError {
  const detail = lastMeaningfulLine(stderr);
  if (
    /moov atom not found|partial file|Invalid NAL unit size|unexpected end of file|End of file/i.test(stderr)
  ) {
    return new MediaError('MEDIA_TRUNCATED', `${file} is truncated or incomplete (${detail})`);
  }
  if (/Stream map '0:a:0' matches no streams/.test(stderr))
    return new MediaError('MEDIA_NO_AUDIO', `${file} has no audio track`);
  if (/Stream map '0:v:0' matches no streams/.test(stderr))
    return new MediaError('MEDIA_NO_VIDEO', `${file} has no video track`);
  if (/No such file or directory/i.test(stderr)) {
    return new MediaError('MEDIA_NOT_FOUND', `${file} does not exist`);
  }
  return new MediaError('MEDIA_UNREADABLE', `${file} is not a readable media file (${detail})`);
}

function lastMeaningfulLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^(ffmpeg|ffprobe) version|^built with|^configuration:|^lib\w+ +\d/.test(l));
  return lines.at(-1)?.slice(0, 200) ?? 'no detail';
}
