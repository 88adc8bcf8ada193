// Catalog entries (music tracks, original works) as the API manages them: the file is stored and
// checked here, the row created, and an index job queued; the worker fingerprints it. Every change
// writes an audit event.
import { appendAuditEvent } from '../audit';
import { removeCatalogItem } from '../catalog';
import type { MusicTrack, OriginalWork, Prisma } from '../generated/prisma/client';
import { requireRole, type Caller } from './caller';
import type { ServiceDeps } from './deps';
import { notFound, ServiceError } from './errors';
import { ingestMedia, type IncomingFile } from './ingest';
import { paginate, type Page } from './pagination';

export interface CatalogEntryInput {
  source: IncomingFile;
  externalId: string;
  title: string;
}

function checkEntry(input: CatalogEntryInput): void {
  if (!input.externalId.trim()) throw new ServiceError('BAD_USER_INPUT', 'externalId must not be empty');
  if (!input.title.trim()) throw new ServiceError('BAD_USER_INPUT', 'title must not be empty');
}

async function assertNew(exists: Promise<unknown>, what: string, externalId: string): Promise<void> {
  if (await exists)
    throw new ServiceError('ALREADY_EXISTS', `a ${what} with externalId ${externalId} exists already`);
}

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === 'P2002';

export async function addMusicTrack(
  deps: ServiceDeps,
  caller: Caller,
  input: CatalogEntryInput & { artist?: string | null },
): Promise<MusicTrack> {
  requireRole(caller, 'admin');
  checkEntry(input);
  const externalId = input.externalId.trim();
  await assertNew(
    deps.prisma.musicTrack.findFirst({ where: { tenantId: caller.tenantId, externalId } }),
    'music track',
    externalId,
  );
  const { stored, info } = await ingestMedia(deps, caller, input.source, { audio: true });
  const track = await deps.prisma
    .$transaction(async (tx) => {
      const row = await tx.musicTrack.create({
        data: {
          tenantId: caller.tenantId,
          externalId,
          title: input.title.trim(),
          artist: input.artist?.trim() || null,
          durationSeconds: info.durationSeconds,
          sampleRate: info.audio?.sampleRate ?? null,
          storageKey: stored.key,
        },
      });
      await appendAuditEvent(tx, {
        tenantId: caller.tenantId,
        actor: caller.actor,
        action: 'catalog.music_added',
        subject: `music:${row.id}`,
        payload: { externalId, title: row.title, artist: row.artist, sha256: stored.sha256 },
      });
      return row;
    })
    .catch((err: unknown) => {
      if (isUniqueViolation(err))
        throw new ServiceError(
          'ALREADY_EXISTS',
          `a music track with externalId ${externalId} exists already`,
        );
      throw err;
    });
  await deps.jobs.enqueue({ tenantId: caller.tenantId, kind: 'index_music', musicTrackId: track.id });
  return track;
}

export async function addOriginalWork(
  deps: ServiceDeps,
  caller: Caller,
  input: CatalogEntryInput & { owner?: string | null },
): Promise<OriginalWork> {
  requireRole(caller, 'admin');
  checkEntry(input);
  const externalId = input.externalId.trim();
  await assertNew(
    deps.prisma.originalWork.findFirst({ where: { tenantId: caller.tenantId, externalId } }),
    'original work',
    externalId,
  );
  const { stored, info } = await ingestMedia(deps, caller, input.source, { audio: true, video: true });
  const work = await deps.prisma
    .$transaction(async (tx) => {
      const row = await tx.originalWork.create({
        data: {
          tenantId: caller.tenantId,
          externalId,
          title: input.title.trim(),
          owner: input.owner?.trim() || null,
          durationSeconds: info.durationSeconds,
          storageKey: stored.key,
        },
      });
      await appendAuditEvent(tx, {
        tenantId: caller.tenantId,
        actor: caller.actor,
        action: 'catalog.original_added',
        subject: `original:${row.id}`,
        payload: { externalId, title: row.title, owner: row.owner, sha256: stored.sha256 },
      });
      return row;
    })
    .catch((err: unknown) => {
      if (isUniqueViolation(err))
        throw new ServiceError(
          'ALREADY_EXISTS',
          `an original work with externalId ${externalId} exists already`,
        );
      throw err;
    });
  await deps.jobs.enqueue({ tenantId: caller.tenantId, kind: 'index_original', originalWorkId: work.id });
  return work;
}

function searchWhere(tenantId: string, search: string | null | undefined, extra: 'artist' | 'owner') {
  const q = search?.trim();
  if (!q) return { tenantId };
  const like = { contains: q, mode: 'insensitive' as const };
  return { tenantId, OR: [{ title: like }, { externalId: like }, { [extra]: like }] };
}

export function listMusicTracks(
  deps: ServiceDeps,
  caller: Caller,
  search?: string | null,
  first = 20,
  after?: string | null,
): Promise<Page<MusicTrack>> {
  const where = searchWhere(caller.tenantId, search, 'artist') as Prisma.MusicTrackWhereInput;
  return paginate(
    first,
    after,
    (page) =>
      deps.prisma.musicTrack.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], ...page }),
    () => deps.prisma.musicTrack.count({ where }),
  );
}

export function listOriginalWorks(
  deps: ServiceDeps,
  caller: Caller,
  search?: string | null,
  first = 20,
  after?: string | null,
): Promise<Page<OriginalWork>> {
  const where = searchWhere(caller.tenantId, search, 'owner') as Prisma.OriginalWorkWhereInput;
  return paginate(
    first,
    after,
    (page) =>
      deps.prisma.originalWork.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], ...page }),
    () => deps.prisma.originalWork.count({ where }),
  );
}

export function getMusicTrack(deps: ServiceDeps, caller: Caller, id: string): Promise<MusicTrack | null> {
  return deps.prisma.musicTrack.findFirst({ where: { id, tenantId: caller.tenantId } });
}

export function getOriginalWork(deps: ServiceDeps, caller: Caller, id: string): Promise<OriginalWork | null> {
  return deps.prisma.originalWork.findFirst({ where: { id, tenantId: caller.tenantId } });
}

/** Removes a catalog entry and its fingerprints (the catalog module's removal) and records it. */
async function removeEntry(
  deps: ServiceDeps,
  caller: Caller,
  entry: { id: string; externalId: string; title: string } | null,
  what: 'music' | 'original',
  id: string,
): Promise<boolean> {
  requireRole(caller, 'admin');
  if (!entry) throw notFound(what === 'music' ? 'music track' : 'original work', id);
  await removeCatalogItem(deps.db, entry.externalId, {
    tenantId: caller.tenantId,
    storage: deps.storage,
    maxDurationSeconds: deps.config.maxDurationSeconds,
  });
  await appendAuditEvent(deps.prisma, {
    tenantId: caller.tenantId,
    actor: caller.actor,
    action: `catalog.${what}_removed`,
    subject: `${what}:${id}`,
    payload: { externalId: entry.externalId, title: entry.title },
  });
  return true;
}

export async function removeMusicTrack(deps: ServiceDeps, caller: Caller, id: string): Promise<boolean> {
  requireRole(caller, 'admin');
  return removeEntry(deps, caller, await getMusicTrack(deps, caller, id), 'music', id);
}

/** Verdicts that named the work keep their row and evidence; they lose the link. */
export async function removeOriginalWork(deps: ServiceDeps, caller: Caller, id: string): Promise<boolean> {
  requireRole(caller, 'admin');
  return removeEntry(deps, caller, await getOriginalWork(deps, caller, id), 'original', id);
}
