import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage, type MediaStorage } from '../src/storage';

describe('local content-addressed storage', () => {
  let dir: string;
  let storage: MediaStorage;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'undub-storage-'));
    storage = createStorage({ dataDir: dir });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const body = 'the quick brown fox jumps over the lazy dog';
  const sha = createHash('sha256').update(body).digest('hex');

  it('stores a stream under its sha256 and reads it back whole and by range', async () => {
    const stored = await storage.put(
      Readable.from([Buffer.from(body.slice(0, 10)), Buffer.from(body.slice(10))]),
    );
    expect(stored).toEqual({ key: sha, sha256: sha, size: body.length });
    expect((await storage.get(sha)).toString()).toBe(body);
    expect(await text(await storage.createReadStream(sha, { start: 4, end: 8 }))).toBe('quick');
    expect(await text(await storage.createReadStream(sha, { start: 40 }))).toBe('dog');
    expect(storage.path?.(sha)).toBe(path.join(dir, 'media', sha.slice(0, 2), sha));
  });

  it('keeps one copy of identical content from a buffer and from a file', async () => {
    const file = path.join(dir, 'input.txt');
    await writeFile(file, body);
    expect((await storage.put(Buffer.from(body))).key).toBe(sha);
    expect((await storage.put({ file })).key).toBe(sha);
    expect(await readdir(path.join(dir, 'media', sha.slice(0, 2)))).toEqual([sha]);
    expect(await readdir(path.join(dir, 'media', 'tmp'))).toEqual([]);
  });

  it('reports unknown keys, bad keys and bad ranges with codes', async () => {
    const missing = '0'.repeat(64);
    expect(await storage.stat(missing)).toBeNull();
    await expect(storage.get(missing)).rejects.toMatchObject({ code: 'STORAGE_NOT_FOUND' });
    await expect(storage.createReadStream(missing)).rejects.toMatchObject({ code: 'STORAGE_NOT_FOUND' });
    await expect(storage.get('../../etc/passwd')).rejects.toMatchObject({ code: 'STORAGE_INVALID_KEY' });
    await expect(storage.createReadStream(sha, { start: 5, end: 1000 })).rejects.toMatchObject({
      code: 'STORAGE_RANGE_INVALID',
    });
  });

  it('leaves no temporary file when the source stream fails', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('network gone'));
      },
    });
    await expect(storage.put(failing)).rejects.toThrow('network gone');
    expect(await readdir(path.join(dir, 'media', 'tmp'))).toEqual([]);
  });

  it('deletes, and deleting again is fine', async () => {
    await storage.delete(sha);
    expect(await storage.stat(sha)).toBeNull();
    await storage.delete(sha);
  });

  // A real full volume: a 256 KiB tmpfs (mounting needs root, which CI has).
  it.skipIf(process.getuid?.() !== 0)(
    'refuses with STORAGE_FULL on a full volume and keeps nothing',
    async () => {
      const volume = await mkdtemp(path.join(os.tmpdir(), 'undub-full-'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', volume]);
      try {
        const small = createStorage({ dataDir: volume });
        await expect(small.put(Buffer.alloc(1 << 20, 7))).rejects.toMatchObject({ code: 'STORAGE_FULL' });
        expect(await readdir(path.join(volume, 'media', 'tmp'))).toEqual([]);
        // The failed write freed its space: a small object fits again.
        const ok = await small.put(Buffer.from(body));
        expect(ok.sha256).toBe(sha);
      } finally {
        execFileSync('umount', [volume]);
        await rm(volume, { recursive: true, force: true });
      }
    },
  );
});
