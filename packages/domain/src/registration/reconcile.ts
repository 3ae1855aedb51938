import type { DerivedEvent } from './derive.js';

/** What the reconciliation needs to know of an event already in the learner's stream. */
export interface ExistingEvent {
  readonly eventId: string;
  readonly type: string;
  /** Content key written by the import; null for events from other callers. */
  readonly key: string | null;
  /** For Retracted events: the ids they retract. */
  readonly retracts?: readonly string[];
}

export interface Reconciliation {
  /** Live imported events that no longer follow from the facts. */
  readonly retract: readonly string[];
  /** Derived events not yet live, each with its generation (how often that content was appended before). */
  readonly append: readonly { readonly derived: DerivedEvent; readonly generation: number }[];
}

/**
 * Compare the events a learner's facts imply with what the stream holds. Only
 * imported (keyed) events are ever retracted; content that was retracted and
 * comes back is appended again under a new generation, so its id is fresh.
 */
export function reconcile(existing: readonly ExistingEvent[], desired: readonly DerivedEvent[]): Reconciliation {
  const retracted = new Set<string>();
  for (const e of existing) if (e.retracts) for (const id of e.retracts) retracted.add(id);
  const liveByKey = new Map<string, string>();
  const generations = new Map<string, number>();
  for (const e of existing) {
    if (e.key === null) continue;
    generations.set(e.key, (generations.get(e.key) ?? 0) + 1);
    if (!retracted.has(e.eventId)) liveByKey.set(e.key, e.eventId);
  }
  const desiredKeys = new Set(desired.map((d) => d.key));
  const retract = [...liveByKey].filter(([key]) => !desiredKeys.has(key)).map(([, id]) => id);
  const append: { derived: DerivedEvent; generation: number }[] = [];
  const seen = new Set<string>();
  for (const d of desired) {
    if (liveByKey.has(d.key) || seen.has(d.key)) continue;
    seen.add(d.key);
    append.push({ derived: d, generation: generations.get(d.key) ?? 0 });
  }
  return { retract, append };
}
