/**
 * The event log in long format: one row per learner event, the envelope
 * (learner, position, type, occurred and known dates) and the payload
 * flattened into typed columns. The payload columns are read off the
 * domain's event schemas, so a field added to an event is a column without
 * anyone listing it: `enrolment.level.code` is `enrolment_level_code`, a
 * level's span is `..._low` / `..._high`, a list is its items joined by ';'.
 * Every event type's fields with the same name have the same type (checked
 * when this module loads).
 */
import { EVENT_SCHEMAS, IsoDateSchema, fromStored, isEventType, type EventType } from '@leerroutes/domain';
import type { EventStore, RecordedEvent } from '@leerroutes/event-store';
import { knownOn, type ExportColumn, type ExportColumnType } from '@leerroutes/indicators';

/** The envelope's columns, then the payload's. */
const ENVELOPE: readonly ExportColumn[] = [
  { name: 'learner_id', type: 'VARCHAR', description: "the learner's pseudonym" },
  { name: 'position', type: 'BIGINT', description: "the event's position in the whole log (global order)" },
  { name: 'revision', type: 'INTEGER', description: "its revision in the learner's stream, from 0" },
  { name: 'event_id', type: 'VARCHAR', description: "the event's id (Retracted names these)" },
  { name: 'type', type: 'VARCHAR', description: 'the event type (Placed, Promoted, LeftEducation, ...)' },
  { name: 'schema_version', type: 'INTEGER', description: 'the version it was stored in (the payload columns are of the current version)' },
  { name: 'occurred_on', type: 'DATE', description: 'valid time: the date the fact holds from' },
  { name: 'school_year', type: 'VARCHAR', description: 'the school year of occurred_on' },
  { name: 'known_on', type: 'DATE', description: 'transaction time: the day the source delivered it (--known-at of the import)' },
  { name: 'is_retracted', type: 'BOOLEAN', description: "a Retracted event of the learner (known by the export's as-known-on date) withdrew it" },
];

/** Payload fields the envelope already holds. */
const IN_ENVELOPE = new Set(['learnerId', 'occurredOn', 'schoolYear']);

const snake = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A zod schema as seen here: its def's type and what the walk reads. */
interface Schema {
  readonly def: { readonly type: string; readonly values?: readonly unknown[] };
  readonly shape?: Record<string, Schema>;
  readonly options?: readonly Schema[];
  readonly element?: Schema;
  readonly isInt?: boolean;
  unwrap?(): Schema;
}

interface Field {
  readonly column: ExportColumn;
  /** The path into the payload. */
  readonly path: readonly string[];
  readonly list: boolean;
}

function scalarType(schema: Schema, where: string): ExportColumnType {
  switch (schema.def.type) {
    case 'string':
      return (schema as unknown) === IsoDateSchema ? 'DATE' : 'VARCHAR';
    case 'enum':
      return 'VARCHAR';
    case 'boolean':
      return 'BOOLEAN';
    case 'number':
      return schema.isInt ? 'INTEGER' : 'DOUBLE';
    case 'literal':
      return schema.def.values!.every((v) => typeof v === 'number') ? (schema.def.values!.every((v) => Number.isInteger(v)) ? 'INTEGER' : 'DOUBLE') : 'VARCHAR';
    case 'union': {
      const types = new Set(schema.options!.map((o) => scalarType(o, where)));
      if (types.size === 1) return [...types][0]!;
      if ([...types].every((t) => t === 'INTEGER' || t === 'DOUBLE')) return 'DOUBLE';
      throw new Error(`events export: ${where} is a union of ${[...types].join(', ')}`);
    }
    default:
      throw new Error(`events export: no column type for ${where} (${schema.def.type})`);
  }
}

/** The columns of one schema's fields, nested objects flattened (a span's low and high directly under the level). */
function fieldsOf(schema: Schema, path: readonly string[], names: readonly string[], out: Field[], eventType: string): void {
  let s = schema;
  while (s.def.type === 'nullable' || s.def.type === 'optional') s = s.unwrap!();
  const where = `${eventType}.${path.join('.')}`;
  if (s.def.type === 'object') {
    for (const [key, child] of Object.entries(s.shape!)) {
      if (path.length === 0 && IN_ENVELOPE.has(key)) continue;
      fieldsOf(child, [...path, key], key === 'span' ? names : [...names, snake(key)], out, eventType);
    }
    return;
  }
  if (s.def.type === 'array') {
    out.push({ column: { name: names.join('_'), type: 'VARCHAR', description: `${where}: the items joined by ';'` }, path, list: true });
    return;
  }
  out.push({ column: { name: names.join('_'), type: scalarType(s, where), description: where }, path, list: false });
}

/** Learner events: the types whose payload names the learner. */
const LEARNER_TYPES = (Object.keys(EVENT_SCHEMAS) as EventType[]).filter((t) => 'learnerId' in (EVENT_SCHEMAS[t] as unknown as Schema).shape!);

function payloadLayout(): { columns: ExportColumn[]; fields: ReadonlyMap<string, readonly { field: Field; index: number }[]> } {
  const columns: ExportColumn[] = [];
  const index = new Map<string, number>();
  const fields = new Map<string, { field: Field; index: number }[]>();
  for (const type of LEARNER_TYPES) {
    const own: Field[] = [];
    fieldsOf(EVENT_SCHEMAS[type] as unknown as Schema, [], [], own, type);
    const placed: { field: Field; index: number }[] = [];
    for (const f of own) {
      if (ENVELOPE.some((c) => c.name === f.column.name)) throw new Error(`events export: ${f.column.description} would be column ${f.column.name}, which the envelope has`);
      let at = index.get(f.column.name);
      if (at === undefined) {
        at = ENVELOPE.length + columns.length;
        index.set(f.column.name, at);
        columns.push(f.column);
      } else {
        const prior = columns[at - ENVELOPE.length]!;
        if (prior.type !== f.column.type) throw new Error(`events export: column ${f.column.name} is ${prior.type} for ${prior.description} but ${f.column.type} for ${f.column.description}`);
        columns[at - ENVELOPE.length] = { ...prior, description: `${prior.description}; ${f.column.description}` };
      }
      placed.push({ field: f, index: at });
    }
    fields.set(type, placed);
  }
  return { columns, fields };
}

const LAYOUT = payloadLayout();

/** Every column of the events export, in order. */
export const EVENT_COLUMNS: readonly ExportColumn[] = [...ENVELOPE, ...LAYOUT.columns];

const valueAt = (data: unknown, path: readonly string[]): unknown => {
  let v = data;
  for (const key of path) {
    if (v === null || v === undefined || typeof v !== 'object') return null;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
};

/** One stream's events as rows: each event of the current version, flagged when a Retracted event of the stream withdrew it. */
export function streamRows(events: readonly RecordedEvent[]): unknown[][] {
  const withdrawn = new Set<string>();
  const decoded = events.map((e) => {
    const data = isEventType(e.type) ? (fromStored(e.type, e.schemaVersion, e.data as Record<string, unknown>).data as Record<string, unknown>) : null;
    if (e.type === 'Retracted' && data) for (const id of (data['retracted'] as string[] | undefined) ?? []) withdrawn.add(id);
    return data;
  });
  return events.map((e, i) => {
    const data = decoded[i];
    const row: unknown[] = new Array(EVENT_COLUMNS.length).fill(null);
    row[0] = typeof data?.['learnerId'] === 'string' ? data['learnerId'] : e.stream.replace(/^learner-/, '');
    row[1] = e.position;
    row[2] = e.revision;
    row[3] = e.eventId;
    row[4] = e.type;
    row[5] = e.schemaVersion;
    row[6] = e.occurredOn;
    row[7] = typeof data?.['schoolYear'] === 'string' ? data['schoolYear'] : null;
    row[8] = e.knownAt.slice(0, 10);
    row[9] = withdrawn.has(e.eventId);
    if (data) {
      for (const { field, index } of LAYOUT.fields.get(e.type) ?? []) {
        const v = valueAt(data, field.path);
        row[index] = v === undefined || v === null ? null : field.list ? (v as unknown[]).join(';') : v;
      }
    }
    return row;
  });
}

export interface EventRowsOptions {
  /** Only events known on or before this date (and only the retractions known by then). */
  readonly asKnownOn?: string;
  /** Events up to this log position (default: the head when the export starts). */
  readonly until?: number;
  /** Learners per batch (default 1000). */
  readonly batchSize?: number;
  /** After each batch: learners done of the total. */
  readonly onProgress?: (learners: number, total: number) => void;
}

/**
 * The learner streams up to the log's head when called, whole streams at a
 * time (memory: one batch), as batches of rows ordered by learner stream and
 * revision.
 */
export async function* eventRows(store: EventStore, options: EventRowsOptions = {}): AsyncGenerator<unknown[][]> {
  const until = options.until ?? await store.headPosition();
  const total = (await store.stats()).streamsByCategory['learner'] ?? 0;
  let done = 0;
  options.onProgress?.(0, total);
  for await (const streams of store.readStreams({ category: 'learner', batchSize: options.batchSize ?? 1000, until })) {
    const rows: unknown[][] = [];
    for (const stream of streams) {
      const events = options.asKnownOn === undefined ? stream : stream.filter((e) => knownOn(e.knownAt, options.asKnownOn!));
      rows.push(...streamRows(events));
    }
    done += streams.length;
    options.onProgress?.(Math.min(done, total), total);
    yield rows;
  }
}
