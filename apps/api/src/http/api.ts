// What `undub start` serves as the API: the schema of graphql/schema.graphql and the request
// context. For now only `health` is resolved; the GraphQL API issue replaces `resolvers` and
// `context` with the real ones (services, auth) without touching the server or the start-up.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { PgBoss } from 'pg-boss';
import type { Config } from '../config';
import type { Database } from '../db';
import type { MediaStorage } from '../storage';
import pkg from '../../package.json' with { type: 'json' };

export interface ApiRuntime {
  db: Database;
  config: Config;
  storage: MediaStorage;
  boss: PgBoss;
}

const typeDefs = readFileSync(path.join(import.meta.dirname, '../graphql/schema.graphql'), 'utf8');

export function createApi(runtime: ApiRuntime) {
  const resolvers = {
    Query: {
      // ok = the database answers.
      health: async () => {
        const ok = await runtime.db.pool.query('SELECT 1').then(
          () => true,
          () => false,
        );
        return { ok, version: pkg.version };
      },
    },
  };
  return {
    schema: makeExecutableSchema({ typeDefs, resolvers }),
    context: async () => ({ runtime }),
  };
}
