import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { CURRENT_SCHEMA_VERSION, ERASURE_AUDIT_STREAM, learnerStream } from '@leerroutes/domain';
import type { EventStore } from '@leerroutes/event-store';
import { Ledger } from '@leerroutes/import';
import { forgetLearner, type Projection, type ViewsDatabase } from '@leerroutes/projection-runtime';

export interface ErasureReceipt {
  /** The audit record's own id: it names no learner. */
  readonly erasureId: string;
  readonly eventsRemoved: number;
  readonly factsRemoved: number;
}

/**
 * Erase one learner (privacy law, SPEC section 9): every projection forgets
 * the learner first (so no view can be rebuilt from events that are about to
 * go), then the stream and the ledger's facts are deleted, and the audit
 * stream records that an erasure happened, why and how much, without the
 * learner's id. A re-import of files that still hold the learner brings them
 * back: erasure must reach the source too.
 */
export async function eraseLearner(deps: {
  readonly store: EventStore;
  readonly views: ViewsDatabase;
  readonly projections: readonly Projection[];
  readonly ledgerPath: string;
  readonly clock?: () => Date;
}, learnerId: string, reason: string, caller: string): Promise<ErasureReceipt | null> {
  const stream = learnerStream(learnerId);
  const events = await deps.store.readStream(stream);
  const ledger = new Ledger(deps.ledgerPath);
  try {
    if (events.length === 0 && ledger.forgetLearner(learnerId) === 0) return null;
    await forgetLearner({ views: deps.views, store: deps.store, projections: deps.projections, learnerId, events });
    const eventsRemoved = await deps.store.eraseStream(stream);
    const factsRemoved = ledger.forgetLearner(learnerId);
    const erasureId = randomUUID();
    const today = (deps.clock ?? (() => new Date()))().toISOString().slice(0, 10);
    const audit = await deps.store.appendToStream(ERASURE_AUDIT_STREAM, [{
      eventId: erasureId, type: 'LearnerErased', schemaVersion: CURRENT_SCHEMA_VERSION.LearnerErased, occurredOn: today,
      data: { erasureId, reason, eventsRemoved, occurredOn: today, source: { system: 'erasure', caller } },
    }]);
    if (E.isLeft(audit)) throw new Error(`the erasure was done but its audit record could not be written: ${JSON.stringify(audit.left)}`);
    return { erasureId, eventsRemoved, factsRemoved };
  } finally {
    ledger.close();
  }
}
