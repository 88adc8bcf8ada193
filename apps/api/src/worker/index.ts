export { registerProductHandlers } from './handlers';
export { runWorkerProcess } from './process';
export {
  getJobHandler,
  JobError,
  registeredJobKinds,
  registerJobHandler,
  type JobContext,
  type JobHandler,
  type JobStage,
} from './registry';
export { startWorker, type StartWorkerOptions, type Worker } from './worker';
