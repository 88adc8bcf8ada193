// `undub start`: the database (embedded unless DATABASE_URL) with migrations applied, the API,
// the job workers and the dashboard; Ctrl-C stops them in reverse order. `undub worker`: one worker.
import type { Command } from 'commander';
import { loadConfig, type Config } from '../config';
import { openDatabase } from '../db';
import { createApi } from '../http/api';
import { startHttpServer } from '../http/server';
import { isPortFree } from '../ports';
import { openBoss } from '../queue';
import { createStorage } from '../storage';
import { registerProductHandlers, runWorkerProcess } from '../worker';
import { startDashboard, startWorkers } from './children';
import { CliError, printResult, progress } from './output';
import { waitForShutdown } from './signals';

async function checkPortFree(host: string, port: number, code: string, setting: string): Promise<void> {
  if (!(await isPortFree(port, host)))
    throw new CliError(code, `port ${port} is in use on ${host}; set ${setting} to a free port`);
}

const hidePassword = (url: string) => url.replace(/\/\/([^:/@]+):[^@]+@/, '//$1:***@');

async function start(config: Config): Promise<void> {
  // Undone in reverse order on Ctrl-C, or when start-up fails half-way.
  const cleanup: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const step of cleanup.reverse())
      await step().catch((err: Error) => progress(`while stopping: ${err.message}`));
  };
  try {
    await checkPortFree(config.apiHost, config.apiPort, 'API_PORT_IN_USE', 'UNDUB_API_PORT');
    if (config.dashboardMode !== 'off')
      await checkPortFree('0.0.0.0', config.dashboardPort, 'DASHBOARD_PORT_IN_USE', 'UNDUB_DASHBOARD_PORT');

    progress(
      config.databaseUrl
        ? 'connecting to DATABASE_URL…'
        : `starting the embedded database in ${config.dataDir}/pg…`,
    );
    const db = await openDatabase(config);
    cleanup.push(() => db.close());
    const storage = createStorage(config);
    const boss = await openBoss(db.url, config, 'api');
    cleanup.push(() => boss.stop({ graceful: false }));
    const api = createApi({ db, config, storage, boss });
    const http = await startHttpServer({ host: config.apiHost, port: config.apiPort, ...api });
    cleanup.push(() => http.close());
    const workers = startWorkers(config.workers, db.url);
    cleanup.push(() => workers.stop());
    const dashboard = startDashboard(config, http.url);
    cleanup.push(() => dashboard.stop());

    const urls = {
      api: `${http.url}/graphql`,
      dashboard: dashboard.url,
      database: config.databaseUrl
        ? hidePassword(db.url)
        : `embedded PostgreSQL in ${config.dataDir}/pg (${hidePassword(db.url)})`,
      workers: config.workers,
    };
    printResult(
      urls,
      [
        'undub is running',
        `  API (GraphQL)  ${urls.api}`,
        `  Dashboard      ${urls.dashboard ? `${urls.dashboard}${dashboard.mode === 'dev' ? ' (next dev: the first page load compiles)' : ''}` : 'off'}`,
        `  Database       ${urls.database}`,
        `  Workers        ${config.workers}`,
        'Press Ctrl-C to stop.',
      ].join('\n'),
    );
  } catch (err) {
    await stopAll();
    throw err;
  }
  await waitForShutdown(() => process.exit(130));
  progress('stopping… (Ctrl-C again to force)');
  await stopAll();
  progress('stopped');
}

export function registerStartCommands(program: Command): void {
  program
    .command('start')
    .description('run everything: database (embedded unless DATABASE_URL), API, workers, dashboard')
    .action(() => start(loadConfig()));

  program
    .command('worker')
    .description('run a job worker against DATABASE_URL (`undub start` runs these itself)')
    .action(async () => {
      registerProductHandlers();
      await runWorkerProcess(loadConfig(), progress);
    });
}
