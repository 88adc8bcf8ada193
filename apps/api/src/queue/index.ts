export { DEAD_LETTER_QUEUE, JOB_QUEUES, jobOptions, openBoss, QUEUE_SCHEMA, type QueueMessage } from './boss';
export { cancelJob, enqueueJob, QueueError, type EnqueueJobInput } from './jobs';
