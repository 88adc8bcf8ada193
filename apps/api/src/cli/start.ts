// `undub start`: the database (embedded unless DATABASE_URL), then waits for Ctrl-C.
import type { Command } from 'commander';
import { loadConfig } from '../config';
import { openDatabase } from '../db';
import { registerProductHandlers, runWorkerProcess } from '../worker';
import { printResult, progress } from './output';

export function registerStartCommands(program: Command): void {
  program
    .command('start')
    .description('start the database (embedded unless DATABASE_URL is set) with migrations applied')
    .action(async () => {
      const config = loadConfig();
      progress(
        config.databaseUrl
          ? 'connecting to DATABASE_URL…'
          : `starting the embedded database in ${config.dataDir}/pg…`,
      );
      const db = await openDatabase(config);
      printResult(
        { database: db.url.replace(/:[^:@/]+@/, ':***@') },
        `database ready: ${db.url.replace(/:[^:@/]+@/, ':***@')}`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      progress('stopping…');
      await db.close();
    });

  program
    .command('worker')
    .description('run a job worker against DATABASE_URL (`undub start` runs these itself)')
    .action(async () => {
      registerProductHandlers();
      await runWorkerProcess(loadConfig(), progress);
    });
}
