import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Start an import worker thread (import-worker.ts). From source (tsx,
 * vitest) it is TypeScript, which a worker thread of Node 20 does not load
 * even when the process has the tsx loader in its flags: it is then imported
 * through tsx's own API. Loading it takes a while (the more so through tsx),
 * which is why an import starts its workers before it needs them.
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
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/package.json').replace(/package\.json$/, 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./import-worker.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(tsxApi)}).then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`;
  return new Worker(code, { eval: true });
}
