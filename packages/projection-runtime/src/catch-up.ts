import type { EventStore } from '@leerroutes/event-store';
import { createCheckpointTable, readCheckpoint, writeCheckpoint, type Checkpoint } from './checkpoints.js';
import { checkAnchors } from './log-anchor.js';
import { settleAll, tableNames, type Projection } from './projection.js';
import { advance, advanceInThread, type ProgressListener, type Target } from './runner.js';
import { startRebuildWorker, type RebuildThread } from './rebuild-thread.js';
import type { LockOptions, ViewsStore, WriterSession } from './views-store.js';

export interface RunOptions extends LockOptions {
  readonly store: EventStore;
  readonly views: ViewsStore;
  /** Every projection the views hold, in the order they are applied to a batch. */
  readonly projections: readonly Projection[];
  readonly batchSize?: number;
  /** A rebuild in worker threads: positions each worker reads and folds at a time within a batch (Projection.combine or prepareInSlices); default 1,000. */
  readonly sliceSize?: number;
  readonly onProgress?: ProgressListener;
  /**
   * Read and prepare the log in a worker thread during a full rebuild
   * (rebuild-thread.ts), and during a catch-up that runs as one (catchUp),
   * when every projection has a `prepare`; without it, or for a catch-up
   * that goes on from published views, everything runs in this thread.
   */
  readonly rebuildThread?: RebuildThread;
  /** When a catch-up from published views runs as a rebuild instead (catchUp); default REBUILD_INSTEAD. */
  readonly rebuildInstead?: RebuildInstead;
}

/**
 * A catch-up of at least `minEvents` events that would fold at least
 * `share` of what a rebuild folds (estimateRefold) runs as a rebuild.
 */
export interface RebuildInstead {
  readonly minEvents: number;
  readonly share: number;
}

/**
 * A catch-up folds each learner it touches again from the learner's whole
 * history, and first deletes what the views held of them, in this thread; a
 * rebuild folds every learner once, in worker threads, into an empty file.
 * After a yearly delivery (most learners get a new school year) the catch-up
 * is the slower by far: at 110,000 learners, 369,331 new events that fold
 * 1.58 million again (83% of the log) took 65.6 and 53.9 s to catch up, and
 * 28.1 and 29.4 s as a rebuild, to the same views; per event folded, a
 * catch-up costs about 2.7 times a rebuild, hence a share of 0.4. Below
 * `minEvents` a catch-up is short whatever it folds.
 */
export const REBUILD_INSTEAD: RebuildInstead = { minEvents: 20_000, share: 0.4 };

export interface RebuildOptions extends RunOptions {
  /**
   * Rebuild only these projections (by name), on a copy of the published
   * views; the others are caught up in the same session. Without it every
   * projection is rebuilt, on an empty generation.
   */
  readonly only?: readonly string[];
}

export interface RunSummary {
  /** Events read from the log (one read serves every projection). */
  readonly events: number;
  /** Projections replayed from position 0. */
  readonly rebuilt: readonly string[];
  readonly head: number;
  /** The generation published, or null when the views were already up to date. */
  readonly published: string | null;
  /** A rebuild in worker threads: the spans of the log its workers and the writer's own thread prepared. */
  readonly spans?: { readonly workers: number; readonly local: number };
}

const stale = (projection: Projection, cp: Checkpoint | null): boolean => !cp || cp.version !== projection.version;

/** Whether a session on an empty generation can fold in worker threads: a thread is given and every projection has a `prepare`. */
const foldsInThreads = (options: RunOptions): options is RunOptions & { readonly rebuildThread: RebuildThread } =>
  options.rebuildThread !== undefined && options.projections.every((p) => p.prepare);

/**
 * One writer session: projections for which `reset` says so get their
 * tables dropped and created afresh at position 0, then every projection is
 * brought to the head of the log from one read of it, and the result is
 * published. A session that changed nothing publishes nothing.
 */
async function runSession(
  options: RunOptions,
  session: { from: 'published' | 'empty'; purpose: string; reset: (projection: Projection, cp: Checkpoint | null) => boolean },
): Promise<RunSummary>;
/**
 * With `unlessPublishedSince`, a session on an empty generation that finds,
 * once it holds the writer's lock, that the published checkpoints are no
 * longer those given (another writer published meanwhile) starts nothing and
 * gives null.
 */
async function runSession(
  options: RunOptions,
  session: { from: 'empty'; purpose: string; reset: () => true; unlessPublishedSince: readonly (Checkpoint | null)[] },
): Promise<RunSummary | null>;
async function runSession(
  options: RunOptions,
  session: { from: 'published' | 'empty'; purpose: string; reset: (projection: Projection, cp: Checkpoint | null) => boolean; unlessPublishedSince?: readonly (Checkpoint | null)[] },
): Promise<RunSummary | null> {
  const { store, views, projections, batchSize, sliceSize, onProgress } = options;
  // Started first: the worker loads its modules and opens the log while the session is set up.
  const worker = session.from === 'empty' && foldsInThreads(options) ? startRebuildWorker(options.rebuildThread) : null;
  let writer: WriterSession;
  try {
    writer = await views.writeSession({ from: session.from, purpose: session.purpose, ...(options.ifLocked ? { ifLocked: options.ifLocked } : {}), ...(options.onWait ? { onWait: options.onWait } : {}) });
  } catch (err) {
    await worker?.close();
    throw err;
  }
  try {
    const seen = session.unlessPublishedSince;
    if (seen && !sameCheckpoints(await publishedAnchored(views, store, projections), seen)) {
      await worker?.close();
      await writer.abandon();
      return null;
    }
    const rebuilt: string[] = [];
    const targets = await writer.transaction(async ({ db }) => {
      await createCheckpointTable(db);
      const checkpoints = new Map<Projection, Checkpoint | null>();
      for (const projection of projections) checkpoints.set(projection, await readCheckpoint(db, projection.name));
      // Going on from the published views: only if they were made from this log (a rebuild reads nothing of them).
      if (session.from === 'published') await checkAnchors(store, checkpoints.values(), views.location);
      const out: Target[] = [];
      for (const projection of projections) {
        const cp = checkpoints.get(projection)!;
        if (!session.reset(projection, cp)) { out.push({ projection, position: cp!.position }); continue; }
        const t = tableNames(projection);
        for (const table of projection.tables) await db.schema.dropTable(t(table)).ifExists().execute();
        for (const table of projection.retiredTables ?? []) await db.schema.dropTable(table).ifExists().execute();
        await projection.createTables(db, t);
        await writeCheckpoint(db, { name: projection.name, version: projection.version, position: 0, eventId: null });
        rebuilt.push(projection.name);
        out.push({ projection, position: 0 });
      }
      return out;
    });
    let head = await store.headPosition();
    const phase = rebuilt.length > 0 ? 'rebuild' : 'catch-up';
    let events = worker
      ? await advanceInThread({ store, session: writer, targets, head, phase, worker, batchSize, sliceSize, onProgress })
      : await advance({ store, session: writer, targets, head, phase, batchSize, onProgress });
    await worker?.close();
    const spans = worker ? { ...worker.folded } : null;
    // The log may have grown while we worked; one more pass covers everything up to now.
    head = await store.headPosition();
    events += await advance({ store, session: writer, targets, head, phase: 'catch-up', batchSize, onProgress });
    if (session.from === 'published' && events === 0 && rebuilt.length === 0) {
      await writer.abandon();
      return { events, rebuilt, head, published: null };
    }
    onProgress?.({ phase: 'publish', projections: projections.map((p) => p.name), position: head, head, events });
    await settleAll(writer, projections);
    const { generation } = await writer.publish();
    return { events, rebuilt, head, published: generation, ...(spans ? { spans } : {}) };
  } catch (err) {
    await worker?.close();
    await writer.abandon();
    throw err;
  }
}

/**
 * Replay projections from position 0 and publish the result. Readers keep
 * the published views until then.
 */
export async function rebuild(options: RebuildOptions): Promise<RunSummary> {
  const { only, projections } = options;
  if (!only) return runSession(options, { from: 'empty', purpose: 'rebuild', reset: () => true });
  const unknown = only.filter((name) => !projections.some((p) => p.name === name));
  if (unknown.length > 0) throw new Error(`cannot rebuild ${unknown.join(', ')}: not among the projections ${projections.map((p) => p.name).join(', ')}`);
  return runSession(options, { from: 'published', purpose: 'rebuild', reset: (p, cp) => only.includes(p.name) || stale(p, cp) });
}

/**
 * Where each projection stands in the published views (null: never built),
 * asked of views made from this log only: views ahead of a log restored from
 * an earlier copy would look up to date.
 */
async function publishedAnchored(views: ViewsStore, store: EventStore, projections: readonly Projection[]): Promise<(Checkpoint | null)[]> {
  return views.reader.snapshot(async (db) => {
    const checkpoints: (Checkpoint | null)[] = [];
    // One at a time: a missing table (nothing published yet) reads as null only for a query that runs alone.
    for (const projection of projections) checkpoints.push(await readCheckpoint(db, projection.name));
    await checkAnchors(store, checkpoints, views.location);
    return checkpoints;
  });
}

/**
 * Bring every projection to the head of the log in one writer session: a
 * projection without a view, or with a view of another version, is dropped
 * and replayed from position 0; the others go on from their checkpoints; the
 * log is read once for all of them.
 *
 * Where `rebuildThread` is given, two kinds of catch-up run as a full
 * rebuild, folding in worker threads: one with nothing published yet (a
 * first import, a server started on a log imported without projections; at
 * 110,000 learners a first `pathways import` spent 27 s bringing its views
 * up in this thread alone, where a rebuild of the same log takes about
 * 10 s), and one that would fold again most of what a rebuild folds
 * (REBUILD_INSTEAD).
 */
export async function catchUp(options: RunOptions): Promise<RunSummary> {
  const { store, views, projections } = options;
  const head = await store.headPosition();
  const checkpoints = await publishedAnchored(views, store, projections);
  const upToDate = projections.every((projection, i) => !stale(projection, checkpoints[i]!) && checkpoints[i]!.position >= head);
  if (upToDate) return { events: 0, rebuilt: [], head, published: null };
  const nothingPublished = checkpoints.every((cp) => cp === null);
  // Two catch-ups can both decide on a rebuild (two `pathways project` workers, or a server and an import, started
  // on a new log): the one that gets the writer's lock second goes on from what the first published.
  const asRebuild = nothingPublished || await refoldsMuch(options, checkpoints, head);
  const built = asRebuild ? await runSession(options, { from: 'empty', purpose: 'catch-up', reset: () => true, unlessPublishedSince: checkpoints }) : null;
  return built ?? runSession(options, { from: 'published', purpose: 'catch-up', reset: stale });
}

/** Whether a catch-up from these published checkpoints would fold so much again that a rebuild in threads is the faster (REBUILD_INSTEAD). */
async function refoldsMuch(options: RunOptions, checkpoints: readonly (Checkpoint | null)[], head: number): Promise<boolean> {
  const { store, projections } = options;
  if (!foldsInThreads(options)) return false;
  // A projection of another version is rebuilt from 0 in the catch-up as it is; only the others are weighed.
  if (projections.some((p, i) => stale(p, checkpoints[i]!))) return false;
  const from = Math.min(...checkpoints.map((cp) => cp!.position));
  const { minEvents, share } = options.rebuildInstead ?? REBUILD_INSTEAD;
  if (head - from < minEvents) return false;
  return (await estimateRefold(store, from, head)) >= share * head;
}

/** Windows of the range read to estimate a catch-up's fold, and positions in each. */
const ESTIMATE_WINDOWS = 8;
const ESTIMATE_WINDOW = 2_500;

/**
 * About how many events a catch-up of the log after `from` folds: every
 * stream it touches, from its first event (learner-histories.ts). Read from
 * a few windows spread over the range, a fixed cost whatever its size: in a
 * window, each stream counts its history up to its last event there, and
 * the range is taken to fold as much per event as the windows do. A
 * stream cut by a window's edge is counted in part, or twice: the estimate
 * decides only which way is faster, never what the views hold.
 */
export async function estimateRefold(store: EventStore, from: number, head: number): Promise<number> {
  const range = head - from;
  if (range <= 0) return 0;
  const windows = range <= ESTIMATE_WINDOWS * ESTIMATE_WINDOW
    ? [{ after: from, until: head }]
    : Array.from({ length: ESTIMATE_WINDOWS }, (_, k) => {
      const after = from + Math.floor((k * (range - ESTIMATE_WINDOW)) / (ESTIMATE_WINDOWS - 1));
      return { after, until: after + ESTIMATE_WINDOW };
    });
  let read = 0;
  let folded = 0;
  for (const window of windows) {
    const last = new Map<string, number>();
    for await (const batch of store.readAll({ ...window, batchSize: ESTIMATE_WINDOW, metadata: false })) {
      for (const e of batch) last.set(e.stream, e.revision);
      read += batch.length;
    }
    for (const revision of last.values()) folded += revision + 1;
  }
  return read === 0 ? 0 : Math.round((range * folded) / read);
}

/** Whether the published checkpoints are still those a decision was made on (none, or the same positions and versions). */
function sameCheckpoints(now: readonly (Checkpoint | null)[], seen: readonly (Checkpoint | null)[]): boolean {
  return now.length === seen.length && now.every((cp, i) => {
    const was = seen[i]!;
    return cp === null || was === null ? cp === was : cp.position === was.position && cp.version === was.version;
  });
}

/** Where each projection stands in the published views (null: never built). */
export async function publishedCheckpoints(views: ViewsStore, projections: readonly Projection[]): Promise<Record<string, Checkpoint | null>> {
  return views.reader.snapshot(async (db) => {
    const out: Record<string, Checkpoint | null> = {};
    for (const p of projections) out[p.name] = await readCheckpoint(db, p.name);
    return out;
  });
}
