import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import { left, right, type Either } from 'fp-ts/lib/Either.js';
import type {
  AppendError,
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  Position,
  ReadAllOptions,
  ReadStreamsOptions,
  RecordedEvent,
  StoreStats,
  StreamAppend,
  StreamRevision,
  SubscribeOptions,
  Subscription,
} from '../port.js';
import { pollingSubscription, type WakeSignal } from '../polling-subscription.js';
import { readPages } from '../read-pages.js';
import { applyPragmas, migrate, type OnMigrate } from './schema.js';
import { acquireLogLock } from './lock.js';
import { LogUnopenableError } from './errors.js';
import { unpackText } from '@leerroutes/threads/text-transfer';
import { beginBody, compileShape, decodeDay, decodeSelectedEventId, encodeInstant, instantDecoder, read, type ShapeDecoder } from './codec.js';
import { AppendPacker, OCC_NULL, OCC_NUMBER, type PackedAppends } from './packed.js';

export interface SqliteEventStoreOptions {
  /** File path, or ':memory:' for a private in-process store. */
  readonly path: string;
  /** Source of recordedAt; injectable so tests and replays can pin transaction time. */
  readonly clock?: () => Date;
  /** How long to wait for another connection's write lock (default 5000 ms). */
  readonly busyTimeoutMs?: number;
  /** Told how far the one-time rewrite of a log written by older code has come, when opening such a log. */
  readonly onMigrate?: OnMigrate;
  /** SQLite's page cache of this connection, in MiB (default 64): a connection that only scans the log once needs little. */
  readonly cacheMiB?: number;
}

export interface SqliteEventStore extends EventStore {
  readonly path: string;
  /**
   * The connection, for tables that live in the log's file beside the events
   * (the import ledger). Use it only through writeTransaction for writes.
   */
  readonly database: Database.Database;
  /**
   * Run `fn` in one write transaction (BEGIN IMMEDIATE) in which `tx.append`
   * appends like appendToStreams and `tx.eraseStream` erases like
   * eraseStream: the caller's own writes to co-located tables, the appends
   * and the erasures commit together or not at all. A conflict from `append`
   * rolls everything back and comes out as Left.
   */
  writeTransaction<T>(fn: (tx: LogTransaction) => T, options?: { readonly secureDelete?: boolean }): Either<AppendError, T>;
  /**
   * Take the named lock on this log (one import or erasure at a time); throws
   * LogLockedError naming the holder. Returns the release function.
   */
  acquireLock(name: string, command: string): () => void;
}

export interface LogTransaction {
  append(appends: readonly StreamAppend[]): AppendResult[];
  /** append, for appends already encoded into columns (packed.ts), e.g. in another thread: the rows written are the same. */
  appendPacked(appends: PackedAppends): AppendResult[];
  /** Remove a stream and its events for good; returns how many events went. */
  eraseStream(stream: string): number;
}

type Row = [number, string, string, number, number, number, number | string | null, number | string, number | string | null, number, string];

/** The id as text (decodeSelectedEventId). */
const EVENT_ID_TEXT = "iif(typeof(e.event_id) = 'blob', hex(e.event_id), '.' || e.event_id)";

const EVENT_COLUMNS =
  `e.position, ${EVENT_ID_TEXT}, s.name, e.revision, e.type_id, e.schema_version, e.occurred_on, e.recorded_at, e.known_at, e.shape_id, e.body`;

const NO_METADATA: Readonly<Record<string, unknown>> = Object.freeze({});

/** Thrown inside the transaction to roll it back; carries the typed error out. */
class Conflict {
  constructor(readonly error: AppendError) {}
}

interface StreamState {
  id: number;
  /** Last revision, -1 when the stream has no row yet. */
  revision: number;
  created: boolean;
  dirty: boolean;
  /** Ids appended to the stream in this call, some perhaps not inserted yet. */
  added: IdSet;
}

/** Events inserted by one statement (see appendPackedInTx). */
const INSERT_ROWS = 16;
const EVENT_ROW_WIDTH = 10;
/** The arguments of that statement, and the buffers its ids are bound from; one call of appendPackedInTx runs at a time. */
const rowArgs = new Array<unknown>(INSERT_ROWS * EVENT_ROW_WIDTH);
const idSlots = Array.from({ length: INSERT_ROWS }, () => Buffer.alloc(16));
/** The id an existing stream is asked whether it holds. */
const lookupId = Buffer.alloc(16);

/** The first six bytes of event k's 16-byte id, as one number. */
const idPrefix = (ids: Uint8Array, k: number): number => {
  const o = k * 16;
  return ids[o]! * 2 ** 40 + ids[o + 1]! * 2 ** 32 + ids[o + 2]! * 2 ** 24 + ids[o + 3]! * 2 ** 16 + ids[o + 4]! * 2 ** 8 + ids[o + 5]!;
};

const sameId = (ids: Uint8Array, j: number, k: number): boolean => {
  for (let b = 0; b < 16; b++) if (ids[j * 16 + b] !== ids[k * 16 + b]) return false;
  return true;
};

/**
 * The ids a stream was given in one call, as positions in that call's packed
 * columns. A 16-byte id is found by its first six bytes as a number (ids are
 * digests: those nearly always differ) and compared whole; a text id by its
 * text. A set of text keys cost two strings made per event.
 */
class IdSet {
  private bytes: Map<number, number | number[]> | null = null;
  private texts: Set<string> | null = null;

  has(p: PackedAppends, k: number): boolean {
    const text = p.idText[k]!;
    if (text >= 0) return this.texts !== null && this.texts.has(p.strings[text]!);
    const hit = this.bytes?.get(idPrefix(p.ids, k));
    if (hit === undefined) return false;
    if (typeof hit === 'number') return sameId(p.ids, hit, k);
    for (const j of hit) if (sameId(p.ids, j, k)) return true;
    return false;
  }

  add(p: PackedAppends, k: number): void {
    const text = p.idText[k]!;
    if (text >= 0) {
      (this.texts ??= new Set()).add(p.strings[text]!);
      return;
    }
    const key = idPrefix(p.ids, k);
    const bytes = (this.bytes ??= new Map());
    const hit = bytes.get(key);
    if (hit === undefined) bytes.set(key, k);
    else if (typeof hit === 'number') bytes.set(key, [hit, k]);
    else hit.push(k);
  }
}

function matches(expected: ExpectedRevision, current: StreamRevision | 'no_stream'): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return current === 'no_stream';
  if (expected === 'stream_exists') return current !== 'no_stream';
  return current === expected;
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED');
}

export function openSqliteEventStore(options: SqliteEventStoreOptions): SqliteEventStore {
  const clock = options.clock ?? (() => new Date());
  let db: Database.Database;
  try {
    db = new Database(options.path);
  } catch (err) {
    // better-sqlite3 refuses a missing directory itself, with a TypeError of its own words.
    const unopenable = (err as { code?: unknown }).code === 'SQLITE_CANTOPEN' || /directory does not exist/.test(String((err as Error).message));
    throw unopenable ? new LogUnopenableError(options.path, err as Error) : err;
  }
  applyPragmas(db, options.busyTimeoutMs, options.cacheMiB);
  migrate(db, options.onMigrate);

  const raw = <T extends unknown[]>(sql: string): Statement<T> => db.prepare<T>(sql).raw(true) as Statement<T>;
  const q = {
    stream: raw<[string]>('SELECT stream_id, revision FROM streams WHERE name = ?'),
    streamsNamed: raw<[string]>('SELECT name, revision FROM streams WHERE name IN (SELECT value FROM json_each(?))'),
    maxStreamId: raw<[]>('SELECT COALESCE(MAX(stream_id), 0) FROM streams'),
    insertStream: db.prepare<[number, string, number]>('INSERT INTO streams (stream_id, name, revision) VALUES (?, ?, ?)'),
    updateStream: db.prepare<[number, number]>('UPDATE streams SET revision = ? WHERE stream_id = ?'),
    deleteStream: db.prepare<[number]>('DELETE FROM streams WHERE stream_id = ?'),
    // The expression as the index events_by_id has it, so the lookup goes through that index.
    eventExists: raw<[number, Buffer | string, Buffer | string]>('SELECT 1 FROM events WHERE stream_id = ? AND substr(event_id, 1, 4) = substr(?, 1, 4) AND event_id = ?'),
    insertEvent: db.prepare<[number, number, Buffer | string, number, number, number | string | null, number | string, number | string | null, number, string]>(
      `INSERT INTO events (stream_id, revision, event_id, type_id, schema_version, occurred_on, recorded_at, known_at, shape_id, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertEvents: db.prepare<unknown[][]>(
      `INSERT INTO events (stream_id, revision, event_id, type_id, schema_version, occurred_on, recorded_at, known_at, shape_id, body)
       VALUES ${Array.from({ length: INSERT_ROWS }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
    ),
    addTypeCount: db.prepare<[number, number]>('UPDATE event_types SET events = events + ? WHERE type_id = ?'),
    insertType: db.prepare<[string]>('INSERT OR IGNORE INTO event_types (type, events) VALUES (?, 0)'),
    typeIdOf: raw<[string]>('SELECT type_id FROM event_types WHERE type = ?'),
    allTypes: raw<[]>('SELECT type_id, type FROM event_types'),
    insertShape: db.prepare<[string]>('INSERT OR IGNORE INTO shapes (skeleton) VALUES (?)'),
    shapeIdOf: raw<[string]>('SELECT shape_id FROM shapes WHERE skeleton = ?'),
    allShapes: raw<[]>('SELECT shape_id, skeleton FROM shapes'),
    typeCountsOfStream: raw<[number]>('SELECT type_id, COUNT(*) FROM events WHERE stream_id = ? GROUP BY type_id'),
    deleteEvents: db.prepare<[number]>('DELETE FROM events WHERE stream_id = ?'),
    readAll: raw<[number, number, number]>(
      `SELECT ${EVENT_COLUMNS} FROM events e JOIN streams s ON s.stream_id = e.stream_id
       WHERE e.position > ? AND e.position <= ? ORDER BY e.position LIMIT ?`,
    ),
    readStream: raw<[string, number]>(
      `SELECT ${EVENT_COLUMNS} FROM streams s JOIN events e ON e.stream_id = s.stream_id
       WHERE s.name = ? AND e.revision >= ? ORDER BY e.revision`,
    ),
    // `+name` keeps SQLite on the rowid order of streams instead of the name index (which would need a sort).
    streamsPage: raw<[number, string, string, number]>(
      'SELECT stream_id FROM streams WHERE stream_id > ? AND +name > ? AND +name < ? ORDER BY stream_id LIMIT ?',
    ),
    // An ordered walk of the (stream_id, revision) index over a range of streams.
    streamsEvents: raw<[number, number, number]>(
      `SELECT ${EVENT_COLUMNS} FROM events e JOIN streams s ON s.stream_id = e.stream_id
       WHERE e.stream_id >= ? AND e.stream_id <= ? AND e.position <= ? ORDER BY e.stream_id, e.revision`,
    ),
    head: raw<[]>('SELECT COALESCE(MAX(position), 0) FROM events'),
    // AUTOINCREMENT's own record of the highest position handed out (schema.ts keeps it across migrations).
    handedOut: raw<[]>("SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0), COALESCE((SELECT MAX(position) FROM events), 0))"),
    countStreams: raw<[]>('SELECT COUNT(*) FROM streams'),
    streamCategories: raw<[]>("SELECT CASE WHEN instr(name, '-') > 0 THEN substr(name, 1, instr(name, '-') - 1) ELSE name END AS category, COUNT(*) FROM streams GROUP BY category ORDER BY category"),
    typeCounts: raw<[]>('SELECT type, events FROM event_types WHERE events > 0 ORDER BY type'),
  };

  // Dictionaries of the compact encoding; other processes may add entries, so a miss re-reads the table.
  const typeIds = new Map<string, number>();
  const typeNames = new Map<number, string>();
  const loadTypes = () => {
    for (const [id, type] of q.allTypes.all() as [number, string][]) {
      typeIds.set(type, id);
      typeNames.set(id, type);
    }
  };
  const shapeIds = new Map<string, number>();
  const decoders = new Map<number, ShapeDecoder>();
  const loadShapes = () => {
    for (const [id, skeleton] of q.allShapes.all() as [number, string][]) {
      shapeIds.set(skeleton, id);
      if (!decoders.has(id)) decoders.set(id, compileShape(skeleton));
    }
  };
  loadTypes();
  loadShapes();

  /** Called inside a write transaction: ids handed out there are committed with the events. */
  function typeIdFor(type: string): number {
    let id = typeIds.get(type);
    if (id === undefined) {
      q.insertType.run(type);
      id = (q.typeIdOf.get(type) as [number])[0];
      typeIds.set(type, id);
      typeNames.set(id, type);
    }
    return id;
  }
  function shapeIdFor(skeleton: string): number {
    let id = shapeIds.get(skeleton);
    if (id === undefined) {
      q.insertShape.run(skeleton);
      id = (q.shapeIdOf.get(skeleton) as [number])[0];
      shapeIds.set(skeleton, id);
      decoders.set(id, compileShape(skeleton));
    }
    return id;
  }
  const typeName = (id: number): string => {
    let name = typeNames.get(id);
    if (name === undefined) {
      loadTypes();
      name = typeNames.get(id);
      if (name === undefined) throw new Error(`event type ${id} is not in the log's dictionary`);
    }
    return name;
  };
  const decoderOf = (id: number): ShapeDecoder => {
    let d = decoders.get(id);
    if (d === undefined) {
      loadShapes();
      d = decoders.get(id);
      if (d === undefined) throw new Error(`payload shape ${id} is not in the log's dictionary`);
    }
    return d;
  };
  const instant = instantDecoder();
  // An import's events share their knownAt too: one Date and text per delivery, not per event.
  const knownInstant = instantDecoder();

  function toRecorded(r: Row, withMetadata = true): RecordedEvent {
    const recordedAt = instant(r[7]);
    const occurredOn = decodeDay(r[6]);
    const shape = decoderOf(r[9]);
    beginBody(r[10], occurredOn, r[2], r[1]);
    const data = shape.data(read);
    // The metadata follows the payload in the body: left unread, it costs nothing.
    const metadata = shape.metadata === null || !withMetadata ? NO_METADATA : shape.metadata(read);
    return {
      position: r[0],
      eventId: decodeSelectedEventId(r[1]),
      stream: r[2],
      revision: r[3],
      type: typeName(r[4]),
      schemaVersion: r[5],
      occurredOn,
      recordedAt,
      knownAt: r[8] === null ? recordedAt : knownInstant(r[8]),
      data,
      metadata,
    };
  }

  const listeners = new Set<() => void>();
  const wake: WakeSignal = {
    onWake(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const notify = () => {
    if (listeners.size === 0) return;
    for (const l of [...listeners]) l();
  };
  const subscriptions = new Set<Subscription>();

  function appendInTx(appends: readonly StreamAppend[]): AppendResult[] {
    const packer = new AppendPacker();
    for (const a of appends) packer.add(a);
    return appendPackedInTx(packer.finish());
  }

  /**
   * Every append comes here as columns (packed.ts), read in place: an event
   * becomes no object on the way, only its body's text and, for an id, bytes
   * copied into one of the statement's reused buffers (SQLite copies a bound
   * blob). Appends of one call share their streams' state, so a stream named
   * twice is looked up once.
   */
  function appendPackedInTx(p: PackedAppends): AppendResult[] {
    const recordedAtIso = clock().toISOString();
    const recordedAt = encodeInstant(recordedAtIso);
    const streams = new Map<string, StreamState>();
    const typeCounts = new Map<number, number>();
    let nextStreamId = 0;
    const results: { -readonly [K in keyof AppendResult]: AppendResult[K] }[] = [];
    const bodies = unpackText(p.bodies);
    const ids = p.ids;
    // What the strings table stands for, worked out once per string: type and shape ids, knownAt as a column value.
    const typeOf = new Int32Array(p.strings.length).fill(-1);
    const shapeOf = new Int32Array(p.strings.length).fill(-1);
    const knownOf = new Map<number, number | string | null>();

    // Rows wait here until INSERT_ROWS of them go in one statement. Their positions are known once they are
    // inserted: a statement's rows take consecutive positions, the last one lastInsertRowid.
    const args = rowArgs;
    let waiting = 0;
    let rowsSeen = 0;
    /** Results whose last event is still waiting: the index of that event among this call's rows. */
    const unplaced: { result: (typeof results)[number]; row: number }[] = [];
    let placed = 0;
    const flush = () => {
      if (waiting === 0) return;
      let last: number;
      if (waiting === INSERT_ROWS) last = Number(q.insertEvents.run(args).lastInsertRowid);
      else {
        // The tail of a call, fewer than INSERT_ROWS: one statement each.
        last = 0;
        for (let a = 0; a < waiting * EVENT_ROW_WIDTH; a += EVENT_ROW_WIDTH) {
          last = Number(q.insertEvent.run(...(args.slice(a, a + EVENT_ROW_WIDTH) as Parameters<typeof q.insertEvent.run>)).lastInsertRowid);
        }
      }
      while (placed < unplaced.length && unplaced[placed]!.row < rowsSeen) {
        const u = unplaced[placed++]!;
        u.result.position = last - (rowsSeen - 1 - u.row);
      }
      waiting = 0;
    };

    let at = 0;
    for (let ai = 0; ai < p.streams.length; ai++) {
      const stream = p.streams[ai]!;
      const expectedRevision = p.expected[ai]!;
      const first = at;
      const size = p.sizes[ai]!;
      at += size;
      let st = streams.get(stream);
      if (st === undefined) {
        const row = q.stream.get(stream) as [number, number] | undefined;
        st = row ? { id: row[0], revision: row[1], created: false, dirty: false, added: new IdSet() } : { id: 0, revision: -1, created: false, dirty: false, added: new IdSet() };
        streams.set(stream, st);
      }
      const current = st.revision < 0 ? ('no_stream' as const) : st.revision;
      if (!matches(expectedRevision, current)) {
        // A retried append whose events are all stored already is a success, whatever it expected.
        let all = size > 0 && st.id !== 0;
        for (let k = first; all && k < at; k++) all = isStored(st, p, k);
        if (all) {
          results.push({ stream, revision: current, position: null, appended: 0, duplicates: size });
          continue;
        }
        throw new Conflict({ kind: 'WrongExpectedRevision', stream, expected: expectedRevision, actual: current });
      }
      if (st.id === 0) {
        if (nextStreamId === 0) nextStreamId = (q.maxStreamId.get() as [number])[0] + 1;
        st.id = nextStreamId++;
        st.created = true;
      }
      let appended = 0;
      let lastRow = -1;
      for (let k = first; k < at; k++) {
        if (isStored(st, p, k)) continue;
        st.added.add(p, k);
        const ts = p.type[k]!;
        let typeId = typeOf[ts]!;
        if (typeId < 0) typeId = typeOf[ts] = typeIdFor(p.strings[ts]!);
        const ss = p.shape[k]!;
        let shapeId = shapeOf[ss]!;
        if (shapeId < 0) shapeId = shapeOf[ss] = shapeIdFor(p.strings[ss]!);
        const ks = p.knownAt[k]!;
        let knownAt = knownOf.get(ks);
        if (knownAt === undefined) {
          const iso = ks < 0 ? undefined : p.strings[ks]!;
          knownOf.set(ks, (knownAt = iso === undefined || iso === recordedAtIso ? null : encodeInstant(iso)));
        }
        const occ = p.occurredText[k]!;
        let a = waiting * EVENT_ROW_WIDTH;
        args[a++] = st.id;
        args[a++] = st.revision + 1;
        const text = p.idText[k]!;
        if (text >= 0) args[a++] = p.strings[text]!;
        else {
          const id = idSlots[waiting]!;
          for (let b = 0, o = k * 16; b < 16; b++) id[b] = ids[o + b]!;
          args[a++] = id;
        }
        args[a++] = typeId;
        args[a++] = p.schemaVersion[k]!;
        args[a++] = occ === OCC_NUMBER ? p.occurredOn[k]! : occ === OCC_NULL ? null : p.strings[occ]!;
        args[a++] = recordedAt;
        args[a++] = knownAt;
        args[a++] = shapeId;
        args[a] = bodies.slice(k === 0 ? 0 : p.bodyEnds[k - 1]!, p.bodyEnds[k]!);
        lastRow = rowsSeen++;
        if (++waiting === INSERT_ROWS) flush();
        st.revision += 1;
        st.dirty = true;
        appended += 1;
        typeCounts.set(typeId, (typeCounts.get(typeId) ?? 0) + 1);
      }
      const result = {
        stream,
        revision: st.revision < 0 ? 'no_stream' as const : st.revision,
        position: null as Position | null,
        appended,
        duplicates: size - appended,
      };
      results.push(result);
      if (lastRow >= 0) unplaced.push({ result, row: lastRow });
    }
    flush();

    for (const [name, st] of streams) {
      if (!st.dirty) continue;
      if (st.created) q.insertStream.run(st.id, name, st.revision);
      else q.updateStream.run(st.revision, st.id);
    }
    for (const [typeId, n] of typeCounts) q.addTypeCount.run(n, typeId);
    return results;
  }

  /** Whether the stream holds event k's id: added in this call (perhaps still waiting to be inserted), or stored before. */
  function isStored(st: StreamState, p: PackedAppends, k: number): boolean {
    if (st.added.has(p, k)) return true;
    // A stream this call creates has no rows to look up.
    if (st.created || st.id === 0) return false;
    const text = p.idText[k]!;
    let id: Buffer | string;
    if (text >= 0) id = p.strings[text]!;
    else {
      id = lookupId;
      for (let b = 0, o = k * 16; b < 16; b++) id[b] = p.ids[o + b]!;
    }
    return q.eventExists.get(st.id, id, id) !== undefined;
  }

  function inWriteTransaction<T>(fn: (tx: LogTransaction) => T, opts: { readonly secureDelete?: boolean } = {}): Either<AppendError, T> {
    let appendedAny = false;
    let erasedAny = false;
    const tx = db.transaction(() => fn({
      append(appends) {
        const results = appendInTx(appends);
        if (results.some((r) => r.appended > 0)) appendedAny = true;
        return results;
      },
      appendPacked(appends) {
        const results = appendPackedInTx(appends);
        if (results.some((r) => r.appended > 0)) appendedAny = true;
        return results;
      },
      eraseStream(stream) {
        const n = eraseInTx(stream);
        if (n > 0) erasedAny = true;
        return n;
      },
    }));
    // Erasure under privacy law: overwrite freed pages instead of leaving the learner's bytes in free space.
    if (opts.secureDelete) db.pragma('secure_delete = ON');
    try {
      // IMMEDIATE takes the write lock before reading revisions, so the check and the write are one step.
      const result = tx.immediate();
      if (appendedAny) notify();
      // Push the zeroed pages into the main file and drop old page images from the WAL where no reader holds them.
      if (erasedAny && options.path !== ':memory:') db.pragma('wal_checkpoint(TRUNCATE)');
      return right(result);
    } catch (err) {
      if (err instanceof Conflict) return left(err.error);
      if (isBusy(err)) return left({ kind: 'StoreUnavailable', message: String((err as Error).message) });
      throw err;
    } finally {
      if (opts.secureDelete) db.pragma('secure_delete = OFF');
    }
  }

  const append = (appends: readonly StreamAppend[]): Either<AppendError, AppendResult[]> => inWriteTransaction((tx) => tx.append(appends));

  function readBatch(after: Position, limit: number, until: Position, withMetadata = true): RecordedEvent[] {
    const rows = q.readAll.all(after, until, limit) as Row[];
    const out = new Array<RecordedEvent>(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = toRecorded(rows[i]!, withMetadata);
    return out;
  }

  const headPosition = (): Position => (q.head.get() as [number])[0];

  function eraseInTx(stream: string): number {
    const row = q.stream.get(stream) as [number, number] | undefined;
    if (row === undefined) return 0;
    const [id] = row;
    for (const [typeId, n] of q.typeCountsOfStream.all(id) as [number, number][]) q.addTypeCount.run(-n, typeId);
    const removed = q.deleteEvents.run(id).changes;
    q.deleteStream.run(id);
    return removed;
  }

  return {
    path: options.path,
    database: db,
    writeTransaction: inWriteTransaction,
    acquireLock: (name: string, command: string) => acquireLogLock(db, name, command),
    streamRevisions: async (streams: readonly string[]) => new Map(q.streamsNamed.all(JSON.stringify(streams)) as [string, number][]),

    async appendToStream(stream: string, events: readonly NewEvent[], opts?: { expectedRevision?: ExpectedRevision }) {
      const result = append([{ stream, expectedRevision: opts?.expectedRevision ?? 'any', events }]);
      return result._tag === 'Left' ? result : right(result.right[0]!);
    },

    async appendToStreams(appends: readonly StreamAppend[]) {
      return append(appends);
    },

    async readStream(stream: string, opts?: { fromRevision?: StreamRevision }) {
      return (q.readStream.all(stream, opts?.fromRevision ?? 0) as Row[]).map((r) => toRecorded(r));
    },

    async streamRevision(stream: string) {
      const row = q.stream.get(stream) as [number, number] | undefined;
      return row === undefined ? null : row[1];
    },

    readAll(opts: ReadAllOptions = {}) {
      const metadata = opts.metadata ?? true;
      return readPages((after, limit, until) => readBatch(after, limit, until, metadata), opts);
    },

    async *readStreams(opts: ReadStreamsOptions) {
      const limit = opts.batchSize ?? 1000;
      const until = opts.until ?? Number.MAX_SAFE_INTEGER;
      const prefix = `${opts.category}-`;
      // Names of the category sort between `<category>-` and `<category>.` ('.' follows '-').
      const upper = `${opts.category}.`;
      let after = 0;
      for (;;) {
        const ids = (q.streamsPage.all(after, prefix, upper, limit) as [number][]).map((r) => r[0]);
        if (ids.length === 0) return;
        const batch: RecordedEvent[][] = [];
        let current: RecordedEvent[] | null = null;
        // Streams of other categories inside the id range are skipped before their payloads are parsed.
        for (const r of q.streamsEvents.all(ids[0]!, ids[ids.length - 1]!, until) as Row[]) {
          if (!r[2].startsWith(prefix)) continue;
          const e = toRecorded(r);
          if (current === null || e.stream !== current[0]!.stream) {
            current = [];
            batch.push(current);
          }
          current.push(e);
        }
        if (batch.length > 0) yield batch;
        if (ids.length < limit) return;
        after = ids[ids.length - 1]!;
      }
    },

    subscribeToAll(handler: (batch: RecordedEvent[]) => Promise<void> | void, opts?: SubscribeOptions) {
      const sub = pollingSubscription({ readBatch, headPosition }, handler, opts, wake);
      subscriptions.add(sub);
      void sub.done.finally(() => subscriptions.delete(sub)).catch(() => undefined);
      return sub;
    },

    async headPosition() {
      return headPosition();
    },

    async positionsHandedOut() {
      return (q.handedOut.get() as [number])[0];
    },

    async eraseStream(stream: string) {
      const r = inWriteTransaction((tx) => tx.eraseStream(stream), { secureDelete: true });
      if (r._tag === 'Left') throw new Error(`could not erase ${stream}: ${r.left.kind === 'StoreUnavailable' ? r.left.message : r.left.kind}`);
      return r.right;
    },

    async stats(): Promise<StoreStats> {
      const byType: Record<string, number> = {};
      let events = 0;
      for (const [type, n] of q.typeCounts.all() as [string, number][]) {
        byType[type] = n;
        events += n;
      }
      return {
        events,
        streams: (q.countStreams.get() as [number])[0],
        lastPosition: headPosition(),
        byType,
        streamsByCategory: Object.fromEntries(q.streamCategories.all() as [string, number][]),
      };
    },

    async close() {
      await Promise.all([...subscriptions].map((s) => s.stop()));
      if (db.open) db.close();
    },
  };
}
