// The executable schema: schema.graphql (the contract) with the resolvers, plus the request
// limits shared by the HTTP and WebSocket transports.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { resolvers } from './resolvers';

export { formatError, toGraphQLError } from './errors';
export { queryLimitsRule, type QueryLimits } from './limits';
export { requireCaller, type ApiRuntime, type GraphQLContext } from './context';

export const typeDefs = readFileSync(path.join(import.meta.dirname, 'schema.graphql'), 'utf8');

export function buildSchema(): GraphQLSchema {
  return makeExecutableSchema({ typeDefs, resolvers });
}
