import type { EventStore, RecordedEvent } from '@leerroutes/event-store';
import { readCheckpoint, writeCheckpoint } from './checkpoints.js';
import { tableNames, type Projection, type Slot } from './projection.js';
import type { ViewsDatabase } from './views-database.js';

/** One projection in one slot, and the position it has reached. */
export interface Target {
  readonly projection: Projection;
  readonly slot: Slot;
  position: number;
}

export interface Progress {
  readonly phase: 'catch-up' | 'rebuild' | 'swap';
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
 * Apply one batch to every target in a single transaction, each target's
 * checkpoint with it. The checkpoint is re-read inside the transaction, so a
 * batch that another writer (a subscriber, another process) already applied
 * is skipped instead of counted twice.
 */
export async function applyBatch(
  views: ViewsDatabase,
  store: EventStore,
  targets: readonly Target[],
  batch: readonly RecordedEvent[],
  /** The position the batch was read after: a checkpoint below it means another writer moved it back (a swap). */
  after: number,
): Promise<void> {
  const last = batch[batch.length - 1];
  if (!last) return;
  const until = last.position;
  const reached = await views.transaction(async (db) => {
    const positions: number[] = [];
    for (const target of targets) {
      const { projection, slot } = target;
      const cp = await readCheckpoint(db, projection.name, slot);
      if (!cp || cp.version !== projection.version) {
        throw new Error(`projection ${projection.name} (${slot}) changed under this runner: expected version ${projection.version}, found ${cp ? cp.version : 'none'}`);
      }
      if (cp.position >= until) { positions.push(cp.position); continue; }
      const ctx = { db, t: tableNames(projection, slot), store };
      // A rebuild in another process swapped in a view that stops earlier: fill the gap first.
      if (cp.position < after) {
        for await (const gap of store.readAll({ after: cp.position, until: after, batchSize: DEFAULT_BATCH_SIZE })) {
          if (gap.length > 0) await projection.apply(gap, { ...ctx, until: gap[gap.length - 1]!.position });
        }
      }
      const events = cp.position < batch[0]!.position ? batch : batch.filter((e) => e.position > cp.position);
      await projection.apply(events, { ...ctx, until });
      await writeCheckpoint(db, { name: projection.name, slot, version: projection.version, position: until });
      positions.push(until);
    }
    return positions;
  });
  targets.forEach((t, i) => { t.position = reached[i]!; });
}

/**
 * Bring targets from their positions up to `head`, reading the log once for
 * all of them (each skips what it already has).
 */
export async function advance(options: {
  store: EventStore;
  views: ViewsDatabase;
  targets: readonly Target[];
  head: number;
  phase: Progress['phase'];
  batchSize?: number;
  onProgress?: ProgressListener;
}): Promise<number> {
  const { store, views, targets, head, phase, onProgress } = options;
  if (targets.length === 0) return 0;
  const from = Math.min(...targets.map((t) => t.position));
  if (from >= head) return 0;
  const names = targets.map((t) => t.projection.name);
  let events = 0;
  onProgress?.({ phase, projections: names, position: from, head, events });
  let after = from;
  for await (const batch of store.readAll({ after: from, until: head, batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE })) {
    if (batch.length === 0) continue;
    await applyBatch(views, store, targets, batch, after);
    after = batch[batch.length - 1]!.position;
    events += batch.length;
    onProgress?.({ phase, projections: names, position: batch[batch.length - 1]!.position, head, events });
  }
  return events;
}
