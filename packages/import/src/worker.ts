import { Worker } from 'node:worker_threads';
import { sourceWorker } from '@leerroutes/threads';

/**
 * A larger young generation than V8's default, as the rebuild's worker has
 * (rebuild-thread.ts): reading and deriving make millions of short-lived
 * rows, events and key strings. At 110,000 learners each worker spent
 * 2.1 s collecting with the default, 1.3 s with 64 MB (0.9 s with 128 MB, at
 * about 200 MiB more peak memory); in five alternating pairs of whole
 * imports, 64 MB took 16.1 s on average against 16.6 s, 0.8 s less CPU, at
 * about 40 MiB more peak memory.
 */
const resourceLimits = { maxYoungGenerationSizeMb: 64 };

/**
 * Start an import worker thread (import-worker.ts). From source (tsx,
 * vitest) it is TypeScript, which a worker thread of Node 20 does not load:
 * it is bundled first (@leerroutes/threads). Loading it still takes a
 * while, which is why an import starts its workers before it needs them.
 */
export function startImportWorker(): Worker {
  const worker = import.meta.url.endsWith('.ts') ? fromSource() : new Worker(new URL('./import-worker.js', import.meta.url), { resourceLimits });
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
  return sourceWorker(new URL('./import-worker.ts', import.meta.url).href, { resourceLimits });
}
