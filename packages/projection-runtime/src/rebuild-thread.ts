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
 * prepareInSlices), so that a slice's events die young.
 *
 * The log is cut into spans of `batchSize` positions, handed out to
 * whichever thread has room (span-order.ts): each worker keeps a few spans
 * in hand, in log order, and this thread, when it has nothing to write,
 * folds a span itself (prepare-span.ts) instead of waiting, the log's last
 * spans first. That is sound because a span's prepare depends only on the
 * log, never on what other spans prepared (a learner is folded whole, from
 * the log, in the span that holds the learner's last event); the spans are
 * written in log order, whoever folded them, consecutive ones that are
 * ready as one (SpanGroup).
 *
 * Functions do not cross threads, so the worker builds its own store and
 * projections: it imports `module` and calls its `openRebuildSource(data)`.
 * What `prepare` returns crosses by structured clone; row blocks
 * (row-block.ts) in it are moved, not copied.
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { sourceWorker } from '@leerroutes/threads';
import { nextTurn } from '@leerroutes/threads/next-turn';
import { importBundled } from '@leerroutes/threads/bundles';
import { availableParallelism } from 'node:os';
import type { EventStore } from '@leerroutes/event-store';
import type { Projection } from './projection.js';
import { openSpanSource, prepareSpan, spansOf, type SpanPrepared, type SpanSource } from './prepare-span.js';
import { firstOfLast, SpanOrder } from './span-order.js';
import { blockBuffersIn } from './row-block.js';

/** Where the worker gets its store and projections: a module exporting `openRebuildSource(data): Promise<RebuildThreadSetup>`. */
export interface RebuildThread {
  /** A file URL (or path) of the module. */
  readonly module: string;
  /** Passed to openRebuildSource (structured-cloneable: a log's path or URL, say). */
  readonly data?: unknown;
  /** Worker threads preparing spans in turn (default: defaultRebuildWorkers()). */
  readonly workers?: number;
  /** Whether the writer's thread folds spans too while it has none to write (default true). */
  readonly localFolds?: boolean;
  /** Bytes of row blocks prepared and waiting to be written beyond which no more spans are started (default READY_BYTES). */
  readonly readyBytes?: number;
}

/** What openRebuildSource gives the worker: the same log and the same projections, by name, as the session's. */
export interface RebuildThreadSetup {
  readonly store: EventStore;
  readonly projections: readonly Projection[];
  readonly close?: () => Promise<void>;
}

/** One batch as a thread prepared it: its size and positions, and each projection's prepared value. */
export interface PreparedSpan {
  readonly count: number;
  readonly first: number;
  readonly last: number;
  readonly lastId: string | null;
  readonly prepared: ReadonlyMap<string, unknown>;
}

/** What the writer asks: the log from `after` to `until`, in spans of `batchSize` positions. */
export type ReadRange = {
  readonly kind: 'read'; readonly after: number; readonly until: number; readonly batchSize: number;
  /** Positions a thread reads and prepares at a time within a span, when every target prepares in slices (Projection.combine or prepareInSlices). */
  readonly sliceSize?: number;
  readonly targets: readonly { readonly name: string; readonly position: number }[];
};

/** The range once, then the spans (by index from `after`) the worker is to prepare, in order. */
export type ToThread =
  | ReadRange
  | { readonly kind: 'span'; readonly index: number };

export type FromThread =
  | { readonly kind: 'batch'; readonly index: number; readonly count: number; readonly first: number; readonly last: number; readonly lastId: string | null; readonly prepared: [string, unknown][] }
  | { readonly kind: 'error'; readonly message: string; readonly stack?: string };

/** Spans the workers together may hold prepared or in hand ahead of the writer: enough to keep all busy, few enough to bound memory. */
const AHEAD = 2;

/**
 * The writer folds only in a rebuild of at least this many spans: its first
 * folds run on code its own thread has yet to compile, which a short rebuild
 * does not earn back. At 20,000 learners (18 spans) it made the rebuild about
 * 5% slower (4.16-4.25 s against 3.86-4.12 s, three pairs); at 110,000 (96
 * spans) about 10% faster.
 */
const LOCAL_MIN_SPANS = 40;

/**
 * Spans more that a worker may hold when this thread folds too: the spans
 * handed out after this thread's are written only after it, and a worker that
 * has prepared all it holds waits. At national scale, with two, the worker
 * waited about 49 s of 170 while the writer folded a quarter of the spans;
 * later, with the writer's appends the longer half, it still idled about 11%
 * of a national rebuild. With six, national rebuilds took 69.3, 70.3 and
 * 76.9 s against 78.8, 80.1 and 82.6 s with two (four: 73.8-78.5 s; eight:
 * 77.3 s), at the same peak RSS (733-743 against 715-732 MiB); at 110k
 * 9.2-9.9 s against 9.5-10.6 s. A prepared span is a few MB of row blocks.
 */
const LOCAL_ROOM = 6;

/**
 * Bytes of row blocks prepared and waiting to be written beyond which no
 * span is handed to a worker and this thread folds none ahead. A span is a
 * fixed number of positions, but not of work: a learner is folded in the
 * span holding the learner's last event, so in a log of yearly deliveries
 * the spans of the last delivery fold nearly every learner, whole (16-20 MB
 * of rows each at 110,000 learners), while the earlier ones fold few
 * (0.1-1.5 MB). While the worker folded the span due, this thread folded
 * the next ones, and up to 17 spans, 115 MB, waited to be written; with
 * this bound at most 60 MB, and the rebuild's peak RSS went from 833-839 to
 * 789 MiB. A single delivery's spans (about 4 MB) rarely reach it.
 */
const READY_BYTES = 48 * 1024 * 1024;

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

/**
 * Consecutive spans, prepared, that the writer writes as one batch: the
 * span due and those right after it that were prepared too, at most
 * GROUP_MAX. A write has costs of its own whatever its size (the
 * checkpoints read and moved, each projection's upserts of a few rows, an
 * appender per table): at 110,000 learners, with nothing else in the
 * writer's thread, spans of 1,000-7,700 positions took 20-65 ms to write
 * and spans of 20,000 40-60 ms. Spans pile up only while the writer is the
 * slower side, which is when a group saves it time to fold spans itself:
 * a rebuild at 110,000 learners wrote its 107 spans in 69 writes.
 */
export type SpanGroup = readonly PreparedSpan[];

/** Spans in a group at most: a group's rows wait to be written together, and READY_BYTES bounds what waits. */
const GROUP_MAX = 8;

/** Whether two spans were prepared for the same projections (only those are written as one). */
function sameTargets(a: PreparedSpan, b: PreparedSpan): boolean {
  if (a.prepared.size !== b.prepared.size) return false;
  for (const name of a.prepared.keys()) if (!b.prepared.has(name)) return false;
  return true;
}

/** Started workers; `read` may be called once. */
export interface RebuildWorker {
  /** The spans prepared, in log order, in groups of consecutive spans (SpanGroup). */
  read(range: ReadRange): AsyncIterable<SpanGroup>;
  /** How many spans the workers and this thread prepared (so far). */
  readonly folded: { readonly workers: number; readonly local: number };
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
  const workers = Array.from({ length: n }, () => spawn({ module, data: thread.data }));
  // Prepared spans by index, from any thread, until the writer takes them in order.
  // Each with the bytes of its row blocks, counted in `readyBytes` from when it comes in until it is written.
  const ready = new Map<number, { span: PreparedSpan; bytes: number }>();
  let readyBytes = 0;
  const budget = thread.readyBytes ?? READY_BYTES;
  const keep = (index: number, span: PreparedSpan): void => {
    const bytes = [...span.prepared.values()].reduce((sum: number, v) => sum + blockBuffersIn(v).reduce((n, b) => n + b.byteLength, 0), 0);
    readyBytes += bytes;
    ready.set(index, { span, bytes });
  };
  const folded = { workers: 0, local: 0 };
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => { const w = wake; wake = null; w?.(); };
  const fail = (err: Error) => { failure ??= err; notify(); };
  workers.forEach((worker) => {
    worker.on('message', (m: FromThread) => {
      if (m.kind === 'error') {
        const err = new Error(`the rebuild thread failed: ${m.message}`);
        if (m.stack) err.stack = `${err.message}\n${m.stack}`;
        fail(err);
        return;
      }
      folded.workers++;
      keep(m.index, asPrepared(m));
      notify();
    });
    worker.on('error', (err) => fail(err));
    worker.on('exit', (code) => fail(new Error(`the rebuild thread stopped (exit code ${code})`)));
  });
  let closed = false;
  // This thread's fold in progress: close waits for it, then closes the source it reads.
  let localFold: Promise<void> | null = null;
  let localClose: (() => Promise<void>) | undefined;
  return {
    folded,
    async *read(range) {
      const plan = spansOf(range);
      const spans = plan.length;
      const local = thread.localFolds === false || spans < LOCAL_MIN_SPANS ? null : localFolder(module, thread.data, range, notify);
      localClose = local?.close;
      // Who prepares each span handed out (a worker's index, or -1 for this thread), and how many each worker holds.
      const owner = new Map<number, number>();
      const held = workers.map(() => 0);
      const order = new SpanOrder(spans, local ? firstOfLast(plan, range.until, range.batchSize) : spans);
      workers.forEach((worker) => worker.postMessage(range satisfies ToThread));
      // While this thread folds a span, the workers' spans after it wait to be written: each worker may hold more.
      const room = ahead + (local ? LOCAL_ROOM : 0);
      // From where spans begin to shrink (prepare-span.ts), a worker holds no more than `ahead`: the short last
      // spans go to whichever thread comes free. Holding six more of them, a worker had the heavy ones of a
      // national rebuild queued while this thread, with none left to take, waited 3.7 s; held back, 0.7 s.
      const tail = plan.findIndex((s) => s.end - s.start < range.batchSize);
      const roomAt = (index: number): number => (local && tail >= 0 && index >= tail ? ahead : room);
      for (let next = 0; next < spans;) {
        // A failure anywhere ends the rebuild, even while the span due is still being prepared.
        if (failure) throw failure;
        for (let k = 0; k < n; k++) {
          // The span due is handed out whatever waits: the last spans, folded first, may fill the budget.
          for (let i = order.forWorker(); i !== null && held[k]! < roomAt(i) && (readyBytes < budget || i === next); i = order.forWorker()) {
            order.take(i);
            owner.set(i, k);
            held[k]!++;
            workers[k]!.postMessage({ kind: 'span', index: i } satisfies ToThread);
          }
        }
        if (ready.has(next)) {
          // The span due, and those after it that are prepared too (SpanGroup).
          const group: PreparedSpan[] = [];
          for (let due = ready.get(next); due && group.length < GROUP_MAX && (group.length === 0 || sameTargets(group[0]!, due.span)); due = ready.get(next)) {
            const { span, bytes } = due;
            ready.delete(next);
            readyBytes -= bytes;
            const k = owner.get(next)!;
            owner.delete(next);
            if (k >= 0) held[k]!--;
            next++;
            if (span.count > 0) group.push(span);
          }
          if (group.length > 0) yield group;
          continue;
        }
        // Nothing to write yet: fold a span here rather than wait (SpanOrder says which, if any). First
        // one turn of the event loop, so that a worker's message already sent is taken in: everything here and in
        // a fold's reading runs in promise jobs, which would otherwise keep it out until this thread had folded all.
        if (local?.ready() && localFold === null && order.forLocal() !== null && readyBytes < budget) {
          await nextTurn();
          if (failure || ready.has(next)) continue;
          const index = order.forLocal();
          if (index === null) continue;
          order.take(index);
          owner.set(index, -1);
          localFold = local.fold(index).then(
            (p) => { folded.local++; keep(index, asPrepared(p)); },
            (err: unknown) => { failure ??= new Error(`the rebuild's fold in this thread failed: ${err instanceof Error ? err.message : String(err)}`); },
          ).finally(() => { localFold = null; notify(); });
          continue;
        }
        await new Promise<void>((resolve) => { wake = resolve; });
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      failure ??= new Error('the rebuild thread was closed');
      await Promise.all([localFold, ...workers.map((w) => w.terminate())]);
      await localClose?.();
    },
  };
}

/** A span as either thread prepared it (its projections' values as pairs, to cross threads), for the writer. */
const asPrepared = (p: SpanPrepared): PreparedSpan => ({ count: p.count, first: p.first, last: p.last, lastId: p.lastId, prepared: new Map(p.prepared) });

/**
 * The writer's own folds: the same source module the workers open, opened
 * here too (its own connection to the log, not the session's, so that its
 * reading neither shares nor fills the session's page cache). It is opened
 * at once, beside the workers' start; until it is open, or if it cannot be
 * (the workers then report why), this thread only writes.
 */
function localFolder(module: string, data: unknown, range: ReadRange, onReady: () => void): { ready: () => boolean; fold: (index: number) => Promise<SpanPrepared>; close: () => Promise<void> } {
  let opened: SpanSource | null = null;
  const opening = importHere(module)
    .then((imported: unknown) => openSpanSource(imported, module, data, range))
    .then((source) => { opened = source; onReady(); }, () => undefined);
  return {
    ready: () => opened !== null,
    fold(index) {
      const { start, end } = spansOf(range)[index]!;
      return prepareSpan(opened!.store, opened!.targets, start, end, range.sliceSize ?? range.batchSize);
    },
    async close() {
      await opening;
      await opened?.close();
      opened = null;
    },
  };
}

/**
 * The source module in this thread: imported as it is where a loader takes
 * TypeScript (tsx, vitest), from a bundle where none does. The CLI runs from
 * a bundle that keeps each module's own URL, so the module named is
 * TypeScript there too, and a plain import of it failed: every `pathways
 * rebuild`, an import's catch-up and a server's rebuild folded in the worker
 * alone while this thread idled (8.1 s of a 13.9 s rebuild at 110,000
 * learners), where the bench, run through tsx, folded in both.
 */
async function importHere(module: string): Promise<unknown> {
  try {
    return await import(module);
  } catch (err) {
    if (!module.endsWith('.ts')) throw err;
    return importBundled(module);
  }
}

/**
 * From source (tsx, vitest) the worker's module is TypeScript, which a worker
 * thread of Node 20 does not load: it is bundled first, with the setup module
 * it imports (@leerroutes/threads says why and how).
 */
function spawn(workerData: { module: string; data: unknown }): Worker {
  const resourceLimits = { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./rebuild-worker.js', import.meta.url), { workerData, resourceLimits });
  return sourceWorker(new URL('./rebuild-worker.ts', import.meta.url).href, { workerData, resourceLimits, modules: [workerData.module] });
}
