// Content-addressed files under <dataDir>/media: <sha256[0:2]>/<sha256>. Writes go to a temporary
// file first and are renamed into place, so a reader never sees a partial object.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StorageError, type ByteRange, type MediaStorage, type StoredObject } from './types';

const KEY = /^[0-9a-f]{64}$/;

export class LocalStorage implements MediaStorage {
  constructor(readonly root: string) {}

  path(key: string): string {
    if (!KEY.test(key))
      throw new StorageError('STORAGE_INVALID_KEY', `not a storage key: ${JSON.stringify(key)}`);
    return path.join(this.root, key.slice(0, 2), key);
  }

  async put(source: Readable | Buffer | { file: string }): Promise<StoredObject> {
    const input =
      source instanceof Readable
        ? source
        : Buffer.isBuffer(source)
          ? Readable.from([source])
          : createReadStream(source.file);
    const tmp = path.join(this.root, 'tmp', `${process.pid}-${randomBytes(6).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await mkdir(path.dirname(tmp), { recursive: true });
      await pipeline(input, measure, createWriteStream(tmp));
      const sha256 = hash.digest('hex');
      const target = this.path(sha256);
      await mkdir(path.dirname(target), { recursive: true });
      // Same content stored before: rename replaces it with identical bytes.
      await rename(tmp, target);
      return { key: sha256, sha256, size };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT')
        throw new StorageError(
          'STORAGE_FULL',
          `no space left for media under ${this.root}: free space or grow the volume`,
        );
      throw err;
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async stat(key: string): Promise<{ size: number } | null> {
    const info = await stat(this.path(key)).catch(() => null);
    return info ? { size: info.size } : null;
  }

  async createReadStream(key: string, range?: ByteRange): Promise<Readable> {
    const info = await this.stat(key);
    if (!info) throw new StorageError('STORAGE_NOT_FOUND', `no stored object ${key}`);
    if (range) {
      const end = range.end ?? info.size - 1;
      if (range.start < 0 || range.start > end || end >= info.size)
        throw new StorageError(
          'STORAGE_RANGE_INVALID',
          `range ${range.start}-${range.end ?? ''} is outside object ${key} (${info.size} bytes)`,
        );
      return createReadStream(this.path(key), { start: range.start, end });
    }
    return createReadStream(this.path(key));
  }

  async get(key: string): Promise<Buffer> {
    return readFile(this.path(key)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw new StorageError('STORAGE_NOT_FOUND', `no stored object ${key}`);
      throw err;
    });
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }
}
