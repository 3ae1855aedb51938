import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { CURRENT_SCHEMA_VERSION, ERASURE_AUDIT_STREAM, learnerStream } from '@leerroutes/domain';
import type { EventStore } from '@leerroutes/event-store';
import { openLedger } from '@leerroutes/import';
import { forgetLearner, type LockOptions, type Projection, type ViewsStore } from '@leerroutes/projection-runtime';
import { failpoint } from './failpoint.js';

export interface ErasureReceipt {
  /** The audit record's own id: it names no learner. */
  readonly erasureId: string;
  readonly eventsRemoved: number;
  readonly factsRemoved: number;
}

/**
 * Erase one learner (privacy law, SPEC section 9). The views forget the
 * learner first (a writer session, published), so no catch-up can bring the
 * learner back from events that are about to go; then, in one transaction of the log, the
 * stream, the ledger's facts and the audit record (why and how much, without
 * the learner's id) go and come together. Killed between the two steps, the
 * same command run again finishes the job: the views forget again only what
 * they have not forgotten yet (forget.ts keeps how far), and the log step is
 * all or nothing. Holds the log's import lock meanwhile, so
 * no import re-derives the learner halfway. A re-import of files that still
 * hold the learner brings them back: erasure must reach the source too.
 */
export async function eraseLearner(deps: {
  readonly store: EventStore;
  readonly views: ViewsStore;
  readonly projections: readonly Projection[];
  readonly viewsLock?: LockOptions;
  readonly clock?: () => Date;
}, learnerId: string, reason: string, caller: string): Promise<ErasureReceipt | null> {
  const ledger = await openLedger(deps.store);
  const release = await ledger.lock('erase');
  try {
    const events = await deps.store.readStream(learnerStream(learnerId));
    if (events.length === 0 && (await ledger.factCount(learnerId)) === 0) return null;
    await forgetLearner({ ...deps.viewsLock, views: deps.views, store: deps.store, projections: deps.projections, learnerId, events });
    failpoint('erase:views-forgotten');
    const erasureId = randomUUID();
    const today = (deps.clock ?? (() => new Date()))().toISOString().slice(0, 10);
    const r = await ledger.eraseLearner(learnerId, ({ eventsRemoved }) => [{
      stream: ERASURE_AUDIT_STREAM, expectedRevision: 'any', events: [{
        eventId: erasureId, type: 'LearnerErased', schemaVersion: CURRENT_SCHEMA_VERSION.LearnerErased, occurredOn: today,
        data: { erasureId, reason, eventsRemoved, occurredOn: today, source: { system: 'erasure', caller } },
      }],
    }]);
    if (E.isLeft(r)) throw new Error(`the erasure could not be written to the log: ${JSON.stringify(r.left)}`);
    return { erasureId, ...r.right };
  } finally {
    await release();
  }
}
