import * as E from 'fp-ts/lib/Either.js';
import { parseVoLevel } from '../levels/levels.js';
import { CURRENT_SCHEMA_VERSION, EVENT_SCHEMAS, isEventType, type DomainEvent, type EventType } from './schemas.js';

/**
 * Old event versions are never rewritten in the log; they are upcast on read,
 * one version step at a time, then validated against the current schema.
 */
type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

const UPCASTERS: Partial<Record<EventType, Record<number, Upcaster>>> = {
  AdviceGiven: {
    // v1 stored the advice as the registered string ("havo/vwo"); v2 stores
    // the normalised level with its span, so combined advice can be compared.
    1: (d) => {
      const raw = String(d['level'] ?? '');
      const parsed = parseVoLevel(raw);
      const level = E.isRight(parsed) ? parsed.right : { code: raw.trim().toLowerCase() || 'unknown', span: null };
      return { ...d, level };
    },
  },
};

export interface EventDecodeError {
  readonly kind: 'UnknownEventType' | 'UnsupportedSchemaVersion' | 'InvalidEventData';
  readonly type: string;
  readonly schemaVersion: number;
  readonly message: string;
}

/** Bring stored data of any known version up to the current one, without validating. */
export function upcast(type: EventType, schemaVersion: number, data: Record<string, unknown>): E.Either<EventDecodeError, Record<string, unknown>> {
  const current = CURRENT_SCHEMA_VERSION[type];
  if (schemaVersion > current || schemaVersion < 1) {
    return E.left({ kind: 'UnsupportedSchemaVersion', type, schemaVersion, message: `${type} v${schemaVersion} is not known (current v${current})` });
  }
  let out = data;
  for (let v = schemaVersion; v < current; v++) {
    const step = UPCASTERS[type]?.[v];
    if (!step) return E.left({ kind: 'UnsupportedSchemaVersion', type, schemaVersion, message: `no upcaster for ${type} v${v}` });
    out = step(out);
  }
  return E.right(out);
}

/** Decode and validate stored event data into a domain event of the current version. */
export function decodeEvent(type: string, schemaVersion: number, data: unknown): E.Either<EventDecodeError, DomainEvent> {
  if (!isEventType(type)) return E.left({ kind: 'UnknownEventType', type, schemaVersion, message: `unknown event type ${type}` });
  const up = upcast(type, schemaVersion, (data ?? {}) as Record<string, unknown>);
  if (E.isLeft(up)) return up;
  const parsed = EVENT_SCHEMAS[type].safeParse(up.right);
  if (!parsed.success) {
    return E.left({ kind: 'InvalidEventData', type, schemaVersion, message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
  }
  return E.right({ type, data: parsed.data } as DomainEvent);
}

/**
 * Trusted fast path for replays: data written by this engine at the current
 * version was validated when appended, so only older versions are upcast.
 */
export function fromStored(type: EventType, schemaVersion: number, data: Record<string, unknown>): DomainEvent {
  if (schemaVersion === CURRENT_SCHEMA_VERSION[type]) return { type, data } as unknown as DomainEvent;
  const up = upcast(type, schemaVersion, data);
  if (E.isLeft(up)) throw new Error(up.left.message);
  return { type, data: up.right } as unknown as DomainEvent;
}
