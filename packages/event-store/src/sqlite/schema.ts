import type { Database } from 'better-sqlite3';
import { decodeDay, decodeEventId, encodeDay, encodeEvent, encodeEventId, encodeInstant } from './codec.js';
import { compileDecoder, flatten, RAW_SHAPE, type Decoder } from './codec-v2.js';

export const SCHEMA_VERSION = 3;

/**
 * Stream names live once in `streams`, event types once in `event_types`
 * (with per-type counts so stats() does not scan), the key skeletons of
 * payload and metadata once in `shapes`; an event row holds small integers,
 * a 16-byte id and the compact text of its leaf values (see codec.ts).
 *
 * Event ids are unique per stream, as in EventStoreDB. The appender checks
 * that through an index on the stream and the id's first four bytes (then the
 * row's whole id): a unique index on the whole id cost 30 bytes per event, a
 * third of what the rest of the row now takes. Both indexes lead with
 * stream_id, so appending new streams writes at the end of each index; a
 * global index on random ids would touch a random page per insert once it
 * outgrows the cache.
 *
 * AUTOINCREMENT on `position` is deliberate: after an erasure deletes the
 * newest events, plain rowids would hand those positions out again and a
 * projection that already passed them would miss the new events.
 */
const DDL_V3 = `
CREATE TABLE streams (
  stream_id INTEGER PRIMARY KEY,
  name TEXT UNIQUE NOT NULL,
  revision INTEGER NOT NULL
);
CREATE TABLE event_types (
  type_id INTEGER PRIMARY KEY,
  type TEXT UNIQUE NOT NULL,
  events INTEGER NOT NULL
);
CREATE TABLE shapes (
  shape_id INTEGER PRIMARY KEY,
  skeleton TEXT UNIQUE NOT NULL
);
CREATE TABLE events (
  position INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  event_id BLOB NOT NULL,
  type_id INTEGER NOT NULL,
  schema_version INTEGER NOT NULL,
  occurred_on INTEGER,
  recorded_at INTEGER NOT NULL,
  known_at INTEGER,
  shape_id INTEGER NOT NULL,
  body TEXT NOT NULL,
  UNIQUE (stream_id, revision)
);
CREATE INDEX events_by_id ON events (stream_id, substr(event_id, 1, 4));
`;

/** Version 2, the form a version-1 log is first rewritten into (then on to version 3). */
const DDL_V2 = `
CREATE TABLE streams (
  stream_id INTEGER PRIMARY KEY,
  name TEXT UNIQUE NOT NULL,
  revision INTEGER NOT NULL
);
CREATE TABLE event_types (
  type_id INTEGER PRIMARY KEY,
  type TEXT UNIQUE NOT NULL,
  events INTEGER NOT NULL
);
CREATE TABLE shapes (
  shape_id INTEGER PRIMARY KEY,
  skeleton TEXT UNIQUE NOT NULL
);
CREATE TABLE events (
  position INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  event_id BLOB NOT NULL,
  type_id INTEGER NOT NULL,
  schema_version INTEGER NOT NULL,
  occurred_on INTEGER,
  recorded_at INTEGER NOT NULL,
  known_at INTEGER,
  shape_id INTEGER NOT NULL,
  data TEXT NOT NULL,
  metadata TEXT,
  UNIQUE (stream_id, revision),
  UNIQUE (stream_id, event_id)
);
`;

/**
 * Switching a fresh file to WAL needs it to itself: while another process
 * creates the schema, SQLite can answer SQLITE_BUSY at once, without waiting
 * out the busy timeout (CI saw it: two processes opening one new log). So
 * retry until the timeout; a file already in WAL needs no switch.
 */
function switchToWal(db: Database, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      if (String(db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal') return;
      // An in-memory database answers 'memory' and stays so, as before.
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
    }
    if (Date.now() >= deadline) throw Object.assign(new Error('database is locked: could not switch the event log to WAL mode'), { code: 'SQLITE_BUSY' });
    Atomics.wait(pause, 0, 0, 20);
  }
}

export function applyPragmas(db: Database, busyTimeoutMs = 5000, cacheMiB = 64): void {
  // Another process holding the write lock makes us wait this long before the append reports
  // StoreUnavailable; set first so switching a fresh file to WAL also waits for other openers.
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  // WAL lets readers (projections, other processes) run while one writer appends.
  switchToWal(db, busyTimeoutMs);
  // NORMAL in WAL mode only risks the last commits on power loss, never corruption.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = OFF');
  db.pragma(`cache_size = -${Math.max(1, Math.floor(cacheMiB)) * 1024}`); // KiB, per connection
  db.pragma('temp_store = MEMORY');
  db.pragma('wal_autocheckpoint = 8192');
}

/** How far the rewrite of an older log has come: it runs once, on first open, and takes minutes on a national log. */
export interface MigrationProgress {
  readonly from: number;
  readonly to: number;
  readonly events: number;
  readonly total: number;
}

export type OnMigrate = (p: MigrationProgress) => void;

export function migrate(db: Database, onMigrate: OnMigrate = () => undefined): void {
  const migrateTx = db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
    const current = row.v ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new Error(`event store schema version ${current} is newer than this code understands (${SCHEMA_VERSION})`);
    }
    if (current < 1) db.exec(DDL_V3);
    const total = current === 1 || current === 2 ? (db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n : 0;
    if (current === 1) migrateV1(db, (events) => onMigrate({ from: 1, to: 2, events, total }));
    if (current === 1 || current === 2) migrateV2(db, (events) => onMigrate({ from: current === 1 ? 2 : current, to: 3, events, total }));
    if (current < SCHEMA_VERSION) db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION);
  });
  // IMMEDIATE so two processes opening a fresh file do not both create tables.
  migrateTx.immediate();
}

/**
 * Version 1 stored every payload as keyed JSON and ids and times as text.
 * The log is rewritten row by row into the compact form inside the caller's
 * transaction: a crash leaves version 1 untouched. Positions, revisions and
 * every value are kept.
 */
function migrateV1(db: Database, progress: (events: number) => void): void {
  db.exec(`
    ALTER TABLE events RENAME TO events_v1;
    ALTER TABLE event_types RENAME TO event_types_v1;
  `);
  db.exec(DDL_V2.replace(/CREATE TABLE streams \([^;]+;/, ''));
  const typeIds = new Map<string, number>();
  const shapeIds = new Map<string, number>();
  const addType = db.prepare('INSERT INTO event_types (type, events) VALUES (?, 0)');
  const addShape = db.prepare('INSERT INTO shapes (skeleton) VALUES (?)');
  const insert = db.prepare(`INSERT INTO events (position, stream_id, revision, event_id, type_id, schema_version, occurred_on, recorded_at, known_at, shape_id, data, metadata)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  // Read in pages: a connection cannot write while it iterates.
  const page = db.prepare('SELECT position, event_id, stream_id, revision, type, schema_version, occurred_on, recorded_at, known_at, data, metadata FROM events_v1 WHERE position > ? ORDER BY position LIMIT 10000').raw(true);
  type V1Row = [number, string, number, number, string, number, string | null, string, string, string, string | null];
  let done = 0;
  progress(done);
  for (let after = 0, rows = page.all(after) as V1Row[]; rows.length > 0; after = rows[rows.length - 1]![0], progress((done += rows.length)), rows = page.all(after) as V1Row[]) for (const r of rows) {
    const [position, eventId, streamId, revision, type, schemaVersion, occurredOn, recordedAt, knownAt, data, metadata] = r;
    let typeId = typeIds.get(type);
    if (typeId === undefined) typeIds.set(type, (typeId = Number(addType.run(type).lastInsertRowid)));
    const flat = flatten(JSON.parse(data));
    let shapeId = RAW_SHAPE;
    if (flat) {
      shapeId = shapeIds.get(flat.skeleton) ?? Number.NaN;
      if (Number.isNaN(shapeId)) shapeIds.set(flat.skeleton, (shapeId = Number(addShape.run(flat.skeleton).lastInsertRowid)));
    }
    insert.run(
      position, streamId, revision, encodeEventId(eventId), typeId, schemaVersion, encodeDay(occurredOn), encodeInstant(recordedAt),
      knownAt === recordedAt ? null : encodeInstant(knownAt), shapeId, flat ? JSON.stringify(flat.values) : data, metadata,
    );
  }
  // AUTOINCREMENT remembers the highest position ever handed out, erased ones included.
  const seq = (db.prepare("SELECT MAX(seq) AS seq FROM sqlite_sequence WHERE name IN ('events', 'events_v1')").get() as { seq: number | null }).seq;
  db.exec("DELETE FROM sqlite_sequence WHERE name IN ('events', 'events_v1')");
  if (seq !== null) db.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('events', ?)").run(seq);
  db.exec(`
    UPDATE event_types SET events = (SELECT events FROM event_types_v1 o WHERE o.type = event_types.type);
    INSERT INTO event_types (type, events) SELECT type, events FROM event_types_v1 WHERE type NOT IN (SELECT type FROM event_types);
    DROP TABLE events_v1;
    DROP TABLE event_types_v1;
  `);
}

/**
 * Version 2 stored each payload as a JSON array of its leaf values, the
 * metadata as keyed JSON, and a unique index on (stream, whole event id). The
 * log is rewritten row by row into version 3 inside the caller's transaction:
 * a crash leaves version 2 untouched. Positions, revisions, ids, times, type
 * ids, counts and the AUTOINCREMENT sequence are kept; shapes get new ids.
 */
function migrateV2(db: Database, progress: (events: number) => void): void {
  db.exec(`
    ALTER TABLE events RENAME TO events_v2;
    ALTER TABLE shapes RENAME TO shapes_v2;
  `);
  db.exec(DDL_V3.replace(/CREATE TABLE streams \([^;]+;/, '').replace(/CREATE TABLE event_types \([^;]+;/, ''));
  const oldShapes = new Map<number, Decoder>();
  for (const [id, skeleton] of db.prepare('SELECT shape_id, skeleton FROM shapes_v2').raw(true).all() as [number, string][]) oldShapes.set(id, compileDecoder(skeleton));
  const shapeIds = new Map<string, number>();
  const addShape = db.prepare('INSERT INTO shapes (skeleton) VALUES (?)');
  const insert = db.prepare(`INSERT INTO events (position, stream_id, revision, event_id, type_id, schema_version, occurred_on, recorded_at, known_at, shape_id, body)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  // Read in pages: a connection cannot write while it iterates.
  const page = db.prepare(`SELECT e.position, e.stream_id, s.name, e.revision, e.event_id, e.type_id, e.schema_version, e.occurred_on, e.recorded_at, e.known_at, e.shape_id, e.data, e.metadata
    FROM events_v2 e JOIN streams s ON s.stream_id = e.stream_id WHERE e.position > ? ORDER BY e.position LIMIT 10000`).raw(true);
  type V2Row = [number, number, string, number, Buffer | string, number, number, number | string | null, number | string, number | string | null, number, string, string | null];
  let done = 0;
  progress(done);
  for (let after = 0, rows = page.all(after) as V2Row[]; rows.length > 0; after = rows[rows.length - 1]![0], progress((done += rows.length)), rows = page.all(after) as V2Row[]) for (const r of rows) {
    const [position, streamId, stream, revision, eventId, typeId, schemaVersion, occurredOn, recordedAt, knownAt, shapeId, data, metadata] = r;
    const values = JSON.parse(data) as unknown;
    const e = encodeEvent({
      eventId: decodeEventId(eventId), type: '', schemaVersion, occurredOn: decodeDay(occurredOn),
      data: shapeId === RAW_SHAPE ? values : oldShapes.get(shapeId)!(values as unknown[]),
      ...(metadata === null ? {} : { metadata: JSON.parse(metadata) as Record<string, unknown> }),
    }, stream);
    let newShape = shapeIds.get(e.shape);
    if (newShape === undefined) shapeIds.set(e.shape, (newShape = Number(addShape.run(e.shape).lastInsertRowid)));
    // The id, days and instants are stored as before: kept as they are.
    insert.run(position, streamId, revision, eventId, typeId, schemaVersion, occurredOn, recordedAt, knownAt, newShape, e.body);
  }
  const seq = (db.prepare("SELECT MAX(seq) AS seq FROM sqlite_sequence WHERE name IN ('events', 'events_v2')").get() as { seq: number | null }).seq;
  db.exec("DELETE FROM sqlite_sequence WHERE name IN ('events', 'events_v2')");
  if (seq !== null) db.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('events', ?)").run(seq);
  db.exec(`
    DROP TABLE events_v2;
    DROP TABLE shapes_v2;
  `);
}
