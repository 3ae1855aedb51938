/**
 * The compact row encoding of the SQLite log. An event's payload is stored as
 * its *shape* (the nested key skeleton, once per distinct skeleton in the
 * `shapes` table) plus a JSON array of its leaf values in skeleton order. The
 * learner events of a national log have a few hundred shapes between them,
 * so the keys that made up half of every JSON payload are stored once.
 * Decoding builds the object with a function compiled per shape, which is
 * faster than JSON.parse of the keyed object and gives the same key order.
 *
 * Event ids that are UUIDs are stored as 16-byte blobs, dates as integers
 * (yyyymmdd, epoch milliseconds); anything that does not fit these forms is
 * stored as text, so every value the port accepts round-trips exactly.
 */

/** Shape 0: the payload is not a plain object (null, an array, a number...) and is stored as plain JSON. */
export const RAW_SHAPE = 0;

export interface Flattened {
  readonly skeleton: string;
  readonly values: unknown[];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/**
 * The skeleton is a JSON array: a key for a leaf, `[key, [...]]` for a nested
 * plain object. Arrays and everything else are leaves. Keys whose value is
 * undefined are left out, as JSON.stringify does.
 */
export function flatten(data: unknown): Flattened | null {
  if (!isPlainObject(data)) return null;
  const values: unknown[] = [];
  const skeleton = JSON.stringify(walk(data, values));
  return { skeleton, values };
}

function walk(obj: Record<string, unknown>, values: unknown[]): unknown[] {
  const skel: unknown[] = [];
  for (const key in obj) {
    const v = obj[key];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    if (isPlainObject(v)) skel.push([key, walk(v, values)]);
    else {
      skel.push(key);
      values.push(v);
    }
  }
  return skel;
}

export type Decoder = (values: readonly unknown[]) => Record<string, unknown>;

/** A function that rebuilds the object of one skeleton from its value array. */
export function compileDecoder(skeleton: string): Decoder {
  let i = 0;
  const build = (skel: unknown[]): string =>
    `{${skel
      .map((entry) => (Array.isArray(entry) ? `${JSON.stringify(entry[0])}:${build(entry[1] as unknown[])}` : `${JSON.stringify(entry)}:v[${i++}]`))
      .join(',')}}`;
  // The skeleton comes from flatten() (JSON-quoted keys only), never from outside input.
  return new Function('v', `return ${build(JSON.parse(skeleton) as unknown[])};`) as Decoder;
}

/**
 * An event in the form its row is written: what is left for the appender is
 * what only the open transaction knows (stream, revision, type and shape ids,
 * recordedAt). Encoding is pure, so it can be done away from the writer (the
 * import does it in a worker thread) and still give the very same row.
 */
export interface EncodedEvent {
  /** 16 bytes for a UUID (a Uint8Array once it crossed a thread), else the id as text. */
  readonly eventId: Uint8Array | string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly occurredOn: number | string | null;
  /** ISO text: whether it equals the transaction's recordedAt is decided at append time. */
  readonly knownAt: string | undefined;
  /** null: the payload is not a plain object and `data` is its plain JSON (RAW_SHAPE). */
  readonly skeleton: string | null;
  readonly data: string;
  readonly metadata: string | null;
}

export function encodeEvent(e: {
  readonly eventId: string; readonly type: string; readonly schemaVersion: number; readonly data: unknown;
  readonly occurredOn: string | null; readonly knownAt?: string; readonly metadata?: Readonly<Record<string, unknown>>;
}): EncodedEvent {
  const flat = flatten(e.data);
  return {
    eventId: encodeEventId(e.eventId),
    type: e.type,
    schemaVersion: e.schemaVersion,
    occurredOn: encodeDay(e.occurredOn ?? null),
    knownAt: e.knownAt,
    skeleton: flat ? flat.skeleton : null,
    data: JSON.stringify(flat ? flat.values : (e.data ?? null)),
    metadata: e.metadata === undefined ? null : JSON.stringify(e.metadata),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A lower-case UUID as 16 bytes; any other id as itself (text). */
export function encodeEventId(id: string): Buffer | string {
  if (id.length !== 36 || !UUID.test(id)) return id;
  return Buffer.from(id.slice(0, 8) + id.slice(9, 13) + id.slice(14, 18) + id.slice(19, 23) + id.slice(24), 'hex');
}

export function decodeEventId(stored: Buffer | string): string {
  if (typeof stored === 'string') return stored;
  const x = stored.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `2016-10-01` as 20161001; any other text as itself. */
export function encodeDay(day: string | null): number | string | null {
  if (day === null) return null;
  const m = DAY.exec(day);
  return m ? Number(m[1]) * 10_000 + Number(m[2]) * 100 + Number(m[3]) : day;
}

export function decodeDay(stored: number | string | null): string | null {
  if (stored === null || typeof stored === 'string') return stored;
  const y = Math.floor(stored / 10_000);
  const m = Math.floor(stored / 100) % 100;
  const d = stored % 100;
  return `${String(y).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

let lastInstant = '';
let lastEncoded: number | string = '';
/** An ISO timestamp as epoch milliseconds when it round-trips exactly; otherwise the text. The events of an append share theirs, so the last one is remembered. */
export function encodeInstant(iso: string): number | string {
  if (iso === lastInstant) return lastEncoded;
  const ms = Date.parse(iso);
  lastInstant = iso;
  lastEncoded = Number.isFinite(ms) && new Date(ms).toISOString() === iso ? ms : iso;
  return lastEncoded;
}

/** Decodes instants, remembering the last one: the events of one append share their recordedAt. */
export function instantDecoder(): (stored: number | string) => string {
  let lastMs = Number.NaN;
  let lastIso = '';
  return (stored) => {
    if (typeof stored === 'string') return stored;
    if (stored !== lastMs) {
      lastMs = stored;
      lastIso = new Date(stored).toISOString();
    }
    return lastIso;
  };
}
