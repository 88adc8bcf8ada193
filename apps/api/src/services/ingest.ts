// Taking a media file in (uploads and catalog entries alike): from a request stream or from a path
// inside the admin-allowed folder, size-limited, stored, probed; unusable files are refused with a
// code and not kept.
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  assertUsable,
  MediaError,
  probeMedia,
  type MediaInfo,
  type MediaRequirements,
} from '@undub/inference/media';
import { StorageError, type StoredObject } from '../storage';
import { requireRole, type Caller } from './caller';
import type { ServiceDeps } from './deps';
import { ServiceError } from './errors';

/** A request's file (`open` may throw, e.g. when the transport already refused it) or a server path. */
export type IncomingFile = { open(): Readable; fileName: string } | { path: string };

export interface IngestedFile {
  stored: StoredObject;
  info: MediaInfo;
  fileName: string;
}

function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** The real path of `requested` when it lies inside the ingest folder (symlinks resolved), else PATH_NOT_ALLOWED. */
export async function resolveIngestPath(ingestDir: string | undefined, requested: string): Promise<string> {
  if (!ingestDir)
    throw new ServiceError(
      'PATH_NOT_ALLOWED',
      'ingestion by server path is disabled (UNDUB_INGEST_DIR is unset)',
    );
  const root = await realpath(ingestDir).catch(() => {
    throw new ServiceError('PATH_NOT_ALLOWED', 'the ingest folder does not exist');
  });
  const outside = () => new ServiceError('PATH_NOT_ALLOWED', `${requested} is outside the ingest folder`);
  const lexical = path.resolve(root, requested);
  if (!isInside(root, lexical)) throw outside();
  const real = await realpath(lexical).catch(() => {
    throw new ServiceError('NOT_FOUND', `no file ${requested} in the ingest folder`);
  });
  if (!isInside(root, real)) throw outside();
  return real;
}

/** The stream's chunks, failing with UPLOAD_TOO_LARGE past `maxBytes` (also when the source itself enforces a limit). */
async function* sizeLimited(stream: Readable, maxBytes: number): AsyncGenerator<Buffer> {
  let seen = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      seen += chunk.length;
      if (seen > maxBytes) throw tooLarge(maxBytes);
      yield chunk;
    }
  } catch (err) {
    throw transportError(err, maxBytes);
  }
}

// graphql-upload reports its own size limit as an HTTP 413 error.
const transportError = (err: unknown, maxBytes: number) =>
  (err as { status?: number }).status === 413 ? tooLarge(maxBytes) : err;

const tooLarge = (maxBytes: number) =>
  new ServiceError('UPLOAD_TOO_LARGE', `the file is larger than the allowed ${maxBytes} bytes`);

async function store(
  deps: ServiceDeps,
  caller: Caller,
  source: IncomingFile,
): Promise<{ stored: StoredObject; fileName: string }> {
  const max = deps.config.maxUploadBytes;
  if ('path' in source) {
    requireRole(caller, 'admin');
    const file = await resolveIngestPath(deps.config.ingestDir, source.path);
    const info = await stat(file);
    if (!info.isFile()) throw new ServiceError('BAD_USER_INPUT', `${source.path} is not a file`);
    if (info.size > max) throw tooLarge(max);
    return { stored: await put(deps, { file }), fileName: path.basename(file) };
  }
  let stream: Readable;
  try {
    stream = source.open();
  } catch (err) {
    throw transportError(err, max);
  }
  // Errors reach the reading loop; this listener keeps one that comes before the loop starts or
  // after it stopped from becoming an uncaught exception.
  stream.on('error', () => {});
  const limited = Readable.from(sizeLimited(stream, max), { objectMode: false });
  return { stored: await put(deps, limited), fileName: source.fileName };
}

/** A full media volume is the operator's to fix, not an internal error: the client gets a code to retry on. */
async function put(deps: ServiceDeps, source: Readable | { file: string }): Promise<StoredObject> {
  try {
    return await deps.storage.put(source);
  } catch (err) {
    if (err instanceof StorageError && err.code === 'STORAGE_FULL')
      throw new ServiceError('STORAGE_FULL', 'the media store is full; nothing was stored, retry later');
    throw err;
  }
}

/** Removes a stored object that no row refers to (content-addressed: another row may share it). */
async function discardUnreferenced(deps: ServiceDeps, key: string): Promise<void> {
  const { prisma } = deps;
  const [u, m, o] = await Promise.all([
    prisma.upload.count({ where: { storageKey: key } }),
    prisma.musicTrack.count({ where: { storageKey: key } }),
    prisma.originalWork.count({ where: { storageKey: key } }),
  ]);
  if (u + m + o === 0) await deps.storage.delete(key);
}

export async function ingestMedia(
  deps: ServiceDeps,
  caller: Caller,
  source: IncomingFile,
  needs: Omit<MediaRequirements, 'maxDurationSeconds'>,
): Promise<IngestedFile> {
  const { stored, fileName } = await store(deps, caller, source);
  const local = deps.storage.path?.(stored.key);
  if (!local) throw new Error('media probing needs a storage backend with local paths');
  try {
    const info = await probeMedia(local);
    assertUsable(fileName, info, { ...needs, maxDurationSeconds: deps.config.maxDurationSeconds });
    return { stored, info, fileName };
  } catch (err) {
    await discardUnreferenced(deps, stored.key);
    if (err instanceof MediaError)
      throw new ServiceError(
        err.code === 'MEDIA_TOO_LONG' ? 'DURATION_TOO_LONG' : 'UNSUPPORTED_MEDIA',
        err.message.replaceAll(local, fileName),
      );
    throw err;
  }
}
