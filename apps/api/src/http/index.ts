// The API's HTTP server: GraphQL (Apollo) at /graphql with multipart uploads, GraphQL subscriptions
// over WebSocket on the same path (graphql-ws), signed media at /media, liveness at /health.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type NextFunction, type Request, type Response } from 'express';
import { specifiedRules, validate, type GraphQLFormattedError } from 'graphql';
import graphqlUploadExpress from 'graphql-upload/graphqlUploadExpress.mjs';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Config } from '../config';
import type { Database } from '../db';
import { buildSchema, formatError, queryLimitsRule, type ApiRuntime, type GraphQLContext } from '../graphql';
import { VERSION } from '../graphql/resolvers/query';
import { cancelJob, enqueueJob, openBoss } from '../queue';
import { ChangeFeed } from '../services/change-feed';
import type { ServiceDeps } from '../services/deps';
import { MediaUrlSigner } from '../services/media-urls';
import { RateLimiter } from '../services/rate-limit';
import { startVerdictWebhooks } from '../services/webhooks';
import { createStorage, type MediaStorage } from '../storage';
import { buildContext } from './auth';
import { mediaHandler } from './media';

export interface ApiServer {
  url: string;
  close(): Promise<void>;
}

export interface StartApiOptions {
  /** Port to listen on (default config.apiPort; 0 for any free port). */
  port?: number;
  host?: string;
  storage?: MediaStorage;
  log?: (message: string) => void;
}

function baseUrlOf(
  config: Config,
  headers: Record<string, unknown>,
  fallbackHost: string,
  secure: boolean,
): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/$/, '');
  // Behind the dashboard's proxy the browser's origin is in X-Forwarded-*: URLs must point there.
  const first = (v: unknown) => (typeof v === 'string' ? v.split(',')[0].trim() : undefined);
  const host = first(headers['x-forwarded-host']) ?? first(headers.host) ?? fallbackHost;
  const proto = first(headers['x-forwarded-proto']) ?? (secure ? 'https' : 'http');
  return `${proto}://${host}`;
}

/** Express's last resort: request errors before GraphQL (body too large, malformed multipart, bad JSON). */
function requestErrorHandler(log: (m: string) => void) {
  return (
    err: Error & { status?: number; statusCode?: number; type?: string },
    _req: Request,
    res: Response,
    next: NextFunction,
  ) => {
    if (res.headersSent) return next(err);
    const status = err.status ?? err.statusCode ?? 500;
    const code = status === 413 ? 'UPLOAD_TOO_LARGE' : status < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR';
    if (status >= 500) log(`api: ${err.stack ?? err.message}`);
    const message = status < 500 ? err.message : 'internal server error';
    res.status(status).json({ errors: [{ message, extensions: { code } }] });
  };
}

export async function startApi(
  config: Config,
  db: Database,
  options: StartApiOptions = {},
): Promise<ApiServer> {
  const log = options.log ?? ((m: string) => process.stderr.write(m + '\n'));
  const storage = options.storage ?? createStorage(config);
  const boss = await openBoss(db.url, config, 'api');
  const deps: ServiceDeps = {
    prisma: db.prisma,
    config,
    storage,
    jobs: {
      enqueue: (input) => enqueueJob(db, boss, config, input),
      cancel: (jobId) => cancelJob(db, boss, jobId),
    },
  };
  const feed = new ChangeFeed(db.url);
  await feed.start();
  const stopWebhooks = startVerdictWebhooks(db.prisma, feed, config, log);
  const runtime: ApiRuntime = {
    deps,
    signer: new MediaUrlSigner(config.mediaUrlSecret, config.mediaUrlTtlSeconds),
    feed,
  };
  const limiter = new RateLimiter(config.rateLimitPerSecond, config.rateLimitBurst);
  const limits = queryLimitsRule({ maxDepth: config.maxQueryDepth, maxCost: config.maxQueryCost });
  const schema = buildSchema();

  const app = express();
  const httpServer: Server = createServer(app);
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: 1024 * 1024 });
  const format = (f: GraphQLFormattedError, e: unknown) => formatError(f, e, log);
  const wsCleanup = useServer<{ authorization?: unknown }>(
    {
      schema,
      validate: (s, document) => validate(s, document, [...specifiedRules, limits]),
      context: (ctx) =>
        buildContext(runtime, limiter, {
          authorization: ctx.connectionParams?.authorization ?? ctx.extra.request.headers.authorization,
          ip: ctx.extra.request.socket.remoteAddress ?? 'unknown',
          baseUrl: baseUrlOf(config, ctx.extra.request.headers, `127.0.0.1:${config.apiPort}`, false),
        }),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((e) => format(e.toJSON(), e)) } : result,
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => format(e.toJSON(), e)),
    },
    wsServer,
  );

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    validationRules: [limits],
    // Bounds parsing work before validation runs (a 10,000-alias query is ~60,000 tokens).
    parseOptions: { maxTokens: 100_000 },
    formatError: format,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      { serverWillStart: async () => ({ drainServer: async () => void (await wsCleanup.dispose()) }) },
    ],
  });
  await apollo.start();

  app.get('/health', (_req, res) => void res.json({ ok: true, version: VERSION }));
  app.get('/media/:name', mediaHandler(storage, runtime.signer));
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    graphqlUploadExpress({ maxFileSize: config.maxUploadBytes, maxFiles: 1 }),
    expressMiddleware(apollo, {
      context: ({ req }) =>
        buildContext(runtime, limiter, {
          authorization: req.headers.authorization,
          ip: req.ip ?? 'unknown',
          baseUrl: baseUrlOf(config, req.headers, req.get('host') ?? 'localhost', req.secure),
        }),
    }),
  );
  app.use(requestErrorHandler(log));

  const port = options.port ?? config.apiPort;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const address = httpServer.address() as AddressInfo;
  let closed = false;
  return {
    url: `http://${host}:${address.port}`,
    async close() {
      if (closed) return;
      closed = true;
      stopWebhooks();
      await apollo.stop();
      await feed.close();
      await boss.stop({ graceful: true, timeout: 5000 });
    },
  };
}
