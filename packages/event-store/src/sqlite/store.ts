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
import { DEFAULT_BATCH_SIZE, pollingSubscription, type WakeSignal } from '../polling-subscription.js';
import { applyPragmas, migrate } from './schema.js';

export interface SqliteEventStoreOptions {
  /** File path, or ':memory:' for a private in-process store. */
  readonly path: string;
  /** Source of recordedAt; injectable so tests and replays can pin transaction time. */
  readonly clock?: () => Date;
  /** How long to wait for another connection's write lock (default 5000 ms). */
  readonly busyTimeoutMs?: number;
}

export interface SqliteEventStore extends EventStore {
  readonly path: string;
}

type Row = [number, string, string, number, string, number, string | null, string, string, string, string | null];

const EVENT_COLUMNS =
  'e.position, e.event_id, s.name, e.revision, e.type, e.schema_version, e.occurred_on, e.recorded_at, e.known_at, e.data, e.metadata';

const NO_METADATA: Readonly<Record<string, unknown>> = Object.freeze({});

function toRecorded(r: Row): RecordedEvent {
  return {
    position: r[0],
    eventId: r[1],
    stream: r[2],
    revision: r[3],
    type: r[4],
    schemaVersion: r[5],
    occurredOn: r[6],
    recordedAt: r[7],
    knownAt: r[8],
    data: JSON.parse(r[9]),
    metadata: r[10] === null ? NO_METADATA : (JSON.parse(r[10]) as Record<string, unknown>),
  };
}

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
  const db = new Database(options.path);
  applyPragmas(db, options.busyTimeoutMs);
  migrate(db);

  const raw = <T extends unknown[]>(sql: string): Statement<T> => db.prepare<T>(sql).raw(true) as Statement<T>;
  const q = {
    stream: raw<[string]>('SELECT stream_id, revision FROM streams WHERE name = ?'),
    maxStreamId: raw<[]>('SELECT COALESCE(MAX(stream_id), 0) FROM streams'),
    insertStream: db.prepare<[number, string, number]>('INSERT INTO streams (stream_id, name, revision) VALUES (?, ?, ?)'),
    updateStream: db.prepare<[number, number]>('UPDATE streams SET revision = ? WHERE stream_id = ?'),
    deleteStream: db.prepare<[number]>('DELETE FROM streams WHERE stream_id = ?'),
    eventExists: raw<[number, string]>('SELECT 1 FROM events WHERE stream_id = ? AND event_id = ?'),
    insertEvent: db.prepare<[string, number, number, string, number, string | null, string, string, string, string | null]>(
      `INSERT INTO events (event_id, stream_id, revision, type, schema_version, occurred_on, recorded_at, known_at, data, metadata)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (stream_id, event_id) DO NOTHING`,
    ),
    addTypeCount: db.prepare<[string, number]>(
      'INSERT INTO event_types (type, events) VALUES (?, ?) ON CONFLICT (type) DO UPDATE SET events = events + excluded.events',
    ),
    typeCountsOfStream: raw<[number]>('SELECT type, COUNT(*) FROM events WHERE stream_id = ? GROUP BY type'),
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
    countStreams: raw<[]>('SELECT COUNT(*) FROM streams'),
    streamCategories: raw<[]>("SELECT CASE WHEN instr(name, '-') > 0 THEN substr(name, 1, instr(name, '-') - 1) ELSE name END AS category, COUNT(*) FROM streams GROUP BY category ORDER BY category"),
    typeCounts: raw<[]>('SELECT type, events FROM event_types WHERE events > 0 ORDER BY type'),
  };

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

  /** Appends of one call share this state so a stream named twice is looked up once. */
  function appendInTx(appends: readonly StreamAppend[]): AppendResult[] {
    const recordedAt = clock().toISOString();
    const streams = new Map<string, StreamState>();
    const typeCounts = new Map<string, number>();
    let nextStreamId = 0;
    const results: AppendResult[] = [];

    for (const { stream, expectedRevision, events } of appends) {
      let st = streams.get(stream);
      if (st === undefined) {
        const row = q.stream.get(stream) as [number, number] | undefined;
        st = row ? { id: row[0], revision: row[1], created: false, dirty: false } : { id: 0, revision: -1, created: false, dirty: false };
        streams.set(stream, st);
      }
      const current = st.revision < 0 ? ('no_stream' as const) : st.revision;
      if (!matches(expectedRevision, current)) {
        // A retried append whose events are all stored already is a success, whatever it expected.
        if (events.length > 0 && st.id !== 0 && events.every((e) => q.eventExists.get(st.id, e.eventId) !== undefined)) {
          results.push({ stream, revision: current, position: null, appended: 0, duplicates: events.length });
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
      let position: Position | null = null;
      for (const e of events) {
        const info = q.insertEvent.run(
          e.eventId,
          st.id,
          st.revision + 1,
          e.type,
          e.schemaVersion,
          e.occurredOn ?? null,
          recordedAt,
          e.knownAt ?? recordedAt,
          JSON.stringify(e.data ?? null),
          e.metadata === undefined ? null : JSON.stringify(e.metadata),
        );
        if (info.changes === 0) continue;
        st.revision += 1;
        st.dirty = true;
        appended += 1;
        position = Number(info.lastInsertRowid);
        typeCounts.set(e.type, (typeCounts.get(e.type) ?? 0) + 1);
      }
      results.push({
        stream,
        revision: st.revision < 0 ? 'no_stream' : st.revision,
        position,
        appended,
        duplicates: events.length - appended,
      });
    }

    for (const [name, st] of streams) {
      if (!st.dirty) continue;
      if (st.created) q.insertStream.run(st.id, name, st.revision);
      else q.updateStream.run(st.revision, st.id);
    }
    for (const [type, n] of typeCounts) q.addTypeCount.run(type, n);
    return results;
  }

  const appendTx = db.transaction(appendInTx);

  function append(appends: readonly StreamAppend[]): Either<AppendError, AppendResult[]> {
    try {
      // IMMEDIATE takes the write lock before reading revisions, so the check and the write are one step.
      const results = appendTx.immediate(appends);
      if (results.some((r) => r.appended > 0)) notify();
      return right(results);
    } catch (err) {
      if (err instanceof Conflict) return left(err.error);
      if (isBusy(err)) return left({ kind: 'StoreUnavailable', message: String((err as Error).message) });
      throw err;
    }
  }

  function readBatch(after: Position, limit: number, until: Position): RecordedEvent[] {
    const rows = q.readAll.all(after, until, limit) as Row[];
    const out = new Array<RecordedEvent>(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = toRecorded(rows[i]!);
    return out;
  }

  const headPosition = (): Position => (q.head.get() as [number])[0];

  const eraseTx = db.transaction((stream: string): number => {
    const row = q.stream.get(stream) as [number, number] | undefined;
    if (row === undefined) return 0;
    const [id] = row;
    for (const [type, n] of q.typeCountsOfStream.all(id) as [string, number][]) q.addTypeCount.run(type, -n);
    const removed = q.deleteEvents.run(id).changes;
    q.deleteStream.run(id);
    return removed;
  });

  return {
    path: options.path,

    async appendToStream(stream: string, events: readonly NewEvent[], opts?: { expectedRevision?: ExpectedRevision }) {
      const result = append([{ stream, expectedRevision: opts?.expectedRevision ?? 'any', events }]);
      return result._tag === 'Left' ? result : right(result.right[0]!);
    },

    async appendToStreams(appends: readonly StreamAppend[]) {
      return append(appends);
    },

    async readStream(stream: string, opts?: { fromRevision?: StreamRevision }) {
      return (q.readStream.all(stream, opts?.fromRevision ?? 0) as Row[]).map(toRecorded);
    },

    async streamRevision(stream: string) {
      const row = q.stream.get(stream) as [number, number] | undefined;
      return row === undefined ? null : row[1];
    },

    async *readAll(opts: ReadAllOptions = {}) {
      const limit = opts.batchSize ?? DEFAULT_BATCH_SIZE;
      const until = opts.until ?? Number.MAX_SAFE_INTEGER;
      let after = opts.after ?? 0;
      for (;;) {
        const batch = readBatch(after, limit, until);
        if (batch.length === 0) return;
        yield batch;
        if (batch.length < limit) return;
        after = batch[batch.length - 1]!.position;
      }
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

    async eraseStream(stream: string) {
      // Erasure under privacy law: overwrite freed pages instead of leaving the learner's bytes in free space.
      db.pragma('secure_delete = ON');
      try {
        const removed = eraseTx.immediate(stream);
        // Push the zeroed pages into the main file and drop old page images from the WAL where no reader holds them.
        if (removed > 0 && options.path !== ':memory:') db.pragma('wal_checkpoint(TRUNCATE)');
        return removed;
      } finally {
        db.pragma('secure_delete = OFF');
      }
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
