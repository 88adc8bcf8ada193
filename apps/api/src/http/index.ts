// The API on its own (tests, embedding): the job queue client, the API of ./api, the HTTP host
// of ./server. `undub start` assembles the same parts itself.
import type { Config } from '../config';
import type { Database } from '../db';
import { openBoss } from '../queue';
import { createStorage, type MediaStorage } from '../storage';
import { createApi } from './api';
import { startHttpServer } from './server';

export { createApi, type ApiRuntime } from './api';
export { startHttpServer, ApiServerError, type HttpServer } from './server';

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

export async function startApi(
  config: Config,
  db: Database,
  options: StartApiOptions = {},
): Promise<ApiServer> {
  const boss = await openBoss(db.url, config, 'api');
  try {
    const api = createApi({
      db,
      config,
      boss,
      storage: options.storage ?? createStorage(config),
      log: options.log,
    });
    const http = await startHttpServer({
      host: options.host ?? config.apiHost,
      port: options.port ?? config.apiPort,
      ...api,
    });
    return {
      url: http.url,
      async close() {
        await http.close();
        await boss.stop({ graceful: false });
      },
    };
  } catch (err) {
    await boss.stop({ graceful: false });
    throw err;
  }
}
