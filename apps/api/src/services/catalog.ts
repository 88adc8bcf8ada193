// Catalog entries (music tracks, original works) as the API manages them: the file is stored and
// checked here, the row created, and an index job queued; the worker fingerprints it. Every change
// writes an audit event.
import type { MediaInfo } from '@undub/inference/media';
import { appendAuditEvent } from '../audit';
import { removeCatalogItem } from '../catalog';
import type { MusicTrack, OriginalWork, Prisma } from '../generated/prisma/client';
import { requireRole, type Caller } from './caller';
import type { ServiceDeps } from './deps';
import { audit, inTransaction } from './transactions';
import { notFound, ServiceError } from './errors';
import type { StoredObject } from '../storage';
import { ingestMedia, type IncomingFile } from './ingest';
import { paginate, type Page } from './pagination';

export interface CatalogEntryInput {
  source: IncomingFile;
  externalId: string;
  title: string;
}

const KINDS = {
  music: { name: 'music track', needs: { audio: true }, job: 'index_music' },
  original: { name: 'original work', needs: { audio: true, video: true }, job: 'index_original' },
} as const;

type Kind = keyof typeof KINDS;
type Row = { id: string } & Record<string, unknown>;
type Created = { externalId: string; title: string; stored: StoredObject; info: MediaInfo };

/**
 * The shared flow of adding a catalog entry: checks, media ingest, the row and its audit event in
 * one transaction, then the index job. `create` writes the kind's row.
 */
async function addEntry<R extends Row>(
  deps: ServiceDeps,
  caller: Caller,
  kind: Kind,
  input: CatalogEntryInput,
  exists: (externalId: string) => Promise<unknown>,
  create: (tx: Prisma.TransactionClient, c: Created) => Promise<R>,
): Promise<R> {
  const { name, needs, job } = KINDS[kind];
  requireRole(caller, 'admin');
  const externalId = input.externalId.trim();
  const title = input.title.trim();
  if (!externalId) throw new ServiceError('BAD_USER_INPUT', 'externalId must not be empty');
  if (!title) throw new ServiceError('BAD_USER_INPUT', 'title must not be empty');
  const duplicate = () =>
    new ServiceError('ALREADY_EXISTS', `a ${name} with externalId ${externalId} exists already`);
  if (await exists(externalId)) throw duplicate();
  const { stored, info } = await ingestMedia(deps, caller, input.source, needs);
  const row = await inTransaction(deps.prisma, async (tx) => {
    const created = await create(tx, { externalId, title, stored, info });
    await appendAuditEvent(tx, {
      tenantId: caller.tenantId,
      actor: caller.actor,
      action: `catalog.${kind}_added`,
      subject: `${kind}:${created.id}`,
      payload: { externalId, title, sha256: stored.sha256 },
    });
    return created;
  }).catch((err: unknown) => {
    // Two adds of the same id at once: the unique index catches the second.
    throw (err as { code?: string }).code === 'P2002' ? duplicate() : err;
  });
  const ref = kind === 'music' ? { musicTrackId: row.id } : { originalWorkId: row.id };
  await deps.jobs.enqueue({ tenantId: caller.tenantId, kind: job, ...ref });
  return row;
}

export function addMusicTrack(
  deps: ServiceDeps,
  caller: Caller,
  input: CatalogEntryInput & { artist?: string | null },
): Promise<MusicTrack> {
  const tenantId = caller.tenantId;
  return addEntry(
    deps,
    caller,
    'music',
    input,
    (externalId) => deps.prisma.musicTrack.findFirst({ where: { tenantId, externalId } }),
    (tx, { externalId, title, stored, info }) =>
      tx.musicTrack.create({
        data: {
          tenantId,
          externalId,
          title,
          artist: input.artist?.trim() || null,
          durationSeconds: info.durationSeconds,
          sampleRate: info.audio?.sampleRate ?? null,
          storageKey: stored.key,
        },
      }),
  );
}

export function addOriginalWork(
  deps: ServiceDeps,
  caller: Caller,
  input: CatalogEntryInput & { owner?: string | null },
): Promise<OriginalWork> {
  const tenantId = caller.tenantId;
  return addEntry(
    deps,
    caller,
    'original',
    input,
    (externalId) => deps.prisma.originalWork.findFirst({ where: { tenantId, externalId } }),
    (tx, { externalId, title, stored, info }) =>
      tx.originalWork.create({
        data: {
          tenantId,
          externalId,
          title,
          owner: input.owner?.trim() || null,
          durationSeconds: info.durationSeconds,
          storageKey: stored.key,
        },
      }),
  );
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
  what: Kind,
  id: string,
): Promise<boolean> {
  requireRole(caller, 'admin');
  if (!entry) throw notFound(KINDS[what].name, id);
  await removeCatalogItem(deps.db, entry.externalId, {
    tenantId: caller.tenantId,
    storage: deps.storage,
    maxDurationSeconds: deps.config.maxDurationSeconds,
  });
  await audit(deps.prisma, {
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
