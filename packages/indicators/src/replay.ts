/**
 * "As known on D": the pathways folded from the log's events with knownAt on
 * or before D, computed on demand without touching the live views.
 */
import { AREAS_STREAM, INSTITUTIONS_STREAM, learnerIdOfStream } from '@leerroutes/domain';
import type { EventStore, RecordedEvent } from '@leerroutes/event-store';
import { createMemoryPathwaySource, foldPathway, foldReferenceData, type Pathway, type PathwayInputEvent, type PathwaySource } from '@leerroutes/pathway';

/** knownAt is an ISO timestamp (or date); known on D means on or before the end of day D. */
export const knownOn = (knownAt: string, date: string): boolean => knownAt.slice(0, 10) <= date;

export const toInput = (e: RecordedEvent): PathwayInputEvent => ({
  eventId: e.eventId, type: e.type, schemaVersion: e.schemaVersion, position: e.position, occurredOn: e.occurredOn, knownAt: e.knownAt, data: e.data,
});

export interface Replay {
  readonly source: PathwaySource;
  readonly head: number;
}

const cache = new WeakMap<EventStore, Map<string, Replay>>();

/**
 * Replay the log with the events known on `date` (null: all) that occurred by
 * `validUntil` (null: any time; events without a valid time always count).
 */
export async function replayAsKnownOn(store: EventStore, date: string | null, validUntil: string | null = null): Promise<Replay> {
  const head = await store.headPosition();
  const perStore = cache.get(store) ?? new Map<string, Replay>();
  cache.set(store, perStore);
  const cacheKey = `${date ?? ''}|${validUntil ?? ''}`;
  const hit = perStore.get(cacheKey);
  if (hit && hit.head === head) return hit;

  const byLearner = new Map<string, PathwayInputEvent[]>();
  const reference: PathwayInputEvent[] = [];
  for await (const batch of store.readAll({ batchSize: 5000, until: head })) {
    for (const e of batch) {
      if (date !== null && !knownOn(e.knownAt, date)) continue;
      if (validUntil !== null && e.occurredOn !== null && e.occurredOn > validUntil) continue;
      if (e.stream === AREAS_STREAM || e.stream === INSTITUTIONS_STREAM) {
        reference.push(toInput(e));
        continue;
      }
      const id = learnerIdOfStream(e.stream);
      if (id === null) continue;
      const list = byLearner.get(id);
      if (list) list.push(toInput(e));
      else byLearner.set(id, [toInput(e)]);
    }
  }
  // Fold learner by learner, letting each one's events go as soon as they are folded.
  const pathways: Pathway[] = [];
  for (const [id, events] of byLearner) {
    pathways.push(foldPathway(id, events));
    byLearner.delete(id);
  }
  const replay: Replay = { source: createMemoryPathwaySource(pathways, { referenceData: foldReferenceData(reference), checkpoint: head }), head };
  // One replay per date is kept while the log does not move; a few dates at most.
  if (perStore.size > 4) perStore.delete(perStore.keys().next().value!);
  perStore.set(cacheKey, replay);
  return replay;
}
