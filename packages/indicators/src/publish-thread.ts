import { availableParallelism } from 'node:os';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { sourceWorker } from '@leerroutes/threads';
import type { FromPublisher, ToPublisher } from './publish-worker.js';
import type { Publisher, Published } from './publisher.js';
import { packTable, transferables, unpackRows } from './publish-transfer.js';

/** One per core, at most two: two large tables publish side by side, and the cores stay shared with DuckDB's threads. */
export function defaultPublishThreads(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}

interface Job {
  readonly message: ToPublisher;
  resolve(p: Published): void;
  reject(e: Error): void;
}

interface Thread {
  worker: Worker | null;
  job: Job | null;
}

/**
 * Publish in `threads` worker threads (publisher.ts says why), each one
 * request at a time, the rest queued in order. The threads start at once, so
 * that their loading is done before the first request; they do not keep the
 * process alive while idle. A thread that dies fails its request only: the
 * next request starts a new one.
 */
export function threadPublisher(threads: number = defaultPublishThreads(), options: { readonly resourceLimits?: ResourceLimits } = {}): Publisher {
  const workerOptions = options.resourceLimits ? { resourceLimits: options.resourceLimits } : {};
  const pool: Thread[] = Array.from({ length: Math.max(1, threads) }, () => ({ worker: null, job: null }));
  const queue: Job[] = [];
  let seq = 0;
  let closed = false;

  const fail = (t: Thread, worker: Worker, err: Error) => {
    if (t.worker !== worker) return;
    t.worker = null;
    const job = t.job;
    t.job = null;
    job?.reject(err);
    if (!closed) next();
  };
  const start = (t: Thread): Worker => {
    const worker = import.meta.url.endsWith('.ts')
      ? sourceWorker(new URL('./publish-worker.ts', import.meta.url).href, workerOptions)
      : new Worker(new URL('./publish-worker.js', import.meta.url), workerOptions);
    worker.unref();
    worker.on('message', (m: FromPublisher) => {
      const job = t.job;
      if (t.worker !== worker || job === null || job.message.seq !== m.seq) return;
      t.job = null;
      worker.unref();
      if ('error' in m) {
        const err = new Error(m.error.message);
        if (m.error.stack) err.stack = m.error.stack;
        job.reject(err);
        next();
      } else {
        // The thread takes its next request while the rows are unpacked here.
        next();
        unpackRows(m.rows).then((rows) => job.resolve({ rows, unprotected: m.unprotected }), job.reject);
      }
    });
    worker.on('error', (err) => fail(t, worker, err));
    worker.on('exit', (code) => fail(t, worker, new Error(`the publishing thread stopped (exit code ${code})`)));
    t.worker = worker;
    return worker;
  };
  const next = () => {
    for (const t of pool) {
      if (queue.length === 0) return;
      if (t.job !== null) continue;
      const job = queue.shift()!;
      const worker = t.worker ?? start(t);
      t.job = job;
      worker.ref();
      try {
        const { message } = job;
        worker.postMessage(message, [...transferables(message.table), ...message.related.flatMap(([, t]) => transferables(t))]);
      } catch (err) {
        t.job = null;
        worker.unref();
        job.reject(err instanceof Error ? err : new Error(String(err)));
      }
    }
  };
  for (const t of pool) start(t);

  return {
    async publish(request, table, related) {
      if (closed) throw new Error('the publisher is closed');
      const message: ToPublisher = {
        seq: seq++, request, table: await packTable(table),
        related: await Promise.all([...related].map(async ([indicator, t]) => [indicator, await packTable(t)] as const)),
      };
      if (closed) throw new Error('the publisher was closed');
      return new Promise<Published>((resolve, reject) => {
        queue.push({ message, resolve, reject });
        next();
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const job of queue.splice(0)) job.reject(new Error('the publisher was closed'));
      await Promise.all(pool.map(async (t) => {
        const worker = t.worker;
        if (worker === null) return;
        const job = t.job;
        t.worker = null;
        t.job = null;
        job?.reject(new Error('the publisher was closed'));
        await worker.terminate();
      }));
    },
  };
}
