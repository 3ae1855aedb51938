import { Worker } from 'node:worker_threads';
import { sourceWorker } from '@leerroutes/threads';

/**
 * Start an import worker thread (import-worker.ts). From source (tsx,
 * vitest) it is TypeScript, which a worker thread of Node 20 does not load:
 * it is bundled first (@leerroutes/threads). Loading it still takes a
 * while, which is why an import starts its workers before it needs them.
 */
export function startImportWorker(): Worker {
  const worker = import.meta.url.endsWith('.ts') ? fromSource() : new Worker(new URL('./import-worker.js', import.meta.url));
  // A worker may fail while nobody listens (between two reads, or before derivation starts): that is kept for its user to
  // find, instead of an 'error' nobody listens to ending the process, or an exit nobody saw leaving its user waiting.
  worker.on('error', (err) => { failures.set(worker, err); });
  worker.on('exit', (code) => { if (!failures.has(worker)) failures.set(worker, new Error(`the import worker stopped (exit code ${code})`)); });
  return worker;
}

const failures = new WeakMap<Worker, Error>();

/** Why the worker can no longer work, if it cannot. */
export function workerFailure(worker: Worker): Error | undefined {
  return failures.get(worker);
}

function fromSource(): Worker {
  return sourceWorker(new URL('./import-worker.ts', import.meta.url).href);
}
