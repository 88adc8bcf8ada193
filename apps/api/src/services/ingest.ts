// Taking a media file in (uploads and catalog entries alike): from a request stream or from a path
// inside the admin-allowed folder, size-limited, stored, probed; unusable files are refused with a
// code and not kept.
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { assertUsable, MediaError, probeMedia, type MediaInfo, type MediaRequirements } from '@undub/inference/media';
import type { StoredObject } from '../storage';
import { requireRole, type Caller } from './caller';
import type { ServiceDeps } from './deps';
import { ServiceError } from './errors';

export type IncomingFile = { stream: Readable; fileName: string } | { path: string };

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
  if (!ingestDir) throw new ServiceError('PATH_NOT_ALLOWED', 'ingestion by server path is disabled (UNDUB_INGEST_DIR is unset)');
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

function sizeLimit(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > maxBytes) done(tooLarge(maxBytes));
      else done(null, chunk);
    },
  });
}

const tooLarge = (maxBytes: number) =>
  new ServiceError('UPLOAD_TOO_LARGE', `the file is larger than the allowed ${maxBytes} bytes`);

async function store(deps: ServiceDeps, caller: Caller, source: IncomingFile): Promise<{ stored: StoredObject; fileName: string }> {
  const max = deps.config.maxUploadBytes;
  if ('path' in source) {
    requireRole(caller, 'admin');
    const file = await resolveIngestPath(deps.config.ingestDir, source.path);
    const info = await stat(file);
    if (!info.isFile()) throw new ServiceError('BAD_USER_INPUT', `${source.path} is not a file`);
    if (info.size > max) throw tooLarge(max);
    return { stored: await deps.storage.put({ file }), fileName: path.basename(file) };
  }
  const limited = source.stream.pipe(sizeLimit(max));
  // A failing source (graphql-upload's own size limit, a cut connection) must fail the pipe too.
  source.stream.once('error', (err: Error & { status?: number }) =>
    limited.destroy(err.status === 413 ? tooLarge(max) : err),
  );
  return { stored: await deps.storage.put(limited), fileName: source.fileName };
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
