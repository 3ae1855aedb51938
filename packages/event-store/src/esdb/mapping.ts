import { jsonEvent, type AllStreamResolvedEvent, type EventData, type JSONType, type ResolvedEvent } from '@eventstore/db-client';
import type { NewEvent, RecordedEvent } from '../port.js';

/**
 * EventStoreDB has no columns for valid time, known time or schema version,
 * so they travel in the event metadata next to the caller's own metadata
 * (kept under `meta` so it can never collide with them or with the server's
 * `$`-prefixed keys).
 */
interface StoredMetadata {
  readonly schemaVersion: number;
  readonly occurredOn: string | null;
  readonly knownAt?: string;
  readonly meta?: Readonly<Record<string, unknown>>;
}

export function toEventData(e: NewEvent): EventData {
  const metadata: StoredMetadata = {
    schemaVersion: e.schemaVersion,
    occurredOn: e.occurredOn,
    ...(e.knownAt === undefined ? {} : { knownAt: e.knownAt }),
    ...(e.metadata === undefined ? {} : { meta: e.metadata }),
  };
  return jsonEvent({ id: e.eventId, type: e.type, data: (e.data ?? null) as JSONType, metadata: metadata as unknown as JSONType });
}

/** System streams and server events ($-prefixed) are not ours and are never handed to callers. */
export function isSystem(streamId: string, type: string): boolean {
  return streamId.startsWith('$') || type.startsWith('$');
}

function decode(value: unknown): unknown {
  if (value instanceof Uint8Array) {
    const text = Buffer.from(value).toString('utf8');
    return text.length === 0 ? undefined : JSON.parse(text);
  }
  return value;
}

const NO_METADATA: Readonly<Record<string, unknown>> = Object.freeze({});

/** Null for link events that resolve to nothing and for system events. */
export function toRecorded(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | null {
  const e = resolved.event;
  if (e === undefined || isSystem(e.streamId, e.type)) return null;
  const stored = (decode(e.metadata) ?? {}) as Partial<StoredMetadata>;
  const recordedAt = e.created.toISOString();
  const commit = e.position?.commit ?? resolved.commitPosition;
  return {
    eventId: e.id,
    type: e.type,
    schemaVersion: stored.schemaVersion ?? 1,
    stream: e.streamId,
    revision: Number(e.revision),
    // Positions are commit positions in the transaction log: increasing, but with gaps.
    position: commit === undefined ? 0 : Number(commit),
    occurredOn: stored.occurredOn ?? null,
    recordedAt,
    knownAt: stored.knownAt ?? recordedAt,
    data: decode(e.data),
    metadata: stored.meta ?? NO_METADATA,
  };
}
