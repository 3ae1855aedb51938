import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { FromDeriver, ToWorker } from './import-worker.js';
import { startImportWorker, workerFailure } from './worker.js';
import { batchDeriver, type DeriveInput, type DeriveOutput, type DeriveSetup } from './derive-batch.js';

/**
 * Where a delivery's learners are derived: in worker threads, so that the
 * writer appends one batch while the next ones are derived, or in the
 * calling thread.
 */
export interface Deriver {
  /** Batches are answered in the order they were handed in. */
  derive(input: DeriveInput): Promise<DeriveOutput>;
  /** How many batches the writer should keep handed in beyond the one it appends: more would only wait in a queue. */
  readonly ahead: number;
  close(): Promise<void>;
}

export function inlineDeriver(setup: DeriveSetup): Deriver {
  const derive = batchDeriver(setup);
  return { derive: async (input) => derive(input), ahead: 1, close: async () => undefined };
}

/**
 * Deriving and encoding a batch costs about three times what appending it
 * costs the writer, so with one worker the writer sat idle half the time:
 * two workers take the batches in turn, and the writer's appends fit in
 * between on two cores.
 */
export function defaultDeriveWorkers(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}

/**
 * Derive on worker threads: `workers` started here (and stopped by close),
 * or threads the caller started and stops (startImportWorker).
 */
export function threadDeriver(setup: DeriveSetup, workers: number | readonly Worker[] = defaultDeriveWorkers()): Deriver {
  const own = typeof workers === 'number';
  const pool = own ? Array.from({ length: Math.max(1, workers) }, () => startImportWorker()) : workers;
  const waiting = new Map<number, { resolve: (o: DeriveOutput) => void; reject: (e: Error) => void }>();
  let seq = 0;
  let failure: Error | null = null;
  const failAll = (err: Error) => {
    failure ??= err;
    for (const w of waiting.values()) w.reject(failure);
    waiting.clear();
  };
  const onMessage = (m: FromDeriver) => {
    if (m.kind !== 'derived') return;
    const w = waiting.get(m.seq);
    if (w === undefined) return;
    waiting.delete(m.seq);
    if (m.error) {
      const err = new Error(m.error.message);
      if (m.error.stack) err.stack = m.error.stack;
      w.reject(err);
    } else w.resolve({ counts: m.counts!, appends: m.appends! });
  };
  const onExit = (code: number) => failAll(new Error(`the derivation worker stopped (exit code ${code})`));
  for (const worker of pool) {
    worker.on('message', onMessage);
    worker.on('error', failAll);
    worker.on('exit', onExit);
    worker.postMessage({ kind: 'setup', setup } satisfies ToWorker);
    const failed = workerFailure(worker);
    if (failed) failAll(failed);
  }
  return {
    derive(input) {
      if (failure) return Promise.reject(failure);
      const id = seq++;
      return new Promise<DeriveOutput>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        pool[id % pool.length]!.postMessage({ kind: 'derive', seq: id, input } satisfies ToWorker);
      });
    },
    ahead: pool.length,
    async close() {
      failAll(new Error('the derivation worker was closed'));
      for (const worker of pool) {
        worker.off('message', onMessage);
        worker.off('error', failAll);
        worker.off('exit', onExit);
      }
      if (own) await Promise.all(pool.map((w) => w.terminate()));
    },
  };
}
