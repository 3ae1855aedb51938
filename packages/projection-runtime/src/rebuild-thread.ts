/**
 * A full rebuild with the log read and prepared in a worker thread: the
 * worker decodes the events and folds them (every projection's `prepare`)
 * while this thread writes what the previous batches gave into the views.
 * Measured at 20,000 learners, reading and folding were about half of a
 * rebuild's time and the views' appends and commit the other half, so on two
 * cores the two halves overlap instead of taking turns.
 *
 * Functions do not cross threads, so the worker builds its own store and
 * projections: it imports `module` and calls its `openRebuildSource(data)`.
 * What `prepare` returns crosses by structured clone; row blocks
 * (row-block.ts) in it are moved, not copied.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EventStore } from '@leerroutes/event-store';
import type { Projection } from './projection.js';

/** Where the worker gets its store and projections: a module exporting `openRebuildSource(data): Promise<RebuildThreadSetup>`. */
export interface RebuildThread {
  /** A file URL (or path) of the module. */
  readonly module: string;
  /** Passed to openRebuildSource (structured-cloneable: a log's path or URL, say). */
  readonly data?: unknown;
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

export type ToThread =
  | { readonly kind: 'read'; readonly after: number; readonly until: number; readonly batchSize: number; readonly targets: readonly { readonly name: string; readonly position: number }[] }
  | { readonly kind: 'more' };

export type FromThread =
  | { readonly kind: 'batch'; readonly count: number; readonly first: number; readonly last: number; readonly prepared: [string, unknown][] }
  | { readonly kind: 'end' }
  | { readonly kind: 'error'; readonly message: string; readonly stack?: string };

/** Batches the worker may have prepared ahead of the writer: enough to keep both busy, few enough to bound memory. */
const AHEAD = 2;

/**
 * The fold makes millions of short-lived objects (a pathway per learner and
 * knowledge day, its rows): with V8's default young generation the worker
 * spent a quarter of its time collecting them. 192 MB with three batches
 * ahead put the national rebuild at 1,208 MiB peak RSS; 64 MB and two
 * batches took 51 MiB off, at no measurable cost in time.
 */
const YOUNG_GENERATION_MB = 64;

/** A started worker; `read` may be called once. */
export interface RebuildWorker {
  read(range: Extract<ToThread, { kind: 'read' }>): AsyncIterable<PreparedSpan>;
  close(): Promise<void>;
}

export function startRebuildWorker(thread: RebuildThread): RebuildWorker {
  const module = thread.module.startsWith('file:') ? thread.module : pathToFileURL(thread.module).href;
  const worker = spawn({ module, data: thread.data, ahead: AHEAD });
  const queue: FromThread[] = [];
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => { const w = wake; wake = null; w?.(); };
  worker.on('message', (m: FromThread) => { queue.push(m); notify(); });
  worker.on('error', (err) => { failure ??= err; notify(); });
  worker.on('exit', (code) => { failure ??= new Error(`the rebuild thread stopped (exit code ${code})`); notify(); });
  let closed = false;
  return {
    async *read(range) {
      worker.postMessage(range satisfies ToThread);
      for (;;) {
        const m = queue.shift();
        if (!m) {
          if (failure) throw failure;
          await new Promise<void>((resolve) => { wake = resolve; });
          continue;
        }
        if (m.kind === 'end') return;
        if (m.kind === 'error') {
          const err = new Error(`the rebuild thread failed: ${m.message}`);
          if (m.stack) err.stack = `${err.message}\n${m.stack}`;
          throw err;
        }
        worker.postMessage({ kind: 'more' } satisfies ToThread);
        yield { count: m.count, first: m.first, last: m.last, prepared: new Map(m.prepared) };
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      failure ??= new Error('the rebuild thread was closed');
      await worker.terminate();
    },
  };
}

/**
 * From source (tsx, vitest) the worker's module is TypeScript, which a worker
 * thread of Node 20 does not load even when the process has the tsx loader
 * in its flags: it is then imported through tsx's own API, as is the setup
 * module it imports (derive-thread.ts in the import does the same).
 */
function spawn(workerData: { module: string; data: unknown; ahead: number }): Worker {
  const resourceLimits = { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./rebuild-worker.js', import.meta.url), { workerData, resourceLimits });
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/package.json').replace(/package\.json$/, 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./rebuild-worker.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(tsxApi)}).then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`;
  return new Worker(code, { workerData: { ...workerData, tsxApi }, eval: true, resourceLimits });
}
