export { sourceWorker, type SourceWorkerOptions } from './source-worker.js';
