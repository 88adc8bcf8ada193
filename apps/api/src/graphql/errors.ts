// What clients see of errors: service errors and GraphQL's own request errors keep their code and
// message; anything else becomes INTERNAL_SERVER_ERROR with no detail (logged on the server).
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { httpStatusOf, ServiceError } from '../services/errors';

// Codes GraphQL, Apollo and this API's validation rules attach to errors about the request itself.
const REQUEST_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'QUERY_TOO_DEEP',
  'QUERY_TOO_COMPLEX',
]);

/** A ServiceError as a GraphQLError (for errors raised outside resolvers, e.g. in the context). */
export function toGraphQLError(err: ServiceError): GraphQLError {
  return new GraphQLError(err.message, {
    extensions: { code: err.code, http: { status: httpStatusOf[err.code] } },
  });
}

export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  log: (message: string) => void = (m) => process.stderr.write(m + '\n'),
): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const where = {
    ...(formatted.path ? { path: formatted.path } : {}),
    ...(formatted.locations ? { locations: formatted.locations } : {}),
  };
  if (original instanceof ServiceError)
    return { message: original.message, ...where, extensions: { code: original.code } };
  // Apollo files every validation error under GRAPHQL_VALIDATION_FAILED; the limit rules' own
  // codes are kept on the original error.
  const inner = (error as GraphQLError | undefined)?.originalError;
  const limitCode = inner instanceof GraphQLError ? inner.extensions.code : undefined;
  const code =
    limitCode === 'QUERY_TOO_DEEP' || limitCode === 'QUERY_TOO_COMPLEX'
      ? limitCode
      : formatted.extensions?.code;
  if (typeof code === 'string' && (REQUEST_CODES.has(code) || code in httpStatusOf))
    return { message: formatted.message, ...where, extensions: { code } };
  log(
    `api: internal error: ${original instanceof Error ? (original.stack ?? original.message) : String(original)}`,
  );
  return { message: 'internal server error', ...where, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
