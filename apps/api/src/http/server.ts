// The HTTP host of the API: express 5 with Apollo Server at /graphql, plus whatever routes the
// caller adds (`configure`). Binding errors become ApiServerError with a code, not a stack trace.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerOptions, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { GraphQLSchema } from 'graphql';

export interface HttpServerOptions<C extends BaseContext> {
  host: string;
  port: number;
  schema: GraphQLSchema;
  context: (args: { req: express.Request; res: express.Response }) => Promise<C>;
  /** Adds routes and middleware before /graphql (media downloads, webhooks, ...). */
  configure?: (app: express.Express, server: http.Server) => void | Promise<void>;
  /** Apollo settings of the API (validation rules, error formatting, plugins, ...). */
  apollo?: ApolloSettings<C>;
}

/** The Apollo options an app may set. */
export type ApolloSettings<C extends BaseContext> = Pick<
  ApolloServerOptions<C>,
  | 'validationRules'
  | 'formatError'
  | 'parseOptions'
  | 'includeStacktraceInErrorResponses'
  | 'introspection'
  | 'plugins'
>;

export interface HttpServer {
  url: string;
  server: http.Server;
  close(): Promise<void>;
}

export class ApiServerError extends Error {
  readonly code = 'API_PORT_IN_USE';
}

export async function startHttpServer<C extends BaseContext>(
  options: HttpServerOptions<C>,
): Promise<HttpServer> {
  const app = express();
  app.disable('x-powered-by');
  // Answers are GraphQL POSTs, never revalidated: hashing every body for an ETag would be wasted work.
  app.set('etag', false);
  const server = http.createServer(app);
  const apollo = new ApolloServer<C>({
    ...options.apollo,
    schema: options.schema,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer: server }), ...(options.apollo?.plugins ?? [])],
    // The app stops the server itself, in order; Apollo's own handler would re-raise the signal.
    stopOnTerminationSignals: false,
  });
  await apollo.start();
  await options.configure?.(app, server);
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, { context: options.context }),
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES')
        reject(
          new ApiServerError(
            `the API cannot listen on ${options.host}:${options.port} (${err.code === 'EACCES' ? 'not allowed' : 'port in use'}); set UNDUB_API_PORT to a free port`,
          ),
        );
      else reject(err);
    });
    server.listen(options.port, options.host, resolve);
  }).catch(async (err: unknown) => {
    await apollo.stop();
    throw err;
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${port}`,
    server,
    async close() {
      // Stops accepting, drains open requests, then closes.
      await apollo.stop();
      server.closeAllConnections();
    },
  };
}
