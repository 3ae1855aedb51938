import type { EventStore, RecordedEvent } from '@leerroutes/event-store';
import { readCheckpoint } from './checkpoints.js';
import { tableNames, type Projection } from './projection.js';
import type { LockOptions, ViewsStore } from './views-store.js';

/**
 * Erasure (SPEC section 9) on the views side: in one writer session, every
 * projection forgets the learner, and the result is published. The caller
 * reads the learner's stream, calls this with the events it read, then
 * erases the stream from the log: once the stream is gone no later catch-up
 * can bring the learner back. Each projection gets only the events its
 * checkpoint covers, so counts drop by exactly what was counted.
 */
export async function forgetLearner(options: LockOptions & {
  readonly views: ViewsStore;
  readonly store: EventStore;
  readonly projections: readonly Projection[];
  readonly learnerId: string;
  /** The learner's events as read before the erasure. */
  readonly events: readonly RecordedEvent[];
}): Promise<{ readonly published: string | null }> {
  const { views, store, learnerId, events } = options;
  // Nothing published yet: nothing to forget, and the first catch-up reads the log as it will be.
  if ((await views.reader.published()) === null) return { published: null };
  const session = await views.writeSession({ purpose: 'erase', ...(options.ifLocked ? { ifLocked: options.ifLocked } : {}), ...(options.onWait ? { onWait: options.onWait } : {}) });
  try {
    await session.transaction(async ({ db, bulk }) => {
      for (const projection of options.projections) {
        if (!projection.forgetLearner) continue;
        const cp = await readCheckpoint(db, projection.name);
        if (!cp || cp.version !== projection.version) continue;
        const applied = events.filter((e) => e.position <= cp.position);
        await projection.forgetLearner(learnerId, applied, { db, t: tableNames(projection), bulk, store, until: cp.position });
      }
    });
    return { published: (await session.publish()).generation };
  } catch (err) {
    await session.abandon();
    throw err;
  }
}
