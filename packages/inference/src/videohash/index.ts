// Perceptual video hashes: per-frame DCT hashes (and their mirror images) sampled a few times a second,
// matched as sequences with a time offset and a speed tolerance.
import { decodeFrames } from '../media';
import { hashFrames, type FrameHashes } from './sequence';

export * from './phash';
export * from './sequence';

/** Frames per second hashed, and the size frames are decoded at before hashing. */
export const HASH_FPS = 4;
export const DECODE_WIDTH = 64;
export const DECODE_HEIGHT = 64;

/** Decodes and hashes a video file's picture. */
export async function hashVideoFile(
  file: string,
  opts: { startSeconds?: number; durationSeconds?: number } = {},
): Promise<FrameHashes> {
  const decoded = await decodeFrames(file, {
    fps: HASH_FPS,
    width: DECODE_WIDTH,
    height: DECODE_HEIGHT,
    ...opts,
  });
  return hashFrames(decoded);
}
