/**
 * The log as the pathway fold reads it: one recorded event as fold input, and
 * what "known on D" means. Shared by the explanation of one learner and the
 * replaying oracle, so both read the log alike.
 */
import type { RecordedEvent } from '@leerroutes/event-store';
import type { PathwayInputEvent } from '@leerroutes/pathway';

/** knownAt is an ISO timestamp (or date); known on D means on or before the end of day D. */
export const knownOn = (knownAt: string, date: string): boolean => knownAt.slice(0, 10) <= date;

export const toInput = (e: RecordedEvent): PathwayInputEvent => ({
  eventId: e.eventId, type: e.type, schemaVersion: e.schemaVersion, position: e.position, occurredOn: e.occurredOn, knownAt: e.knownAt, data: e.data,
});
