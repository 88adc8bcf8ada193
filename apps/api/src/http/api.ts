// What the API serves (used by `undub start` through startHttpServer, and by startApi): the schema
// of graphql/schema.graphql with its resolvers, the per-request context (auth, rate limit), the
// routes beside /graphql (multipart uploads, WebSocket subscriptions, signed media, health) and
// Apollo's settings (query limits, error formatting). Its background parts (the change feed for
// subscriptions and webhooks) start with the server and stop when Apollo stops.
import type { Server } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import express, { type NextFunction, type Request, type Response } from 'express';
import { specifiedRules, validate, type GraphQLFormattedError } from 'graphql';
import graphqlUploadExpress from 'graphql-upload/graphqlUploadExpress.mjs';
import { useServer } from 'graphql-ws/use/ws';
import type { PgBoss } from 'pg-boss';
import { WebSocketServer } from 'ws';
import type { Config } from '../config';
import type { Database } from '../db';
import {
  buildSchema,
  formatError,
  queryLimitsRule,
  type ApiRuntime as GraphQLRuntime,
  type GraphQLContext,
} from '../graphql';
import { VERSION } from '../graphql/resolvers/query';
import { cancelJob, enqueueJob } from '../queue';
import { CallerCache } from '../services/caller-cache';
import { ChangeFeed } from '../services/change-feed';
import type { ServiceDeps } from '../services/deps';
import { MediaUrlSigner } from '../services/media-urls';
import { RateLimiter } from '../services/rate-limit';
import { startVerdictWebhooks } from '../services/webhooks';
import type { MediaStorage } from '../storage';
import { buildContext } from './auth';
import { mediaHandler } from './media';
import type { ApolloSettings } from './server';

export interface ApiRuntime {
  db: Database;
  config: Config;
  storage: MediaStorage;
  boss: PgBoss;
  log?: (message: string) => void;
}

function baseUrlOf(config: Config, headers: Record<string, unknown>, secure: boolean): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/$/, '');
  // Behind the dashboard's proxy the browser's origin is in X-Forwarded-*: URLs must point there.
  const first = (v: unknown) => (typeof v === 'string' ? v.split(',')[0].trim() : undefined);
  const host = first(headers['x-forwarded-host']) ?? first(headers.host) ?? `127.0.0.1:${config.apiPort}`;
  const proto = first(headers['x-forwarded-proto']) ?? (secure ? 'https' : 'http');
  return `${proto}://${host}`;
}

/** Request errors before GraphQL runs (body too large, malformed JSON or multipart), as GraphQL errors with a code. */
function requestErrorHandler(log: (m: string) => void) {
  return (
    err: Error & { status?: number; statusCode?: number },
    _req: Request,
    res: Response,
    next: NextFunction,
  ) => {
    if (res.headersSent) return next(err);
    const status = err.status ?? err.statusCode ?? 500;
    const code = status === 413 ? 'UPLOAD_TOO_LARGE' : status < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR';
    if (status >= 500) log(`api: ${err.stack ?? err.message}`);
    res.status(status).json({
      errors: [{ message: status < 500 ? err.message : 'internal server error', extensions: { code } }],
    });
  };
}

export function createApi(runtime: ApiRuntime) {
  const { db, config, storage, boss } = runtime;
  const log = runtime.log ?? ((m: string) => process.stderr.write(m + '\n'));
  const feed = new ChangeFeed(db.url);
  const deps: ServiceDeps = {
    db,
    prisma: db.prisma,
    config,
    storage,
    jobs: {
      enqueue: (input) => enqueueJob(db, boss, config, input),
      cancel: (jobId) => cancelJob(db, boss, jobId),
    },
    callers: new CallerCache(feed),
  };
  const graphqlRuntime: GraphQLRuntime = {
    deps,
    signer: new MediaUrlSigner(config.mediaUrlSecret, config.mediaUrlTtlSeconds),
    feed,
  };
  const limiter = new RateLimiter(config.rateLimitPerSecond, config.rateLimitBurst);
  const limits = queryLimitsRule({ maxDepth: config.maxQueryDepth, maxCost: config.maxQueryCost });
  const schema = buildSchema();
  const format = (f: GraphQLFormattedError, e: unknown) => formatError(f, e, log);
  const stops: (() => Promise<void> | void)[] = [];

  const configure = async (app: express.Express, server: Server) => {
    await feed.start();
    stops.push(() => feed.close());
    stops.push(startVerdictWebhooks(db.prisma, feed, config, log));

    const wsServer = new WebSocketServer({ server, path: '/graphql', maxPayload: 1024 * 1024 });
    const ws = useServer<{ authorization?: unknown }>(
      {
        schema,
        validate: (s, document) => validate(s, document, [...specifiedRules, limits]),
        context: (ctx) =>
          buildContext(graphqlRuntime, limiter, {
            authorization: ctx.connectionParams?.authorization ?? ctx.extra.request.headers.authorization,
            ip: ctx.extra.request.socket.remoteAddress ?? 'unknown',
            baseUrl: baseUrlOf(config, ctx.extra.request.headers, false),
          }),
        onNext: (_ctx, _id, _payload, _args, result) =>
          result.errors ? { ...result, errors: result.errors.map((e) => format(e.toJSON(), e)) } : result,
        onError: (_ctx, _id, _payload, errors) => errors.map((e) => format(e.toJSON(), e)),
      },
      wsServer,
    );
    stops.unshift(() => ws.dispose());

    app.get('/health', (_req, res) => void res.json({ ok: true, version: VERSION }));
    app.get('/media/:name', mediaHandler(storage, graphqlRuntime.signer));
    // Parsed here (before the host's own JSON parser) so that body errors get a code.
    app.use(
      '/graphql',
      express.json({ limit: '1mb' }),
      graphqlUploadExpress({ maxFileSize: config.maxUploadBytes, maxFiles: 1 }),
      requestErrorHandler(log),
    );
  };

  const stopBackground: ApolloServerPlugin<GraphQLContext> = {
    serverWillStart: async () => ({
      drainServer: async () => {
        for (const stop of stops.splice(0)) await stop();
      },
    }),
  };

  const apollo: ApolloSettings<GraphQLContext> = {
    validationRules: [limits],
    // Bounds parsing work before validation runs (a 10,000-alias query is ~60,000 tokens).
    parseOptions: { maxTokens: 100_000 },
    formatError: format,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    // Cache hints are unused here, and computing them costs a hook call per resolved field.
    plugins: [stopBackground, ApolloServerPluginCacheControlDisabled()],
  };

  return {
    schema,
    context: ({ req }: { req: Request }) =>
      buildContext(graphqlRuntime, limiter, {
        authorization: req.headers.authorization,
        ip: req.ip ?? 'unknown',
        baseUrl: baseUrlOf(config, req.headers, req.secure),
      }),
    configure,
    apollo,
  };
}
