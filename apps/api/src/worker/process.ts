// A worker process (`undub worker`, also started by `undub start`): opens the database (already
// migrated by whoever started it), runs jobs until SIGINT/SIGTERM, then finishes the running ones.
import type { Config } from '../config';
import { openDatabase } from '../db';
import { createStorage } from '../storage';
import { registeredJobKinds } from './registry';
import { startWorker } from './worker';

export async function runWorkerProcess(config: Config, log: (line: string) => void): Promise<void> {
  const db = await openDatabase(config, { migrate: false });
  const worker = await startWorker({ db, storage: createStorage(config), config });
  log(`worker ${worker.workerId} ready (${registeredJobKinds().join(', ') || 'no job kinds'})`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log(`worker ${worker.workerId} stopping`);
  await worker.stop();
  await db.close();
}
