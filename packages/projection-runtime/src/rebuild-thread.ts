/**
 * A full rebuild with the log read and prepared in worker threads: the
 * workers decode the events and fold them (every projection's `prepare`)
 * while this thread writes what the previous batches gave into the views.
 * Measured at 20,000 learners, reading and folding were about half of a
 * rebuild's time and the views' appends and commit the other half, so on two
 * cores the two halves overlap instead of taking turns.
 *
 * With one worker, at 110,000 learners the worker was busy 34 of 39 s while
 * the writer idled 17 s: the fold is the longer half, and a fifth of it was
 * young-generation collections copying the events of the batch being folded.
 * A worker now reads and folds a batch in slices (ReadRange.sliceSize, where
 * every projection can prepare a batch in slices: Projection.combine or
 * prepareInSlices), so that a slice's events die young. Several workers take
 * the log's position spans in turn (span i goes to worker i mod n), which is
 * sound because a batch's prepare depends only on the log, never on what
 * earlier batches prepared (a learner is folded whole, from the log, in the
 * batch that holds the learner's last event); the writer applies the spans
 * in log order.
 *
 * Functions do not cross threads, so the worker builds its own store and
 * projections: it imports `module` and calls its `openRebuildSource(data)`.
 * What `prepare` returns crosses by structured clone; row blocks
 * (row-block.ts) in it are moved, not copied.
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { sourceWorker } from '@leerroutes/threads';
import { availableParallelism } from 'node:os';
import type { EventStore } from '@leerroutes/event-store';
import type { Projection } from './projection.js';

/** Where the worker gets its store and projections: a module exporting `openRebuildSource(data): Promise<RebuildThreadSetup>`. */
export interface RebuildThread {
  /** A file URL (or path) of the module. */
  readonly module: string;
  /** Passed to openRebuildSource (structured-cloneable: a log's path or URL, say). */
  readonly data?: unknown;
  /** Worker threads preparing spans in turn (default: defaultRebuildWorkers()). */
  readonly workers?: number;
}

/** What openRebuildSource gives the worker: the same log and the same projections, by name, as the session's. */
export interface RebuildThreadSetup {
  readonly store: EventStore;
  readonly projections: readonly Projection[];
  readonly close?: () => Promise<void>;
}

/** One batch as the worker prepared it: its size and positions, and each projection's prepared value. */
export interface PreparedSpan {
  readonly count: number;
  readonly first: number;
  readonly last: number;
  readonly prepared: ReadonlyMap<string, unknown>;
}

/** What the writer asks: the log from `after` to `until`, in spans of `batchSize` positions, of which a worker prepares every `stride`-th from its `offset`. */
export type ReadRange = {
  readonly kind: 'read'; readonly after: number; readonly until: number; readonly batchSize: number;
  /** Positions a worker reads and prepares at a time within a span, when every target prepares in slices (Projection.combine or prepareInSlices). */
  readonly sliceSize?: number;
  readonly targets: readonly { readonly name: string; readonly position: number }[];
};

export type ToThread =
  | (ReadRange & { readonly offset: number; readonly stride: number })
  | { readonly kind: 'more' };

export type FromThread =
  | { readonly kind: 'batch'; readonly count: number; readonly first: number; readonly last: number; readonly prepared: [string, unknown][] }
  | { readonly kind: 'end' }
  | { readonly kind: 'error'; readonly message: string; readonly stack?: string };

/** Batches the workers together may have prepared ahead of the writer: enough to keep all busy, few enough to bound memory. */
const AHEAD = 2;

/**
 * The fold makes millions of short-lived objects (a pathway per learner and
 * knowledge day, its rows): with V8's default young generation the worker
 * spent a quarter of its time collecting them. 192 MB with three batches
 * ahead put the national rebuild at 1,208 MiB peak RSS; 64 MB and two
 * batches took 51 MiB off, at no measurable cost in time. With slices,
 * 16 or 32 MB took 30-70 MiB off at 110,000 learners but cost 15-40% more
 * time (more collections, each copying what the slice still holds).
 */
const YOUNG_GENERATION_MB = 64;

/** Started workers; `read` may be called once. */
export interface RebuildWorker {
  read(range: ReadRange): AsyncIterable<PreparedSpan>;
  close(): Promise<void>;
}

/**
 * One: on two cores a second worker competes with the writer for the same
 * CPU, and at 110,000 learners it cost about 200 MiB more peak memory (with
 * the national rebuild already at 947-999 MiB, over the 1 GiB budget); more cores are
 * where it can pay.
 */
export function defaultRebuildWorkers(): number {
  return availableParallelism() > 2 ? 2 : 1;
}

export function startRebuildWorker(thread: RebuildThread): RebuildWorker {
  const module = thread.module.startsWith('file:') ? thread.module : pathToFileURL(thread.module).href;
  const n = Math.max(1, thread.workers ?? defaultRebuildWorkers());
  const ahead = Math.max(1, Math.floor(AHEAD / n));
  const workers = Array.from({ length: n }, () => spawn({ module, data: thread.data, ahead }));
  // Each worker's messages in arrival order; spans are taken from them in turn.
  const queues: FromThread[][] = workers.map(() => []);
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => { const w = wake; wake = null; w?.(); };
  workers.forEach((worker, k) => {
    worker.on('message', (m: FromThread) => { queues[k]!.push(m); notify(); });
    worker.on('error', (err) => { failure ??= err; notify(); });
    worker.on('exit', (code) => { failure ??= new Error(`the rebuild thread stopped (exit code ${code})`); notify(); });
  });
  let closed = false;
  return {
    async *read(range) {
      workers.forEach((worker, k) => worker.postMessage({ ...range, offset: k, stride: n } satisfies ToThread));
      for (let span = 0; ; span++) {
        const k = span % n;
        let m: FromThread | undefined;
        for (;;) {
          // A failure anywhere ends the rebuild, even while this span's worker still works.
          if (failure) throw failure;
          const error = queues.find((q) => q.some((x) => x.kind === 'error'))?.find((x) => x.kind === 'error');
          if (error?.kind === 'error') {
            const err = new Error(`the rebuild thread failed: ${error.message}`);
            if (error.stack) err.stack = `${err.message}\n${error.stack}`;
            throw err;
          }
          m = queues[k]!.shift();
          if (m) break;
          await new Promise<void>((resolve) => { wake = resolve; });
        }
        // The worker whose turn it is has no span left: no worker has.
        if (m.kind === 'end') return;
        if (m.kind !== 'batch') continue;
        workers[k]!.postMessage({ kind: 'more' } satisfies ToThread);
        if (m.count === 0) continue;
        yield { count: m.count, first: m.first, last: m.last, prepared: new Map(m.prepared) };
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      failure ??= new Error('the rebuild thread was closed');
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/**
 * From source (tsx, vitest) the worker's module is TypeScript, which a worker
 * thread of Node 20 does not load: it is bundled first, with the setup module
 * it imports (@leerroutes/threads says why and how).
 */
function spawn(workerData: { module: string; data: unknown; ahead: number }): Worker {
  const resourceLimits = { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./rebuild-worker.js', import.meta.url), { workerData, resourceLimits });
  return sourceWorker(new URL('./rebuild-worker.ts', import.meta.url).href, { workerData, resourceLimits, modules: [workerData.module] });
}
