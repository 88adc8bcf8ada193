// Media storage: content-addressed blobs (key = sha256 of the bytes). Callers use only this
// interface, so an S3-compatible store can replace the local one without touching them.
import type { Readable } from 'node:stream';

export interface StoredObject {
  /** Storage key; equal to the sha256 for content-addressed stores. */
  key: string;
  sha256: string;
  size: number;
}

/** Inclusive byte range, like HTTP's Range header. */
export interface ByteRange {
  start: number;
  end?: number;
}

export interface MediaStorage {
  /** Stores bytes from a stream, a Buffer, or a local file path; storing the same bytes twice keeps one copy. */
  put(source: Readable | Buffer | { file: string }): Promise<StoredObject>;
  /** Size of a stored object, or null when the key is unknown. */
  stat(key: string): Promise<{ size: number } | null>;
  /** Reads an object, whole or a byte range. Throws STORAGE_NOT_FOUND for an unknown key. */
  createReadStream(key: string, range?: ByteRange): Promise<Readable>;
  /** The whole object in memory (small objects). */
  get(key: string): Promise<Buffer>;
  /** A local file path for tools that need one (ffmpeg); undefined for remote stores. */
  path?(key: string): string;
  /** Removes an object; removing a missing one is not an error. */
  delete(key: string): Promise<void>;
}

export type StorageErrorCode =
  | 'STORAGE_NOT_FOUND'
  | 'STORAGE_INVALID_KEY'
  | 'STORAGE_RANGE_INVALID'
  /** The volume under the store is full (or over quota); nothing was stored, retry once space is freed. */
  | 'STORAGE_FULL';

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}
