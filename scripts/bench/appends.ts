import type { RecordedEvent, StreamAppend } from '@leerroutes/event-store';

/**
 * A batch of logged events as the appends that would write them again, one
 * per stream: what the append floor (step.ts append) and the packer's bench
 * (pack-once.ts) append or pack.
 */
export function appendsOf(batch: readonly RecordedEvent[]): StreamAppend[] {
  const byStream = new Map<string, StreamAppend>();
  for (const e of batch) {
    const a = byStream.get(e.stream) ?? { stream: e.stream, expectedRevision: 'any' as const, events: [] };
    (a.events as unknown[]).push({ eventId: e.eventId, type: e.type, schemaVersion: e.schemaVersion, data: e.data, occurredOn: e.occurredOn, knownAt: e.knownAt, metadata: e.metadata });
    byStream.set(e.stream, a);
  }
  return [...byStream.values()];
}
