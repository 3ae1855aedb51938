import { randomUUID } from 'node:crypto';
import { CURRENT_SCHEMA_VERSION, ERASURE_AUDIT_STREAM } from '@leerroutes/domain';
import { forgetLearner, type LockOptions, type Projection } from '@leerroutes/projection-runtime';
import type { Backend } from './backends/backend.js';

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
 * same command run again finishes the job: forgetting twice is harmless and
 * the log step is all or nothing. The backend holds the log's import lock
 * meanwhile, so no import re-derives the learner halfway. A re-import of files that still
 * hold the learner brings them back: erasure must reach the source too.
 */
export async function eraseLearner(deps: {
  readonly backend: Backend;
  readonly projections: readonly Projection[];
  readonly viewsLock?: LockOptions;
  readonly clock?: () => Date;
}, learnerId: string, reason: string, caller: string): Promise<ErasureReceipt | null> {
  const { store, views } = deps.backend;
  const erasureId = randomUUID();
  const today = (deps.clock ?? (() => new Date()))().toISOString().slice(0, 10);
  const removed = await deps.backend.eraseLearner(learnerId, {
    beforeLog: async (events) => { await forgetLearner({ ...deps.viewsLock, views, store, projections: deps.projections, learnerId, events }); },
    audit: (eventsRemoved) => ({
      stream: ERASURE_AUDIT_STREAM,
      event: {
        eventId: erasureId, type: 'LearnerErased', schemaVersion: CURRENT_SCHEMA_VERSION.LearnerErased, occurredOn: today,
        data: { erasureId, reason, eventsRemoved, occurredOn: today, source: { system: 'erasure', caller } },
      },
    }),
  });
  return removed === null ? null : { erasureId, ...removed };
}
