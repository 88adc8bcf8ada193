// A worker process (`undub worker`, also started by `undub start`): opens the database (already
// migrated by whoever started it), runs jobs until SIGINT/SIGTERM, then finishes the running ones.
import type { Config } from '../config';
import { waitForShutdown } from '../cli/signals';
import { openDatabase } from '../db';
import { createStorage } from '../storage';
import { registeredJobKinds } from './registry';
import { startWorker } from './worker';

export async function runWorkerProcess(config: Config, log: (line: string) => void): Promise<void> {
  const db = await openDatabase(config, { migrate: false });
  const worker = await startWorker({ db, storage: createStorage(config), config, log });
  log(`worker ${worker.workerId} ready (${registeredJobKinds().join(', ') || 'no job kinds'})`);
  // Started by `undub start` (IPC channel): also stop when that process is gone, even if killed.
  const parentGone = new Promise((resolve) => process.once('disconnect', resolve));
  await waitForShutdown(() => process.exit(130), process.send ? parentGone : undefined);
  log(`worker ${worker.workerId} stopping`);
  await worker.stop();
  await db.close();
  // An open IPC channel would keep this process alive.
  if (process.connected) process.disconnect();
}
