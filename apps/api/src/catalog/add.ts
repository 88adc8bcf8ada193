// Adding catalog items: every check and all analysis happen before anything is written, and the rows
// go in one transaction, so bad input stores nothing.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { fingerprint, SAMPLE_RATE } from '@undub/inference/fingerprint';
import { assertUsable, decodeAudio, MediaError, probeMedia, type MediaInfo } from '@undub/inference/media';
import { hashVideoFile } from '@undub/inference/videohash';
import { pgTransaction, type Database } from '../db';
import type { MediaStorage, StoredObject } from '../storage';
import { catalogContext, type CatalogOptions } from './context';
import { CatalogError } from './errors';
import { compactIfDue, insertLandmarks, SOURCE_MUSIC, SOURCE_ORIGINAL } from './landmark-store';
import { insertVideoHashes } from './video-store';

export interface MusicInput {
  externalId: string;
  title: string;
  artist?: string;
}

export interface OriginalInput {
  externalId: string;
  title: string;
  owner?: string;
}

export interface AddedItem {
  kind: 'music' | 'original';
  externalId: string;
  title: string;
  durationSeconds: number;
  storageKey: string;
  landmarks: number;
  videoFrames?: number;
}

function checkIds(input: { externalId: string; title: string }): void {
  if (!input.externalId.trim())
    throw new CatalogError('CATALOG_BAD_INPUT', 'the catalog id must not be empty');
  if (!input.title.trim()) throw new CatalogError('CATALOG_BAD_INPUT', 'the title must not be empty');
}

/** Audio fingerprint of a file's first audio track, decoded at the fingerprint rate. */
async function fingerprintFile(file: string, info: MediaInfo) {
  const [mono] = await decodeAudio(file, { sampleRate: SAMPLE_RATE, channels: 1 });
  // A cut-off file can decode "successfully" but short: trust the container's duration.
  if (mono.length / SAMPLE_RATE < info.durationSeconds * 0.9 - 1) {
    throw new MediaError('MEDIA_TRUNCATED', `${file} decodes to less audio than it declares (truncated)`);
  }
  return fingerprint(mono, SAMPLE_RATE);
}

/** Stores the file; on a later failure, removes it again unless it was already stored before. */
async function storeFile(
  storage: MediaStorage,
  file: string,
): Promise<{ stored: StoredObject; undo: () => Promise<void> }> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  const existed = (await storage.stat(hash.digest('hex'))) !== null;
  const stored = await storage.put({ file });
  return { stored, undo: async () => (existed ? undefined : storage.delete(stored.key)) };
}

export async function addMusic(
  db: Database,
  file: string,
  input: MusicInput,
  opts: CatalogOptions = {},
): Promise<AddedItem> {
  checkIds(input);
  const ctx = await catalogContext(db, opts);
  const info = await probeMedia(file);
  assertUsable(file, info, { audio: true, maxDurationSeconds: ctx.maxDurationSeconds });
  await assertNew(db, 'music', ctx.tenantId, input.externalId);
  const landmarks = await fingerprintFile(file, info);
  const { stored, undo } = await storeFile(ctx.storage, file);
  let key = 0;
  let added: AddedItem;
  try {
    added = await pgTransaction(db.pool, async (client) => {
      const { rows } = await client.query<{ fingerprintKey: number }>(
        `INSERT INTO "MusicTrack" (id, "tenantId", "externalId", title, artist, "durationSeconds", "sampleRate", "storageKey", "indexedAt")
         VALUES (gen_random_uuid()::text, $1, $2, $3, $4, $5, $6, $7, now()) RETURNING "fingerprintKey"`,
        [
          ctx.tenantId,
          input.externalId,
          input.title,
          input.artist ?? null,
          info.durationSeconds,
          info.audio!.sampleRate,
          stored.key,
        ],
      );
      const n = await insertLandmarks(client, SOURCE_MUSIC, rows[0].fingerprintKey, landmarks);
      key = rows[0].fingerprintKey;
      return {
        kind: 'music' as const,
        externalId: input.externalId,
        title: input.title,
        durationSeconds: info.durationSeconds,
        storageKey: stored.key,
        landmarks: n,
      };
    });
  } catch (err) {
    await undo();
    throw duplicateOr(err, input.externalId);
  }
  await compactIfDue(db.pool, SOURCE_MUSIC, key, landmarks.hashes);
  return added;
}

export async function addOriginal(
  db: Database,
  file: string,
  input: OriginalInput,
  opts: CatalogOptions = {},
): Promise<AddedItem> {
  checkIds(input);
  const ctx = await catalogContext(db, opts);
  const info = await probeMedia(file);
  assertUsable(file, info, { audio: true, video: true, maxDurationSeconds: ctx.maxDurationSeconds });
  await assertNew(db, 'original', ctx.tenantId, input.externalId);
  const landmarks = await fingerprintFile(file, info);
  const frames = await hashVideoFile(file);
  const { stored, undo } = await storeFile(ctx.storage, file);
  let key = 0;
  let added: AddedItem;
  try {
    added = await pgTransaction(db.pool, async (client) => {
      const { rows } = await client.query<{ fingerprintKey: number }>(
        `INSERT INTO "OriginalWork" (id, "tenantId", "externalId", title, owner, "durationSeconds", "storageKey", "indexedAt")
         VALUES (gen_random_uuid()::text, $1, $2, $3, $4, $5, $6, now()) RETURNING "fingerprintKey"`,
        [ctx.tenantId, input.externalId, input.title, input.owner ?? null, info.durationSeconds, stored.key],
      );
      key = rows[0].fingerprintKey;
      const n = await insertLandmarks(client, SOURCE_ORIGINAL, key, landmarks);
      await insertVideoHashes(client, key, frames);
      return {
        kind: 'original' as const,
        externalId: input.externalId,
        title: input.title,
        durationSeconds: info.durationSeconds,
        storageKey: stored.key,
        landmarks: n,
        videoFrames: frames.hi.length,
      };
    });
  } catch (err) {
    await undo();
    throw duplicateOr(err, input.externalId);
  }
  await compactIfDue(db.pool, SOURCE_ORIGINAL, key, landmarks.hashes);
  return added;
}

async function assertNew(db: Database, kind: 'music' | 'original', tenantId: string, externalId: string) {
  const where = { tenantId_externalId: { tenantId, externalId } };
  const found =
    kind === 'music'
      ? await db.prisma.musicTrack.findUnique({ where })
      : await db.prisma.originalWork.findUnique({ where });
  if (found)
    throw new CatalogError('CATALOG_DUPLICATE', `the catalog already has ${kind} with id ${externalId}`);
}

function duplicateOr(err: unknown, externalId: string): unknown {
  if ((err as { code?: string }).code === '23505')
    return new CatalogError('CATALOG_DUPLICATE', `the catalog already has an item with id ${externalId}`);
  return err;
}
