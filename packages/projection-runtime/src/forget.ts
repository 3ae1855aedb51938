import type { EventStore, RecordedEvent } from '@leerroutes/event-store';
import { readCheckpoints } from './checkpoints.js';
import { tableNames, type Projection } from './projection.js';
import type { ViewsDatabase } from './views-database.js';

/**
 * Erasure (SPEC section 9) on the views side: every projection forgets the
 * learner, in its live tables and in a rebuild's `__next` tables, in one
 * transaction. The caller reads the learner's stream, erases it from the
 * log, then calls this with the events it read: once the stream is gone no
 * later catch-up can bring the learner back. Each projection gets only the
 * events its checkpoint covers, so counts drop by exactly what was counted.
 */
export async function forgetLearner(options: {
  readonly views: ViewsDatabase;
  readonly store: EventStore;
  readonly projections: readonly Projection[];
  readonly learnerId: string;
  /** The learner's events as read before the erasure. */
  readonly events: readonly RecordedEvent[];
}): Promise<void> {
  const { views, store, learnerId, events } = options;
  await views.transaction(async (db) => {
    for (const projection of options.projections) {
      if (!projection.forgetLearner) continue;
      const checkpoints = await readCheckpoints(db, projection.name);
      for (const cp of [checkpoints.live, checkpoints.next]) {
        if (!cp || cp.version !== projection.version) continue;
        const applied = events.filter((e) => e.position <= cp.position);
        await projection.forgetLearner(learnerId, applied, { db, t: tableNames(projection, cp.slot), store, until: cp.position });
      }
    }
  });
}
