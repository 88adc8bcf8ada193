// Turning a request's credentials into the GraphQL context, for HTTP and WebSocket alike, with the
// per-caller rate limit applied.
import { GraphQLError } from 'graphql';
import type { ApiRuntime, GraphQLContext } from '../graphql';
import { toGraphQLError } from '../graphql';
import { authenticate } from '../services/auth';
import type { Caller } from '../services/caller';
import { ServiceError } from '../services/errors';
import type { RateLimiter } from '../services/rate-limit';

export function bearerToken(authorization: unknown): string | null {
  if (typeof authorization !== 'string') return null;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  return match ? match[1] : null;
}

export async function buildContext(
  runtime: ApiRuntime,
  limiter: RateLimiter,
  request: { authorization: unknown; ip: string; baseUrl: string },
): Promise<GraphQLContext> {
  const token = bearerToken(request.authorization);
  let caller: Caller | null = null;
  let authError: ServiceError | null = null;
  if (request.authorization !== undefined && request.authorization !== '' && !token)
    authError = new ServiceError('UNAUTHENTICATED', 'the Authorization header must be "Bearer <token>"');
  else if (token) {
    try {
      caller = await authenticate(runtime.deps, token);
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      authError = err;
    }
  }
  const wait = limiter.take(caller?.rateKey ?? `ip:${request.ip}`);
  if (wait > 0) {
    const error = toGraphQLError(
      new ServiceError('RATE_LIMITED', `too many requests; retry in ${wait.toFixed(2)} s`),
    );
    throw new GraphQLError(error.message, {
      extensions: {
        ...error.extensions,
        http: { status: 429, headers: new Map([['retry-after', String(Math.ceil(wait))]]) },
      },
    });
  }
  return { ...runtime, caller, authError, baseUrl: request.baseUrl };
}
