// Fields of object types that are not plain columns: relations (loaded within the parent's tenant,
// which the parent's own lookup already checked), signed media URLs, conversions.
import type {
  AuditEvent,
  Decision,
  Job,
  MusicTrack,
  OriginalWork,
  Stem,
  Upload,
  Verdict,
} from '../../generated/prisma/client';
import type { AuditChainReport } from '../../audit';
import { extensionOf } from '../../services/media-urls';
import { latestJob } from '../../services/uploads';
import { mediaUrl, type GraphQLContext } from '../context';

type Ctx = GraphQLContext;
const byCreation = [{ createdAt: 'asc' as const }, { id: 'asc' as const }];

/** A verdict's JSON columns, for rows loaded without them (lists). */
const jsonColumns = (ctx: Ctx, id: string) =>
  ctx.deps.prisma.verdict.findUniqueOrThrow({
    where: { id },
    select: { evidence: true, modelVersions: true },
  });

export const typeResolvers = {
  Upload: {
    sizeBytes: (u: Upload) => Number(u.sizeBytes),
    videoUrl: (u: Upload, _: unknown, ctx: Ctx) =>
      mediaUrl(ctx, u.storageKey, extensionOf(u.originalFileName)),
    job: (u: Upload, _: unknown, ctx: Ctx) => latestJob(ctx.deps, u.id),
    jobs: (u: Upload, _: unknown, ctx: Ctx) =>
      ctx.deps.prisma.job.findMany({ where: { uploadId: u.id }, orderBy: byCreation }),
    stems: (u: Upload, _: unknown, ctx: Ctx) =>
      ctx.deps.prisma.stem.findMany({
        where: { uploadId: u.id },
        orderBy: [{ kind: 'asc' }, { format: 'asc' }],
      }),
    verdict: (u: Upload, _: unknown, ctx: Ctx) =>
      ctx.deps.prisma.verdict.findUnique({ where: { uploadId: u.id } }),
  },
  Job: {
    upload: (j: Job, _: unknown, ctx: Ctx) =>
      j.uploadId ? ctx.deps.prisma.upload.findUnique({ where: { id: j.uploadId } }) : null,
    musicTrack: (j: Job, _: unknown, ctx: Ctx) =>
      j.musicTrackId ? ctx.deps.prisma.musicTrack.findUnique({ where: { id: j.musicTrackId } }) : null,
    originalWork: (j: Job, _: unknown, ctx: Ctx) =>
      j.originalWorkId ? ctx.deps.prisma.originalWork.findUnique({ where: { id: j.originalWorkId } }) : null,
  },
  Stem: {
    url: (s: Stem, _: unknown, ctx: Ctx) => mediaUrl(ctx, s.storageKey, extensionOf(`x.${s.format}`)),
  },
  Verdict: {
    upload: (v: Verdict & { upload?: Upload }, _: unknown, ctx: Ctx) =>
      v.upload ?? ctx.deps.prisma.upload.findUniqueOrThrow({ where: { id: v.uploadId } }),
    // Lists load it with the verdicts (one query for the page, not one per row).
    originalWork: (v: Verdict & { originalWork?: OriginalWork | null }, _: unknown, ctx: Ctx) =>
      v.originalWork !== undefined
        ? v.originalWork
        : v.originalWorkId
          ? ctx.deps.prisma.originalWork.findUnique({ where: { id: v.originalWorkId } })
          : null,
    evidence: (v: Partial<Verdict> & { id: string }, _: unknown, ctx: Ctx) =>
      v.evidence ?? jsonColumns(ctx, v.id).then((r) => r.evidence),
    modelVersions: (v: Partial<Verdict> & { id: string }, _: unknown, ctx: Ctx) =>
      v.modelVersions ?? jsonColumns(ctx, v.id).then((r) => r.modelVersions),
    decisions: (v: Verdict, _: unknown, ctx: Ctx) =>
      ctx.deps.prisma.decision.findMany({ where: { verdictId: v.id }, orderBy: byCreation }),
    latestDecision: (v: Verdict, _: unknown, ctx: Ctx) =>
      ctx.deps.prisma.decision.findFirst({
        where: { verdictId: v.id },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      }),
  },
  Decision: {
    verdict: (d: Decision, _: unknown, ctx: Ctx) =>
      ctx.deps.prisma.verdict.findUniqueOrThrow({ where: { id: d.verdictId } }),
    moderator: (d: Decision, _: unknown, ctx: Ctx) =>
      ctx.deps.prisma.user.findUniqueOrThrow({ where: { id: d.moderatorId } }),
  },
  MusicTrack: {
    job: (m: MusicTrack, _: unknown, ctx: Ctx) =>
      ctx.deps.prisma.job.findFirst({
        where: { musicTrackId: m.id },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      }),
  },
  OriginalWork: {
    job: (o: OriginalWork, _: unknown, ctx: Ctx) =>
      ctx.deps.prisma.job.findFirst({
        where: { originalWorkId: o.id },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      }),
    // The catalog keeps no file name; originals are videos, and browsers sniff the exact container.
    videoUrl: (o: OriginalWork, _: unknown, ctx: Ctx) =>
      o.storageKey ? mediaUrl(ctx, o.storageKey, 'mp4') : null,
  },
  AuditEvent: {
    seq: (e: AuditEvent) => e.seq.toString(),
  },
  AuditChainStatus: {
    broken: (r: AuditChainReport) => r.broken.map((b) => ({ seq: b.seq.toString(), reason: b.reason })),
  },
};
