// Entry point of worker processes spawned by queue tests: the real worker with the test handler.
import { loadConfig } from '../../src/config';
import { runWorkerProcess } from '../../src/worker';
import { registerTestHandler } from './test-handler';

registerTestHandler();
await runWorkerProcess(loadConfig(), (line) => process.stderr.write(line + '\n'));
