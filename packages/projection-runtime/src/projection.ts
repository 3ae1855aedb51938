import type { Kysely } from 'kysely';
import type { EventStore, RecordedEvent } from '@leerroutes/event-store';
import type { BulkWriter, WriterSession } from './views-store.js';

/**
 * Resolves a projection's logical table name to the table it writes. With
 * generations that is the name itself; the indirection stays so a store
 * that rebuilds beside the live tables (a PostgreSQL schema, say) can point
 * a projection elsewhere, and so a projection writing a table it did not
 * list fails at once.
 */
export type TableNames = (logical: string) => string;

export interface ProjectionContext {
  /** The views being written, inside the batch's transaction. */
  readonly db: Kysely<any>;
  readonly t: TableNames;
  /** Fast appends of fresh rows in the same transaction (upserts go through `db`). */
  readonly bulk: BulkWriter;
  /** The log, for projections that re-read a stream (see learnerHistories). */
  readonly store: EventStore;
  /** The last store position of this batch: re-reads never look past it, so a replay sees what the batch saw. */
  readonly until: number;
  /**
   * What this projection's `prepare` made of the batch, when `apply` is given
   * the very batch it was prepared from; absent otherwise (a batch the
   * checkpoint covers in part), and then `apply` does the work itself.
   */
  readonly prepared?: unknown;
  /**
   * True when this projection's views held nothing as this pass over the log
   * began and the pass reads only events that were in the log by then (a
   * rebuild, or a projection's first catch-up). learnerHistories leaves out
   * a stream that goes on past a batch, so in such a pass a learner is folded
   * in one batch at most and nothing of it is in the views to replace: at
   * 110,000 learners the needless deletes took 3 s of a 19 s rebuild.
   */
  readonly fresh?: boolean;
}

/**
 * The projections whose batches are fresh (ProjectionContext.fresh) in a pass
 * that reads the log up to a head found before it began: those at position 0
 * (nothing applied, so nothing in their views) as it begins.
 */
export function freshTargets(targets: readonly { readonly projection: Projection; readonly position: number }[]): ReadonlySet<string> {
  return new Set(targets.filter((t) => t.position === 0).map((t) => t.projection.name));
}

/** What `prepare` may use: the log as it stands up to the batch's last position, never the views. */
export type PrepareContext = Pick<ProjectionContext, 'store' | 'until' | 'fresh'>;

/**
 * A projection: `apply` folds batches of events into tables it owns. The
 * runtime calls `apply` and writes the checkpoint in one transaction, so a batch
 * is either fully in the view or not at all.
 *
 * Bump `version` whenever the code changes what the tables hold: the runtime
 * then rebuilds the projection from position 0.
 */
export interface Projection {
  readonly name: string;
  readonly version: number;
  /** Logical names of every table the projection writes (dropped and created afresh together). */
  readonly tables: readonly string[];
  /**
   * Tables an earlier version of the projection wrote and this one no longer
   * does: dropped when the projection is built afresh, so that views
   * published by the earlier version do not keep them for ever.
   */
  readonly retiredTables?: readonly string[];
  /** DDL for fresh, empty tables under the names `t` gives (indexes named after `t(table)` too). */
  createTables(db: Kysely<any>, t: TableNames): Promise<void>;
  /** Fold events (global order, strictly after the checkpoint) into the tables. */
  apply(batch: readonly RecordedEvent[], ctx: ProjectionContext): Promise<void>;
  /**
   * Optional: the part of `apply` that needs only the batch and the log
   * (re-reading streams, folding), done outside the batch's transaction. The
   * runtime prepares the next batch while the previous one's transaction
   * waits on the views (appends, commit), so a long prepare should yield to
   * the event loop now and then. Its result reaches `apply` as `ctx.prepared`.
   *
   * A full rebuild runs `prepare` in a worker thread when every projection
   * has one (rebuild-thread.ts): then its result must survive a structured
   * clone (rows as row blocks cross cheaply, row-block.ts), and `apply`,
   * given it, must take everything from it: the batch's events stay in the
   * worker, and touching them fails. The worker reads the events without
   * their metadata (empty), which no projection reads.
   */
  prepare?(batch: readonly RecordedEvent[], ctx: PrepareContext): Promise<unknown>;
  /**
   * Optional, with `prepare`: what `prepare` made of consecutive slices of one
   * batch (each prepared with the log up to its own last position), as one
   * value that `apply` takes for the whole batch. With it, a rebuild's worker
   * reads and folds a batch a slice at a time, so the events of a slice are
   * garbage once it is folded instead of living, and being copied by every
   * young-generation collection, until the whole batch is; the writer still
   * gets one batch, and its per-batch costs stay as they were. The writer
   * combines too: consecutive batches of a fresh pass (a rebuild), prepared
   * and waiting, go into the views as one (rebuild-thread.ts, SpanGroup), so
   * `combine` may be given values it made itself.
   */
  combine?(parts: readonly unknown[]): unknown;
  /**
   * Optional, with `prepare`, instead of `combine`: a fold of one batch's
   * slices into one value as they come, for a projection whose prepared
   * slices are costly to join (rows: joining row blocks copies every column
   * again and merges their dictionaries). `add` the slices in log order, each
   * with the log up to its own last position; `finish` gives what `apply`
   * takes for the whole batch, as `prepare` would have made it.
   */
  prepareInSlices?(): SlicedPrepare;
  /**
   * Optional: remake the tables that summarize the projection's other tables
   * as a whole (what every reader would otherwise compute from them per
   * request), after a writer session changed them and before it publishes:
   * a rebuild, a catch-up that applied events, an erasure. Runs in one
   * transaction of the session, after everything else it wrote.
   */
  settle?(ctx: Pick<ProjectionContext, 'db' | 't'>): Promise<void>;
  /**
   * Remove every trace of one learner (privacy erasure). `events` are the
   * learner's events this view has already applied, read before the stream was erased.
   */
  forgetLearner?(learnerId: string, events: readonly RecordedEvent[], ctx: ProjectionContext): Promise<void>;
}

/** One batch being prepared a slice at a time (Projection.prepareInSlices). */
export interface SlicedPrepare {
  add(slice: readonly RecordedEvent[], ctx: PrepareContext): Promise<void>;
  finish(): unknown;
}

/** Whether a rebuild's worker may prepare a batch of this projection a slice at a time. */
export const preparesInSlices = (projection: Projection): boolean => projection.prepareInSlices !== undefined || projection.combine !== undefined;

/**
 * How a rebuild's worker prepares one batch of a projection (which has a
 * `prepare`): its own fold of the slices, or `combine` over each slice's
 * `prepare`; one that does neither takes the batch as its one slice.
 */
export function slicedPrepare(projection: Projection): SlicedPrepare {
  if (projection.prepareInSlices) return projection.prepareInSlices();
  const parts: unknown[] = [];
  return {
    async add(slice, ctx) {
      if (parts.length > 0 && !projection.combine) throw new Error(`projection ${projection.name} prepares a batch whole: it cannot take a second slice`);
      parts.push(await projection.prepare!(slice, ctx));
    },
    finish: () => (parts.length === 1 ? parts[0] : projection.combine!(parts)),
  };
}

/** Each projection's settle (Projection.settle), in one transaction of the session, before it publishes. */
export async function settleAll(session: WriterSession, projections: readonly Projection[]): Promise<void> {
  const settling = projections.filter((p) => p.settle);
  if (settling.length === 0) return;
  await session.transaction(async ({ db }) => {
    for (const p of settling) await p.settle!({ db, t: tableNames(p) });
  });
}

/** The table names of a projection; unknown logical names are a bug in the projection. */
export function tableNames(projection: Projection): TableNames {
  return (logical) => {
    if (!projection.tables.includes(logical)) {
      throw new Error(`projection ${projection.name} writes table '${logical}' but does not list it in 'tables'`);
    }
    return logical;
  };
}
