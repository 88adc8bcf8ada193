// Stable error codes for separation input and model problems.

export type SeparationErrorCode = 'SEPARATION_BAD_INPUT' | 'SEPARATION_MODEL_MISSING';

export class SeparationError extends Error {
  constructor(
    readonly code: SeparationErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SeparationError';
  }
}

/** Throws SEPARATION_BAD_INPUT unless `channels` is a non-empty list of equal-length Float32Arrays at a usable rate. */
export function checkAudio(channels: Float32Array[], sampleRate: number): void {
  if (!Array.isArray(channels) || channels.length === 0) {
    throw new SeparationError('SEPARATION_BAD_INPUT', 'audio must have at least one channel');
  }
  if (!Number.isFinite(sampleRate) || sampleRate < 4000 || sampleRate > 384000) {
    throw new SeparationError('SEPARATION_BAD_INPUT', `sample rate ${sampleRate} is outside 4000..384000 Hz`);
  }
  const n = channels[0].length;
  for (const c of channels) {
    if (!(c instanceof Float32Array))
      throw new SeparationError('SEPARATION_BAD_INPUT', 'channels must be Float32Array');
    if (c.length !== n) throw new SeparationError('SEPARATION_BAD_INPUT', 'channels differ in length');
  }
}
