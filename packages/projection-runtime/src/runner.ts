import type { EventStore, RecordedEvent } from '@leerroutes/event-store';
import { advanceCheckpoints, readCheckpoints } from './checkpoints.js';
import { freshTargets, tableNames, type Projection } from './projection.js';
import type { RebuildWorker, SpanGroup } from './rebuild-thread.js';
import type { WriterSession } from './views-store.js';

/** One projection and the position it has reached in the session. */
export interface Target {
  readonly projection: Projection;
  position: number;
}

export interface Progress {
  readonly phase: 'catch-up' | 'rebuild' | 'publish';
  readonly projections: readonly string[];
  /** Store position the projections have reached. */
  readonly position: number;
  /** Position they are heading for. */
  readonly head: number;
  /** Events read so far in this phase. */
  readonly events: number;
}

export type ProgressListener = (p: Progress) => void;

export const DEFAULT_BATCH_SIZE = 5_000;

/**
 * A rebuild in worker threads writes bigger batches and folds them in small
 * slices (Projection.combine or prepareInSlices). Each batch costs the writer its statements
 * and appender flushes, and each decoded event the worker holds until its
 * batch is folded is copied by the young-generation collections meanwhile.
 * At 110,000 learners (1.9 million events), against 5,000 and 5,000: the
 * worker's scavenges took 1.7 s instead of 6.4 s, the process's CPU fell
 * from 54-61 s to 43-51 s and its peak RSS from about 760 to 700 MiB
 * (batches of 40,000 were no better than 20,000; slices of 500 or 2,000 no
 * better than 1,000).
 */
const THREAD_BATCH_SIZE = 20_000;
const THREAD_SLICE_SIZE = 1_000;

/**
 * Apply one batch to every target in a single transaction, each target's
 * checkpoint with it. The checkpoint is re-read inside the transaction and a
 * batch it already covers is skipped: with generations a session is the only
 * writer of its file, but a store writing in place (PostgreSQL) relies on it.
 */
export async function applyBatch(
  session: WriterSession, store: EventStore, targets: readonly Target[], batch: readonly RecordedEvent[],
  prepared?: ReadonlyMap<string, unknown>, fresh: ReadonlySet<string> = NONE,
): Promise<void> {
  const last = batch[batch.length - 1];
  if (!last) return;
  await applySpan(session, store, targets, { first: batch[0]!.position, last: last.position, lastId: last.eventId, events: batch }, prepared, fresh);
}

const NONE: ReadonlySet<string> = new Set();

/**
 * Stands in for the events of a batch prepared in the rebuild thread: they
 * stay there, and a projection given what it prepared must not need them
 * (projection.ts, `prepare`). Any use fails loudly rather than see no events.
 */
const withheld = (): readonly RecordedEvent[] =>
  new Proxy([] as RecordedEvent[], {
    get() {
      throw new Error('the events of a batch prepared in the rebuild thread stay there: apply must use ctx.prepared');
    },
  });

async function applySpan(
  session: WriterSession, store: EventStore, targets: readonly Target[],
  span: { readonly first: number; readonly last: number; readonly lastId: string | null; readonly events: readonly RecordedEvent[] | null },
  prepared?: ReadonlyMap<string, unknown>, fresh: ReadonlySet<string> = NONE,
): Promise<void> {
  const until = span.last;
  const reached = await session.transaction(async ({ db, bulk }) => {
    const positions: number[] = [];
    const checkpoints = await readCheckpoints(db, targets.map((t) => t.projection.name));
    const moved: string[] = [];
    for (const target of targets) {
      const { projection } = target;
      const cp = checkpoints.get(projection.name);
      if (!cp || cp.version !== projection.version) {
        throw new Error(`projection ${projection.name} changed under this runner: expected version ${projection.version}, found ${cp ? cp.version : 'none'}`);
      }
      if (cp.position >= until) { positions.push(cp.position); continue; }
      if (cp.position < target.position) {
        throw new Error(`projection ${projection.name}'s checkpoint moved back under this runner (${target.position} -> ${cp.position})`);
      }
      const whole = cp.position < span.first;
      if (span.events === null && !(whole && prepared?.has(projection.name))) {
        throw new Error(`projection ${projection.name}: a batch prepared in the rebuild thread must be applied whole, from what was prepared (checkpoint ${cp.position}, batch from ${span.first})`);
      }
      const events = span.events === null ? withheld() : whole ? span.events : span.events.filter((e) => e.position > cp.position);
      // What was prepared from the whole batch does not fit a part of it.
      const ready = whole && prepared?.has(projection.name) ? { prepared: prepared.get(projection.name) } : {};
      await projection.apply(events, { db, t: tableNames(projection), bulk, store, until, fresh: fresh.has(projection.name), ...ready });
      moved.push(projection.name);
      positions.push(until);
    }
    // With the event they now stand on, so that a later session can tell this log from another (log-anchor.ts).
    await advanceCheckpoints(db, moved, until, span.lastId);
    return positions;
  });
  targets.forEach((t, i) => { t.position = reached[i]!; });
}

/**
 * advance(), with the log read and every batch prepared in a worker thread
 * (rebuild-thread.ts): the worker prepares a few batches ahead, so its
 * reading and folding overlap with the writes here, and this thread folds a
 * batch itself when it has none to write.
 */
export async function advanceInThread(options: {
  store: EventStore;
  session: WriterSession;
  targets: readonly Target[];
  head: number;
  phase: Progress['phase'];
  worker: RebuildWorker;
  batchSize?: number;
  sliceSize?: number;
  onProgress?: ProgressListener;
}): Promise<number> {
  const { store, session, targets, head, phase, onProgress, worker } = options;
  if (targets.length === 0) return 0;
  const from = Math.min(...targets.map((t) => t.position));
  if (from >= head) return 0;
  const names = targets.map((t) => t.projection.name);
  let events = 0;
  onProgress?.({ phase, projections: names, position: from, head, events });
  const fresh = freshTargets(targets);
  const range = { kind: 'read' as const, after: from, until: head, batchSize: options.batchSize ?? THREAD_BATCH_SIZE, sliceSize: options.sliceSize ?? THREAD_SLICE_SIZE, targets: targets.map((t) => ({ name: t.projection.name, position: t.position })) };
  for await (const group of worker.read(range)) {
    for (const span of asOneIfCombined(group, targets, fresh)) {
      await applySpan(session, store, targets, { first: span.first, last: span.last, lastId: span.lastId, events: null }, span.prepared, fresh);
    }
    // Progress span by span, written alone or with its group: how often it comes does not depend on the threads' timing.
    for (const span of group) {
      events += span.count;
      onProgress?.({ phase, projections: names, position: span.last, head, events });
    }
  }
  return events;
}

/**
 * A group of consecutive spans (rebuild-thread.ts) as one span, each
 * projection's prepared values combined (Projection.combine), where every
 * projection prepared in it can combine and is fresh: consecutive spans of
 * a fresh pass are consecutive slices of one batch, no learner folded in
 * more than one. Otherwise the spans one by one.
 */
function asOneIfCombined(group: SpanGroup, targets: readonly Target[], fresh: ReadonlySet<string>): SpanGroup {
  if (group.length < 2) return group;
  const first = group[0]!;
  const last = group[group.length - 1]!;
  const prepared = new Map<string, unknown>();
  for (const [name] of first.prepared) {
    const projection = targets.find((t) => t.projection.name === name)?.projection;
    if (!projection?.combine || !fresh.has(name)) return group;
    prepared.set(name, projection.combine(group.map((span) => span.prepared.get(name))));
  }
  return [{ count: group.reduce((n, span) => n + span.count, 0), first: first.first, last: last.last, lastId: last.lastId, prepared }];
}

/**
 * Bring targets from their positions up to `head`, reading the log once for
 * all of them (each skips what it already has).
 */
export async function advance(options: {
  store: EventStore;
  session: WriterSession;
  targets: readonly Target[];
  head: number;
  phase: Progress['phase'];
  batchSize?: number;
  onProgress?: ProgressListener;
}): Promise<number> {
  const { store, session, targets, head, phase, onProgress } = options;
  if (targets.length === 0) return 0;
  const from = Math.min(...targets.map((t) => t.position));
  if (from >= head) return 0;
  const names = targets.map((t) => t.projection.name);
  let events = 0;
  onProgress?.({ phase, projections: names, position: from, head, events });
  const fresh = freshTargets(targets);
  const batches = store.readAll({ after: from, until: head, batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE })[Symbol.asyncIterator]();
  // One batch ahead: while a batch's transaction waits on the views (appends,
  // commit), the next one is read and prepared, so the fold and the views'
  // own work overlap instead of taking turns.
  let next = await batches.next();
  let preparing = next.done ? null : prepareBatch(store, targets, next.value, fresh);
  while (!next.done) {
    const batch = next.value;
    const prepared = await preparing!;
    if (batch.length === 0) {
      next = await batches.next();
      preparing = next.done ? null : prepareBatch(store, targets, next.value, fresh);
      continue;
    }
    const writing = applyBatch(session, store, targets, batch, prepared, fresh);
    // Awaited below; until then a failure must not count as unhandled.
    writing.catch(() => {});
    try {
      next = await batches.next();
      preparing = next.done ? null : prepareBatch(store, targets, next.value, fresh);
      preparing?.catch(() => {});
    } finally {
      await writing;
    }
    events += batch.length;
    onProgress?.({ phase, projections: names, position: batch[batch.length - 1]!.position, head, events });
  }
  return events;
}

/** What the targets that have a `prepare` make of a batch (the ones whose checkpoint is not already past it). */
async function prepareBatch(store: EventStore, targets: readonly Target[], batch: readonly RecordedEvent[], fresh: ReadonlySet<string>): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  const last = batch[batch.length - 1];
  if (!last) return out;
  for (const { projection, position } of targets) {
    if (!projection.prepare || position >= last.position) continue;
    out.set(projection.name, await projection.prepare(batch, { store, until: last.position, fresh: fresh.has(projection.name) }));
  }
  return out;
}
