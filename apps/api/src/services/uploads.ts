// Submitting uploads (stored, probed, deduplicated, analysis queued) and reading them back,
// always within the caller's tenant.
import type { Job, Upload } from '../generated/prisma/client';
import { appendAuditEvent } from '../audit';
import type { Caller } from './caller';
import type { ServiceDeps } from './deps';
import { inTransaction } from './transactions';
import { ingestMedia, type IncomingFile } from './ingest';
import { dateRange, paginate, type Page } from './pagination';

export interface SubmitResult {
  upload: Upload;
  job: Job | null;
  duplicate: boolean;
}

// Arbitrary constant naming the submission lock among the app's advisory locks.
const SUBMIT_LOCK = 7_240_412;

export async function submitUpload(
  deps: ServiceDeps,
  caller: Caller,
  source: IncomingFile,
  externalReference?: string | null,
): Promise<SubmitResult> {
  const { stored, info, fileName } = await ingestMedia(deps, caller, source, { video: true });
  const ref = externalReference?.trim() || null;
  const found = await inTransaction(deps.prisma, async (tx) => {
    // Two identical submissions at once: the second waits here and then finds the first. (The
    // unique index alone cannot catch it when externalReference is NULL.)
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SUBMIT_LOCK}, hashtext(${`${caller.tenantId}:${stored.sha256}`}))`;
    const existing = await tx.upload.findFirst({
      where: { tenantId: caller.tenantId, sha256: stored.sha256, externalReference: ref },
    });
    if (existing) return { upload: existing, duplicate: true };
    const upload = await tx.upload.create({
      data: {
        tenantId: caller.tenantId,
        submittedBy: caller.actor,
        externalReference: ref,
        originalFileName: fileName,
        sha256: stored.sha256,
        sizeBytes: BigInt(stored.size),
        container: info.container,
        videoCodec: info.video?.codec ?? null,
        audioCodec: info.audio?.codec ?? null,
        durationSeconds: info.durationSeconds,
        width: info.video?.width ?? null,
        height: info.video?.height ?? null,
        sampleRate: info.audio?.sampleRate ?? null,
        storageKey: stored.key,
      },
    });
    await appendAuditEvent(tx, {
      tenantId: caller.tenantId,
      actor: caller.actor,
      action: 'upload.submitted',
      subject: `upload:${upload.id}`,
      payload: { sha256: stored.sha256, fileName, externalReference: ref },
    });
    return { upload, duplicate: false };
  });
  if (found.duplicate) return { ...found, job: await latestJob(deps, found.upload.id) };
  const job = await deps.jobs.enqueue({
    tenantId: caller.tenantId,
    kind: 'analyze_upload',
    uploadId: found.upload.id,
  });
  return { ...found, job };
}

export function latestJob(deps: ServiceDeps, uploadId: string): Promise<Job | null> {
  return deps.prisma.job.findFirst({ where: { uploadId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
}

export interface UploadFilter {
  externalReference?: string | null;
  sha256?: string | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
}

export function listUploads(
  deps: ServiceDeps,
  caller: Caller,
  filter: UploadFilter = {},
  first = 20,
  after?: string | null,
): Promise<Page<Upload>> {
  const where = {
    tenantId: caller.tenantId,
    ...(filter.externalReference ? { externalReference: filter.externalReference } : {}),
    ...(filter.sha256 ? { sha256: filter.sha256 } : {}),
    createdAt: dateRange(filter.createdAfter, filter.createdBefore),
  };
  return paginate(
    first,
    after,
    (page) =>
      deps.prisma.upload.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], ...page }),
    () => deps.prisma.upload.count({ where }),
  );
}

export async function getUpload(deps: ServiceDeps, caller: Caller, id: string): Promise<Upload | null> {
  return deps.prisma.upload.findFirst({ where: { id, tenantId: caller.tenantId } });
}
