// Listing and removing catalog items, and reading a music track's clean audio back for the remover.
import { decodeAudio } from '@undub/inference/media';
import { pgTransaction, type Database } from '../db';
import { catalogContext, type CatalogOptions } from './context';
import { CatalogError } from './errors';
import { deleteLandmarks, SOURCE_MUSIC, SOURCE_ORIGINAL } from './landmark-store';
import { deleteVideoHashes } from './video-store';

export interface CatalogItem {
  kind: 'music' | 'original';
  externalId: string;
  title: string;
  artist?: string;
  owner?: string;
  durationSeconds: number | null;
  storageKey: string | null;
  createdAt: string;
}

export async function listCatalog(db: Database, opts: CatalogOptions = {}): Promise<CatalogItem[]> {
  const { tenantId } = await catalogContext(db, opts);
  const [music, originals] = await Promise.all([
    db.prisma.musicTrack.findMany({ where: { tenantId }, orderBy: { externalId: 'asc' } }),
    db.prisma.originalWork.findMany({ where: { tenantId }, orderBy: { externalId: 'asc' } }),
  ]);
  return [
    ...music.map((m) => ({
      kind: 'music' as const,
      externalId: m.externalId,
      title: m.title,
      ...(m.artist ? { artist: m.artist } : {}),
      durationSeconds: m.durationSeconds,
      storageKey: m.storageKey,
      createdAt: m.createdAt.toISOString(),
    })),
    ...originals.map((o) => ({
      kind: 'original' as const,
      externalId: o.externalId,
      title: o.title,
      ...(o.owner ? { owner: o.owner } : {}),
      durationSeconds: o.durationSeconds,
      storageKey: o.storageKey,
      createdAt: o.createdAt.toISOString(),
    })),
  ];
}

/** Removes a music track or original work (and its fingerprints) by external id. */
export async function removeCatalogItem(db: Database, externalId: string, opts: CatalogOptions = {}) {
  const { tenantId } = await catalogContext(db, opts);
  const where = { tenantId_externalId: { tenantId, externalId } };
  const music = await db.prisma.musicTrack.findUnique({ where });
  const original = music ? null : await db.prisma.originalWork.findUnique({ where });
  if (!music && !original)
    throw new CatalogError('CATALOG_NOT_FOUND', `no catalog item with id ${externalId}`);
  await pgTransaction(db.pool, async (client) => {
    if (music) {
      await deleteLandmarks(client, SOURCE_MUSIC, music.fingerprintKey);
      await client.query(`DELETE FROM "MusicTrack" WHERE id = $1`, [music.id]);
    } else {
      await deleteLandmarks(client, SOURCE_ORIGINAL, original!.fingerprintKey);
      await deleteVideoHashes(client, original!.fingerprintKey);
      // Verdicts keep their row; they lose the link to the removed work.
      await client.query(`UPDATE "Verdict" SET "originalWorkId" = NULL WHERE "originalWorkId" = $1`, [
        original!.id,
      ]);
      await client.query(`DELETE FROM "OriginalWork" WHERE id = $1`, [original!.id]);
    }
  });
  return { kind: music ? ('music' as const) : ('original' as const), externalId };
}

type AudioOptions = CatalogOptions & { channels?: number; range?: { start: number; end: number } };

/**
 * The catalog track's audio (stereo, or mono for a mono source) at the requested rate: the whole
 * track, or only `range` (seconds; the audio returned starts at `range.start`), since a removal reads
 * a few seconds around its segments of a track that may last many minutes.
 */
export const loadMusicReference = (
  db: Database,
  musicId: string,
  sampleRate: number,
  opts: AudioOptions = {},
) => loadStoredAudio(db, 'music', musicId, sampleRate, opts);

/** An original work's soundtrack, read as loadMusicReference reads a track. */
export const loadOriginalSoundtrack = (
  db: Database,
  originalId: string,
  sampleRate: number,
  opts: AudioOptions = {},
) => loadStoredAudio(db, 'original', originalId, sampleRate, opts);

async function loadStoredAudio(
  db: Database,
  kind: 'music' | 'original',
  externalId: string,
  sampleRate: number,
  opts: AudioOptions,
): Promise<Float32Array[]> {
  const ctx = await catalogContext(db, opts);
  const where = { tenantId_externalId: { tenantId: ctx.tenantId, externalId } };
  const item =
    kind === 'music'
      ? await db.prisma.musicTrack.findUnique({ where })
      : await db.prisma.originalWork.findUnique({ where });
  const what =
    kind === 'music' ? `catalog music with id ${externalId}` : `original work with id ${externalId}`;
  if (!item?.storageKey) throw new CatalogError('CATALOG_NOT_FOUND', `no ${what}`);
  const file = ctx.storage.path?.(item.storageKey);
  if (!file) throw new CatalogError('CATALOG_NOT_FOUND', `the media of the ${what} is not on local storage`);
  const { channels = 2, range } = opts;
  return decodeAudio(file, {
    sampleRate,
    channels,
    ...(range ? { startSeconds: range.start, durationSeconds: range.end - range.start } : {}),
  });
}
