// Mutation fields: thin calls into the services with the caller.
import type { FileUpload } from 'graphql-upload/Upload.mjs';
import * as auth from '../../services/auth';
import * as catalog from '../../services/catalog';
import { ServiceError } from '../../services/errors';
import type { IncomingFile } from '../../services/ingest';
import * as jobs from '../../services/jobs';
import * as review from '../../services/review';
import * as uploads from '../../services/uploads';
import { requireCaller, type GraphQLContext } from '../context';

type Args = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- shaped by the schema

async function fromFile(file: Promise<FileUpload>): Promise<IncomingFile> {
  const upload = await file;
  return { open: () => upload.createReadStream(), fileName: upload.filename };
}

/** A catalog input names its media as a multipart `file` or a server `path`, exactly one. */
function catalogSource(input: {
  file?: Promise<FileUpload> | null;
  path?: string | null;
}): Promise<IncomingFile> {
  if (Boolean(input.file) === Boolean(input.path))
    throw new ServiceError('BAD_USER_INPUT', 'give exactly one of file and path');
  return input.file ? fromFile(input.file) : Promise.resolve({ path: input.path! });
}

export const Mutation = {
  signIn: (_: unknown, a: Args, ctx: GraphQLContext) => auth.signIn(ctx.deps, a.email, a.password),
  signOut: (_: unknown, __: Args, ctx: GraphQLContext) => auth.signOut(ctx.deps, requireCaller(ctx)),

  submitUpload: async (_: unknown, a: Args, ctx: GraphQLContext) => {
    const caller = requireCaller(ctx);
    return uploads.submitUpload(ctx.deps, caller, await fromFile(a.file), a.externalReference);
  },
  submitUploadFromPath: (_: unknown, a: Args, ctx: GraphQLContext) =>
    uploads.submitUpload(ctx.deps, requireCaller(ctx), { path: a.path }, a.externalReference),
  retryJob: (_: unknown, a: Args, ctx: GraphQLContext) => jobs.retryJob(ctx.deps, requireCaller(ctx), a.id),
  cancelJob: (_: unknown, a: Args, ctx: GraphQLContext) => jobs.cancelJob(ctx.deps, requireCaller(ctx), a.id),

  decide: (_: unknown, a: Args, ctx: GraphQLContext) =>
    review.decide(ctx.deps, requireCaller(ctx), {
      verdictId: a.verdictId,
      action: a.action,
      reasonCode: a.reasonCode,
      note: a.note,
    }),

  addMusicTrack: async (_: unknown, { input }: Args, ctx: GraphQLContext) => {
    const caller = requireCaller(ctx);
    return catalog.addMusicTrack(ctx.deps, caller, { ...input, source: await catalogSource(input) });
  },
  removeMusicTrack: (_: unknown, a: Args, ctx: GraphQLContext) =>
    catalog.removeMusicTrack(ctx.deps, requireCaller(ctx), a.id),
  addOriginalWork: async (_: unknown, { input }: Args, ctx: GraphQLContext) => {
    const caller = requireCaller(ctx);
    return catalog.addOriginalWork(ctx.deps, caller, { ...input, source: await catalogSource(input) });
  },
  removeOriginalWork: (_: unknown, a: Args, ctx: GraphQLContext) =>
    catalog.removeOriginalWork(ctx.deps, requireCaller(ctx), a.id),

  createApiKey: (_: unknown, a: Args, ctx: GraphQLContext) =>
    auth.createApiKey(ctx.deps, requireCaller(ctx), a.name, a.role),
  revokeApiKey: (_: unknown, a: Args, ctx: GraphQLContext) =>
    auth.revokeApiKey(ctx.deps, requireCaller(ctx), a.id),
};
