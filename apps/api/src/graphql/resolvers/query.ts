// Query fields: thin calls into the services with the caller.
import type { GraphQLResolveInfo } from 'graphql';
import * as audit from '../../services/audit-log';
import * as catalog from '../../services/catalog';
import * as jobs from '../../services/jobs';
import { listApiKeys } from '../../services/auth';
import { buildReport } from '../../services/reports';
import * as review from '../../services/review';
import * as uploads from '../../services/uploads';
import pkg from '../../../package.json' with { type: 'json' };
import { requireCaller, type GraphQLContext } from '../context';
import { requestedFields } from '../selection';

type Args = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- shaped by the schema
type Page = { first: number; after?: string | null };

export const VERSION = pkg.version;

export const Query = {
  // ok = the database answers.
  health: async (_: unknown, __: Args, ctx: GraphQLContext) => ({
    ok: await ctx.deps.prisma.$queryRaw`SELECT 1`.then(
      () => true,
      () => false,
    ),
    version: VERSION,
  }),
  viewer: (_: unknown, __: Args, ctx: GraphQLContext) => {
    const caller = requireCaller(ctx);
    const { prisma } = ctx.deps;
    return {
      role: caller.role,
      tenant: () => prisma.tenant.findUniqueOrThrow({ where: { id: caller.tenantId } }),
      user: () => (caller.userId ? prisma.user.findUnique({ where: { id: caller.userId } }) : null),
      apiKey: () => (caller.apiKeyId ? prisma.apiKey.findUnique({ where: { id: caller.apiKeyId } }) : null),
    };
  },
  uploads: (_: unknown, a: Args & Page, ctx: GraphQLContext) =>
    uploads.listUploads(ctx.deps, requireCaller(ctx), a.filter ?? {}, a.first, a.after),
  upload: (_: unknown, a: Args, ctx: GraphQLContext) => uploads.getUpload(ctx.deps, requireCaller(ctx), a.id),
  jobs: (_: unknown, a: Args & Page, ctx: GraphQLContext) =>
    jobs.listJobs(ctx.deps, requireCaller(ctx), a.filter ?? {}, a.first, a.after),
  job: (_: unknown, a: Args, ctx: GraphQLContext) => jobs.getJob(ctx.deps, requireCaller(ctx), a.id),
  verdict: (_: unknown, a: Args, ctx: GraphQLContext) =>
    review.getVerdict(ctx.deps, requireCaller(ctx), a.id),
  reviewQueue: (_: unknown, a: Args & Page, ctx: GraphQLContext, info: GraphQLResolveInfo) =>
    review.reviewQueue(ctx.deps, requireCaller(ctx), a.filter ?? {}, a.sort, a.first, a.after, {
      upload: requestedFields(info, ['nodes', 'upload']),
      originalWork: requestedFields(info, ['nodes', 'originalWork']),
    }),
  decisions: (_: unknown, a: Args & Page, ctx: GraphQLContext) =>
    review.listDecisions(ctx.deps, requireCaller(ctx), a.filter ?? {}, a.first, a.after),
  musicTracks: (_: unknown, a: Args & Page, ctx: GraphQLContext) =>
    catalog.listMusicTracks(ctx.deps, requireCaller(ctx), a.search, a.first, a.after),
  musicTrack: (_: unknown, a: Args, ctx: GraphQLContext) =>
    catalog.getMusicTrack(ctx.deps, requireCaller(ctx), a.id),
  originalWorks: (_: unknown, a: Args & Page, ctx: GraphQLContext) =>
    catalog.listOriginalWorks(ctx.deps, requireCaller(ctx), a.search, a.first, a.after),
  originalWork: (_: unknown, a: Args, ctx: GraphQLContext) =>
    catalog.getOriginalWork(ctx.deps, requireCaller(ctx), a.id),
  auditEvents: (_: unknown, a: Args & Page, ctx: GraphQLContext) =>
    audit.listAuditEvents(ctx.deps, requireCaller(ctx), a.filter ?? {}, a.first, a.after),
  auditChainStatus: (_: unknown, __: Args, ctx: GraphQLContext) =>
    audit.auditChainStatus(ctx.deps, requireCaller(ctx)),
  report: (_: unknown, a: Args, ctx: GraphQLContext) =>
    buildReport(ctx.deps, requireCaller(ctx), a.from, a.to),
  apiKeys: (_: unknown, a: Args, ctx: GraphQLContext) =>
    listApiKeys(ctx.deps, requireCaller(ctx), Boolean(a.includeRevoked)),
};
