// Per-request GraphQL context: the services' dependencies and the authenticated caller. Auth is
// resolved when the request starts; a failure is kept and raised by the first field that needs a
// caller, so `health` and `signIn` work even with a stale token.
import type { Caller } from '../services/caller';
import type { ChangeFeed } from '../services/change-feed';
import type { ServiceDeps } from '../services/deps';
import { ServiceError } from '../services/errors';
import type { MediaUrlSigner } from '../services/media-urls';

export interface ApiRuntime {
  deps: ServiceDeps;
  signer: MediaUrlSigner;
  feed: ChangeFeed;
}

export interface GraphQLContext extends ApiRuntime {
  caller: Caller | null;
  authError: ServiceError | null;
  /** Origin for absolute media URLs (public URL setting, else the request's host). */
  baseUrl: string;
}

export function requireCaller(ctx: GraphQLContext): Caller {
  if (ctx.caller) return ctx.caller;
  throw (
    ctx.authError ??
    new ServiceError('UNAUTHENTICATED', 'send Authorization: Bearer <API key or session token>')
  );
}

/** Absolute signed URL of a stored object. */
export function mediaUrl(ctx: GraphQLContext, storageKey: string, ext: string): string {
  return ctx.baseUrl + ctx.signer.sign(storageKey, ext).path;
}
