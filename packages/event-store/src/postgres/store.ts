/**
 * The event log in PostgreSQL, for more than one machine: several importers,
 * projection workers and API servers share one log over the network.
 *
 * ## Why appends are serialised (the gap problem)
 *
 * Readers (readAll, subscriptions, projections) keep one number as their
 * checkpoint and ask for `position > checkpoint`. That is only safe if a
 * position, once a reader can see it, is never followed by a *lower* position
 * becoming visible later. A sequence does not give that: transaction A takes
 * position 10, transaction B takes 11 and commits first; a reader sees 11,
 * moves its checkpoint to 11, and never reads 10 when A commits a moment
 * later. (test/postgres.gap.test.ts shows exactly this with a plain sequence.)
 *
 * Every append therefore takes one transaction-scoped advisory lock
 * (`pg_advisory_xact_lock`, key per schema) before it reads a stream
 * revision, and only then hands out positions (from `log_head`). PostgreSQL
 * releases a transaction's locks only after its commit is visible to new
 * snapshots, so the next appender gets higher positions strictly after the
 * previous ones became visible: positions become visible in order, and a
 * reader's checkpoint never passes an event that is still to come.
 *
 * The alternative, a visibility watermark (store pg_current_xact_id() with
 * each event and read only below pg_snapshot_xmin of the reader's snapshot),
 * keeps writers concurrent, but events then become visible in transaction-id
 * order rather than position order, so a reader's checkpoint has to become
 * the pair (xid, position). The port's checkpoint is one Position, shared
 * with SQLite and EventStoreDB and stored by every projection, so that would
 * be a port change. Serialising costs writer concurrency only: appends are
 * short (a handful of statements on one connection, one of them a batched
 * insert), the log's writers are importers and command handlers, and the
 * embedded store has exactly one writer at a time too. Readers never take
 * the lock.
 *
 * The same lock makes the expected-revision check and the write one step
 * (no unique-violation races between appenders to one stream), and erasure
 * takes it too so that it cannot interleave with an append to the same stream.
 */
import { hostname } from 'node:os';
import { left, right, type Either } from 'fp-ts/lib/Either.js';
import pg, { type PoolClient, type QueryResultRow } from 'pg';
import { matchesExpectedRevision } from '../expected-revision.js';
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
import { pollingSubscription } from '../polling-subscription.js';
import { readPages } from '../read-pages.js';
import { appendListener } from './listener.js';
import { unjoin, type JoinedAppends } from './joined.js';
import { allJoinable, columnQuery, columnSql, joinColumn, splitColumn, type ColumnValue } from './text-columns.js';
import { channelOf, checkSchemaName, DEFAULT_SCHEMA, lockStatement, migrate } from './schema.js';
import { openPool } from './pool.js';
import { inTransaction } from './tx.js';
import { numberTypes } from './types.js';
import { NETWORK_ERROR_CODES, PostgresLockedError } from './errors.js';

export interface PostgresEventStoreOptions {
  /** libpq-style URL, e.g. postgres://user@host:5432/db. */
  readonly connectionString: string;
  /** Schema holding the tables (default 'event_store'); created on first open. Lower-case identifier. */
  readonly schema?: string;
  /** Source of recordedAt (default: the database server's clock, read under the append lock, so it follows position order). */
  readonly clock?: () => Date;
  /** How long an append or erasure waits for the append lock before it reports StoreUnavailable (default 5000 ms). */
  readonly lockTimeoutMs?: number;
  /** Most pooled connections (default 10); LISTEN uses one more of its own. */
  readonly maxConnections?: number;
}

export interface PostgresEventStore extends EventStore, PostgresQuery {
  readonly schema: string;
  /**
   * Run `fn` in one transaction on one connection, holding the append lock
   * from the start: `tx.append` appends like appendToStreams (expected
   * revisions, idempotent by event id) and `tx.query` writes the caller's
   * own tables (the import ledger) in the same transaction, so both commit
   * together or not at all. A conflict from `append` rolls everything back
   * and comes out as Left, as do connection trouble and a lock not had in time.
   */
  writeTransaction<T>(fn: (tx: PostgresLogTransaction) => Promise<T>): Promise<Either<AppendError, T>>;
  /**
   * Run `fn` in one transaction without the append lock, for writes to the
   * caller's own tables only (no `append`): readers and appenders of the log
   * are not held up by it.
   */
  transaction<T>(fn: (tx: PostgresQuery) => Promise<T>): Promise<T>;
  /** Every event of each of these streams that exists, in revision order, in one query. */
  readStreamsNamed(streams: readonly string[]): Promise<Map<string, RecordedEvent[]>>;
  /**
   * Take the named lock on this log (one import or erasure at a time, across
   * machines): a session-level advisory lock on a connection of its own, so a
   * holder that dies loses it with its connection. Throws PostgresLockedError
   * naming the holder when another session has it. Resolves to the release.
   */
  acquireLock(name: string, command: string): Promise<() => Promise<void>>;
}

/** Statements on the log's database outside the log's own tables (one pooled connection per call). */
export interface PostgresQuery {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: readonly unknown[]): Promise<pg.QueryResult<R>>;
}

export interface PostgresLogTransaction extends PostgresQuery {
  append(appends: readonly StreamAppend[]): Promise<AppendResult[]>;
  /** append, for a batch whose events' columns were joined where they were made (joined.ts). */
  appendJoined(appends: JoinedAppends): Promise<AppendResult[]>;
  /** Remove a stream and its events for good, as eraseStream does; returns how many events went. */
  eraseStream(stream: string): Promise<number>;
}

/** Advisory-lock class of named locks; the append lock uses LOCK_CLASS, so the two never collide. */
const NAMED_LOCK_CLASS = 0x4c4e;


type Row = [number, string, string, number, string, number, string | null, Date, string, unknown, Record<string, unknown> | null];

const EVENT_COLUMNS =
  'e.position, e.event_id, s.name, e.revision, e.type, e.schema_version, e.occurred_on, e.recorded_at, e.known_at, e.data, e.metadata';

/** EVENT_COLUMNS with the stream's name from the keys a lookup went by (`k`). */
const KEYED_EVENT_COLUMNS = EVENT_COLUMNS.replace('s.name', 'k.name');

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
    recordedAt: r[7].toISOString(),
    knownAt: r[8],
    data: r[9],
    metadata: r[10] ?? NO_METADATA,
  };
}

/** Thrown inside the transaction to roll it back; carries the typed error out. */
class Conflict {
  constructor(readonly error: AppendError) {}
}

/** Connection trouble and a lock not had in time: the caller may retry the same events (appends are idempotent). */
function isUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    // 08: connection exception; 53300 too many connections; 55P03 lock not available; 57P01-03 shutdown / not accepting.
    if (code.startsWith('08') || code === '53300' || code === '55P03' || code.startsWith('57P0')) return true;
    if (NETWORK_ERROR_CODES.has(code)) return true;
  }
  // pg reports a socket closed under it without a code.
  return err instanceof Error && /Connection terminated|timeout exceeded when trying to connect/i.test(err.message);
}

interface StreamState {
  /** null until the stream has a row (existing, or inserted by this call). */
  id: number | null;
  /** Last revision, -1 when the stream holds nothing. */
  revision: number;
  /** Ids of this call that the stream holds (stored before, or appended earlier in the call). */
  readonly ids: Set<string>;
  readonly existed: boolean;
  /** Something of this call lands in the stream, so its row needs the new revision. */
  written: boolean;
}

interface PendingEvent {
  readonly stream: string;
  readonly revision: number;
  readonly event: NewEvent;
}

/**
 * The connection string with JIT compilation off in its startup options:
 * every statement of the log's pool (the log's, and the import ledger's
 * through query()) is a lookup by keys or a batch's write, and on tables
 * whose statistics lag behind an import PostgreSQL's estimates passed
 * jit_above_cost, so it compiled for 90-175 ms a statement that ran in 5-10.
 * Options the URL gives are kept. (The pool's own `options` would not do:
 * node-postgres lets the URL's parameters override it.)
 */
export function withoutJit(connectionString: string): string {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    return connectionString;
  }
  url.searchParams.set('options', `${url.searchParams.get('options') ?? ''} -c jit=off`.trim());
  return url.toString();
}

/** The statements of a log in `schema` (tests read their plans). */
export function statements(schema: string) {
  const t = (name: string) => `${schema}.${name}`;
  return {
    // Lookups by a list of keys go key by key through the unique indexes (LATERAL; OFFSET 0 keeps the planner from
    // flattening it). As a join or `= ANY`, PostgreSQL chose to scan the whole table for a batch of a thousand keys,
    // whatever the table's size: a thousand streams' events took 844 ms of a 1.9 million event log that way, 56 ms
    // key by key, and a read of every stream (a rebuild) grew with the square of the log.
    streams: [false, true].map((joined) => `SELECT s.stream_id, s.name, s.revision FROM unnest(${columnSql(1, 'text', joined)}) AS k(name)
                CROSS JOIN LATERAL (SELECT * FROM ${t('streams')} s WHERE s.name = k.name OFFSET 0) s`) as [string, string],
    storedIds: [false, true].map((joined) => `SELECT e.stream_id, e.event_id FROM unnest(${columnSql(1, 'bigint', joined)}, ${columnSql(2, 'text', joined)}) AS k(stream_id, event_id)
                CROSS JOIN LATERAL (SELECT e.stream_id, e.event_id FROM ${t('events')} e WHERE e.stream_id = k.stream_id AND e.event_id = k.event_id OFFSET 0) e`) as [string, string],
    insertStreams: `INSERT INTO ${t('streams')} (name, revision) SELECT * FROM unnest($1::text[], $2::int[]) RETURNING stream_id, name`,
    reserve: `UPDATE ${t('log_head')} SET last_position = last_position + $1 RETURNING last_position, clock_timestamp() AS now`,
    // One statement for every write after positions are known: each round trip is time spent holding the append lock.
    // Two texts: the events' columns joined (text-columns.ts), or as arrays when a value cannot be joined.
    write: [false, true].map((joined) => {
      const c = (n: number, type: string) => columnSql(n, type, joined);
      return `WITH inserted AS (
        INSERT INTO ${t('events')} (position, stream_id, recorded_at, revision, schema_version, event_id, type, occurred_on, known_at, data, metadata)
        SELECT $1::bigint + ord, stream_id, $2::timestamptz, revision, schema_version, event_id, type, occurred_on, coalesce(known_at, $17), data::json, metadata::json
        FROM unnest(${c(3, 'bigint')}, ${c(4, 'int')}, ${c(5, 'int')}, ${c(6, 'text')}, ${c(7, 'text')}, ${c(8, 'text')}, ${c(9, 'text')}, ${c(10, 'text')}, ${c(11, 'text')})
          WITH ORDINALITY AS u(stream_id, revision, schema_version, event_id, type, occurred_on, known_at, data, metadata, ord)
      ), revised AS (
        UPDATE ${t('streams')} s SET revision = r.revision FROM unnest($12::bigint[], $13::int[]) AS r(stream_id, revision)
        WHERE s.stream_id = r.stream_id
      ), counted AS (
        INSERT INTO ${t('event_types')} (type, events) SELECT * FROM unnest($14::text[], $15::bigint[])
        ON CONFLICT (type) DO UPDATE SET events = ${t('event_types')}.events + excluded.events
      )
      SELECT pg_notify($16, '')`;
    }) as [string, string],
    readAll: `SELECT ${EVENT_COLUMNS} FROM ${t('events')} e JOIN ${t('streams')} s ON s.stream_id = e.stream_id
              WHERE e.position > $1 AND e.position <= $2 ORDER BY e.position LIMIT $3`,
    readStream: `SELECT ${EVENT_COLUMNS} FROM ${t('streams')} s JOIN ${t('events')} e ON e.stream_id = s.stream_id
                 WHERE s.name = $1 AND e.revision >= $2 ORDER BY e.revision`,
    revision: `SELECT revision FROM ${t('streams')} WHERE name = $1`,
    streamId: `SELECT stream_id FROM ${t('streams')} WHERE name = $1`,
    // Under COLLATE "C" the names of a category are exactly the range ['<category>-', '<category>.').
    streamsPage: `SELECT stream_id, name FROM ${t('streams')} WHERE name >= $1 AND name < $2 AND name > $3 ORDER BY name LIMIT $4`,
    streamsEvents: [false, true].map((joined) => `SELECT ${KEYED_EVENT_COLUMNS}
                    FROM unnest(${columnSql(1, 'bigint', joined)}, ${columnSql(2, 'text', joined)}) WITH ORDINALITY AS k(stream_id, name, ord)
                    CROSS JOIN LATERAL (SELECT * FROM ${t('events')} e WHERE e.stream_id = k.stream_id AND e.position <= $3 ORDER BY e.revision OFFSET 0) e
                    ORDER BY k.ord, e.revision`) as [string, string],
    head: `SELECT COALESCE(MAX(position), 0) AS head FROM ${t('events')}`,
    handedOut: `SELECT last_position AS head FROM ${t('log_head')}`,
    revisions: [false, true].map((joined) => `SELECT s.name, s.revision FROM unnest(${columnSql(1, 'text', joined)}) AS k(name)
                CROSS JOIN LATERAL (SELECT * FROM ${t('streams')} s WHERE s.name = k.name OFFSET 0) s`) as [string, string],
    // Names must be distinct: each one given is read.
    streamsNamed: [false, true].map((joined) => `SELECT ${KEYED_EVENT_COLUMNS}
                   FROM unnest(${columnSql(1, 'text', joined)}) WITH ORDINALITY AS k(name, ord)
                   CROSS JOIN LATERAL (SELECT s.stream_id FROM ${t('streams')} s WHERE s.name = k.name OFFSET 0) s
                   CROSS JOIN LATERAL (SELECT * FROM ${t('events')} e WHERE e.stream_id = s.stream_id ORDER BY e.revision OFFSET 0) e
                   ORDER BY k.ord, e.revision`) as [string, string],
    erase: `WITH gone AS (
        DELETE FROM ${t('events')} WHERE stream_id = $1 RETURNING type
      ), per_type AS (
        SELECT type, COUNT(*) AS n FROM gone GROUP BY type
      ), uncounted AS (
        UPDATE ${t('event_types')} c SET events = c.events - p.n FROM per_type p WHERE c.type = p.type
      ), stream AS (
        DELETE FROM ${t('streams')} WHERE stream_id = $1
      )
      SELECT COALESCE(SUM(n), 0)::bigint AS removed FROM per_type`,
    typeCounts: `SELECT type, events FROM ${t('event_types')} WHERE events > 0 ORDER BY type`,
    categories: `SELECT split_part(name, '-', 1) AS category, COUNT(*) AS n FROM ${t('streams')} GROUP BY 1 ORDER BY 1`,
  };
}

export async function openPostgresEventStore(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
  const schema = checkSchemaName(options.schema ?? DEFAULT_SCHEMA);
  const lockTimeoutMs = Math.max(0, Math.floor(options.lockTimeoutMs ?? 5000));
  const pool = await openPool({ connectionString: withoutJit(options.connectionString), max: options.maxConnections ?? 10, types: numberTypes }, (p) => migrate(p, schema));

  const beginLocked = `BEGIN; SET LOCAL lock_timeout = ${lockTimeoutMs}; ${lockStatement(schema)}`;
  const channel = channelOf(schema);
  const listener = appendListener(options.connectionString, channel);
  const subscriptions = new Set<Subscription>();
  let closed = false;

  const sql = statements(schema);

  const rowsOf = async (text: string, values: unknown[]): Promise<Row[]> => (await pool.query<Row>({ text, values, rowMode: 'array' })).rows;

  /** Everything between taking the lock and COMMIT. Checks come first, so a conflict rolls back before anything was written. */
  async function appendLocked(client: PoolClient, appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    const names = [...new Set(appends.map((a) => a.stream))];
    const streams = new Map<string, StreamState>();
    for (const r of (await client.query<{ stream_id: number; name: string; revision: number }>(...columnQuery(sql.streams, [names]))).rows) {
      streams.set(r.name, { id: r.stream_id, revision: r.revision, ids: new Set(), existed: true, written: false });
    }
    for (const name of names) if (!streams.has(name)) streams.set(name, { id: null, revision: -1, ids: new Set(), existed: false, written: false });

    // Which ids of this call the existing streams already hold, in one query.
    const keyStreams: number[] = [];
    const keyIds: string[] = [];
    for (const a of appends) {
      const id = streams.get(a.stream)!.id;
      if (id !== null) for (const e of a.events) (keyStreams.push(id), keyIds.push(e.eventId));
    }
    if (keyIds.length > 0) {
      const byId = new Map([...streams.values()].filter((s) => s.id !== null).map((s) => [s.id!, s]));
      for (const r of (await client.query<{ stream_id: number; event_id: string }>(...columnQuery(sql.storedIds, [keyStreams, keyIds]))).rows) {
        byId.get(r.stream_id)!.ids.add(r.event_id);
      }
    }

    const pending: PendingEvent[] = [];
    // Per append: index into `pending` of its last event, or -1.
    const lastIndex: number[] = [];
    const partial: Omit<AppendResult, 'position'>[] = [];
    for (const { stream, expectedRevision, events } of appends) {
      const st = streams.get(stream)!;
      const current = st.revision < 0 ? ('no_stream' as const) : st.revision;
      if (!matchesExpectedRevision(expectedRevision, current)) {
        // A retried append whose events are all stored already is a success, whatever it expected.
        if (events.length > 0 && events.every((e) => st.ids.has(e.eventId))) {
          partial.push({ stream, revision: current, appended: 0, duplicates: events.length });
          lastIndex.push(-1);
          continue;
        }
        throw new Conflict({ kind: 'WrongExpectedRevision', stream, expected: expectedRevision, actual: current });
      }
      let appended = 0;
      for (const event of events) {
        if (st.ids.has(event.eventId)) continue;
        st.ids.add(event.eventId);
        st.revision += 1;
        st.written = true;
        appended += 1;
        pending.push({ stream, revision: st.revision, event });
      }
      partial.push({ stream, revision: st.revision < 0 ? 'no_stream' : st.revision, appended, duplicates: events.length - appended });
      lastIndex.push(appended > 0 ? pending.length - 1 : -1);
    }

    if (pending.length > 0) {
      const created = [...streams].filter(([, st]) => !st.existed && st.written);
      if (created.length > 0) {
        const { rows } = await client.query<{ stream_id: number; name: string }>(sql.insertStreams, [
          created.map(([name]) => name),
          created.map(([, st]) => st.revision),
        ]);
        for (const r of rows) streams.get(r.name)!.id = r.stream_id;
      }
      const { rows } = await client.query<{ last_position: number; now: Date }>(sql.reserve, [pending.length]);
      const base = rows[0]!.last_position - pending.length;
      const recordedAt = options.clock?.() ?? rows[0]!.now;
      const recordedIso = recordedAt.toISOString();

      const revised = [...streams.values()].filter((st) => st.existed && st.written);
      const typeCounts = new Map<string, number>();
      for (const p of pending) typeCounts.set(p.event.type, (typeCounts.get(p.event.type) ?? 0) + 1);
      const columns: ColumnValue[][] = [
        pending.map((p) => streams.get(p.stream)!.id),
        pending.map((p) => p.revision),
        pending.map((p) => p.event.schemaVersion),
        pending.map((p) => p.event.eventId),
        pending.map((p) => p.event.type),
        pending.map((p) => p.event.occurredOn ?? null),
        pending.map((p) => p.event.knownAt ?? recordedIso),
        pending.map((p) => JSON.stringify(p.event.data ?? null)),
        pending.map((p) => (p.event.metadata === undefined ? null : JSON.stringify(p.event.metadata))),
      ];
      const joined = allJoinable(columns);
      await client.query(sql.write[joined ? 1 : 0], [
        base,
        recordedIso,
        ...(joined ? columns.map(joinColumn) : columns),
        revised.map((st) => st.id),
        revised.map((st) => st.revision),
        [...typeCounts.keys()],
        [...typeCounts.values()],
        channel,
        recordedIso,
      ]);
      return partial.map((r, i) => ({ ...r, position: lastIndex[i]! < 0 ? null : base + lastIndex[i]! + 1 }));
    }
    return partial.map((r) => ({ ...r, position: null }));
  }

  /**
   * appendLocked for a batch whose events' columns came joined: the same
   * checks and the same rows, without turning the events into parameters
   * here. What only the ordinary append sorts out (a stream twice in the
   * batch, an expected revision that does not hold, an event stored already:
   * duplicates or a conflict) goes to it, the batch unjoined.
   */
  async function appendJoinedLocked(client: PoolClient, j: JoinedAppends): Promise<AppendResult[]> {
    const names = j.streams;
    const ordinary = () => appendLocked(client, unjoin(j));
    if (new Set(names).size !== names.length) return ordinary();
    const streams = new Map<string, { id: number; revision: number }>();
    for (const r of (await client.query<{ stream_id: number; name: string; revision: number }>(...columnQuery(sql.streams, [names]))).rows) {
      streams.set(r.name, { id: r.stream_id, revision: r.revision });
    }
    const current = names.map((name) => {
      const st = streams.get(name);
      return st === undefined || st.revision < 0 ? ('no_stream' as const) : st.revision;
    });
    if (names.some((_, i) => !matchesExpectedRevision(j.expected[i]!, current[i]!))) return ordinary();
    if (streams.size > 0) {
      const ids = splitColumn(j.eventId);
      const keyStreams: number[] = [];
      const keyIds: string[] = [];
      let at = 0;
      names.forEach((name, i) => {
        const st = streams.get(name);
        if (st !== undefined) for (let k = at; k < at + j.counts[i]!; k++) (keyStreams.push(st.id), keyIds.push(ids[k]!));
        at += j.counts[i]!;
      });
      if (keyIds.length > 0 && (await client.query(...columnQuery(sql.storedIds, [keyStreams, keyIds]))).rows.length > 0) return ordinary();
    }
    const total = j.counts.reduce((a, n) => a + n, 0);
    if (total === 0) return names.map((stream, i) => ({ stream, revision: current[i]!, appended: 0, duplicates: 0, position: null }));

    const created = names.flatMap((name, i) => (streams.has(name) || j.counts[i] === 0 ? [] : [i]));
    if (created.length > 0) {
      const { rows } = await client.query<{ stream_id: number; name: string }>(sql.insertStreams, [created.map((i) => names[i]!), created.map((i) => j.counts[i]! - 1)]);
      for (const r of rows) streams.set(r.name, { id: r.stream_id, revision: -1 });
    }
    const { rows } = await client.query<{ last_position: number; now: Date }>(sql.reserve, [total]);
    const base = rows[0]!.last_position - total;
    const recordedIso = (options.clock?.() ?? rows[0]!.now).toISOString();
    const streamIds: number[] = new Array(total);
    const revisions: number[] = new Array(total);
    const revised: [number, number][] = [];
    const results: AppendResult[] = [];
    let at = 0;
    names.forEach((stream, i) => {
      const n = j.counts[i]!;
      const from = current[i] === 'no_stream' ? 0 : current[i]! + 1;
      const st = streams.get(stream);
      for (let k = 0; k < n; k++) {
        streamIds[at + k] = st!.id;
        revisions[at + k] = from + k;
      }
      at += n;
      if (n > 0 && current[i] !== 'no_stream') revised.push([st!.id, from + n - 1]);
      results.push({ stream, revision: n > 0 ? from + n - 1 : current[i]!, appended: n, duplicates: 0, position: n > 0 ? base + at : null });
    });
    await client.query(sql.write[1], [
      base, recordedIso, joinColumn(streamIds), joinColumn(revisions),
      j.schemaVersion, j.eventId, j.type, j.occurredOn, j.knownAt, j.data, j.metadata,
      revised.map(([id]) => id), revised.map(([, r]) => r), j.byType.map(([type]) => type), j.byType.map(([, n]) => n), channel, recordedIso,
    ]);
    return results;
  }

  async function append(appends: readonly StreamAppend[]): Promise<Either<AppendError, AppendResult[]>> {
    try {
      return right(await inTransaction(pool, beginLocked, (client) => appendLocked(client, appends)));
    } catch (err) {
      if (err instanceof Conflict) return left(err.error);
      if (isUnavailable(err)) return left({ kind: 'StoreUnavailable', message: String((err as Error).message) });
      throw err;
    }
  }

  async function eraseLocked(client: PoolClient, stream: string): Promise<number> {
    const { rows } = await client.query<{ stream_id: number }>(sql.streamId, [stream]);
    if (rows.length === 0) return 0;
    return (await client.query<{ removed: number }>(sql.erase, [rows[0]!.stream_id])).rows[0]!.removed;
  }

  async function writeTransaction<T>(fn: (tx: PostgresLogTransaction) => Promise<T>): Promise<Either<AppendError, T>> {
    try {
      return right(await inTransaction(pool, beginLocked, (client) => fn({
        append: (appends) => appendLocked(client, appends),
        appendJoined: (appends) => appendJoinedLocked(client, appends),
        eraseStream: (stream) => eraseLocked(client, stream),
        query: (text, values) => client.query(text, values as unknown[]),
      })));
    } catch (err) {
      if (err instanceof Conflict) return left(err.error);
      if (isUnavailable(err)) return left({ kind: 'StoreUnavailable', message: String((err as Error).message) });
      throw err;
    }
  }

  async function acquireLock(name: string, command: string): Promise<() => Promise<void>> {
    // Its own connection, not a pooled one: a session lock must stay with the session that took it, and the
    // application_name set here is what a refused taker reads to name the holder. PostgreSQL keeps 63 bytes of
    // it, which cut the time off ('since 2026-12-06T17:46:43.0'): the time is the session's start, read below.
    const me = `leerroutes ${command}, pid ${process.pid} on ${hostname()}`.slice(0, 63);
    const client = new pg.Client({ connectionString: options.connectionString, application_name: me });
    client.on('error', () => undefined);
    await client.connect();
    const key = [NAMED_LOCK_CLASS, `${schema}:${name}`] as const;
    try {
      const got = (await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS got', [...key])).rows[0]!.got;
      if (!got) {
        const holder = (await client.query<{ who: string }>(
          `SELECT a.application_name || ', since ' || to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
             || ' (backend ' || a.pid || COALESCE(' from ' || host(a.client_addr), '') || ')' AS who
           FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
           WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = hashtext($2)::oid AND l.objsubid = 2 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          [...key],
        )).rows[0]?.who ?? null;
        throw new PostgresLockedError(name, holder, command);
      }
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      // Ending the session releases the lock even if the unlock itself fails.
      await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [...key]).catch(() => undefined);
      await client.end().catch(() => undefined);
    };
  }

  async function readBatch(after: Position, limit: number, until: Position): Promise<RecordedEvent[]> {
    return (await rowsOf(sql.readAll, [after, until, limit])).map(toRecorded);
  }

  async function headPosition(): Promise<Position> {
    return (await pool.query<{ head: number }>(sql.head)).rows[0]!.head;
  }

  return {
    schema,
    writeTransaction,
    query: (text, values) => pool.query(text, values as unknown[]),
    transaction: (fn) => inTransaction(pool, 'BEGIN', (client) => fn({ query: (text, values) => client.query(text, values as unknown[]) })),
    acquireLock,

    async streamRevisions(streams: readonly string[]) {
      const { rows } = await pool.query<{ name: string; revision: number }>(...columnQuery(sql.revisions, [streams]));
      return new Map(rows.map((r) => [r.name, r.revision]));
    },

    async readStreamsNamed(streams: readonly string[]) {
      const out = new Map<string, RecordedEvent[]>();
      for (const r of await rowsOf(...columnQuery(sql.streamsNamed, [[...new Set(streams)]]))) {
        const e = toRecorded(r);
        (out.get(e.stream) ?? out.set(e.stream, []).get(e.stream)!).push(e);
      }
      return out;
    },

    async appendToStream(stream: string, events: readonly NewEvent[], opts?: { expectedRevision?: ExpectedRevision }) {
      const result = await append([{ stream, expectedRevision: opts?.expectedRevision ?? 'any', events }]);
      return result._tag === 'Left' ? result : right(result.right[0]!);
    },

    appendToStreams: append,

    async readStream(stream: string, opts?: { fromRevision?: StreamRevision }) {
      return (await rowsOf(sql.readStream, [stream, opts?.fromRevision ?? 0])).map(toRecorded);
    },

    async streamRevision(stream: string) {
      const { rows } = await pool.query<{ revision: number }>(sql.revision, [stream]);
      return rows[0]?.revision ?? null;
    },

    readAll: (opts: ReadAllOptions = {}) => readPages(readBatch, opts),

    async *readStreams(opts: ReadStreamsOptions) {
      const limit = opts.batchSize ?? 1000;
      const until = opts.until ?? Number.MAX_SAFE_INTEGER;
      const prefix = `${opts.category}-`;
      // '.' follows '-' in byte order.
      const upper = `${opts.category}.`;
      let afterName = '';
      for (;;) {
        const page = (await pool.query<[number, string]>({ text: sql.streamsPage, values: [prefix, upper, afterName, limit], rowMode: 'array' })).rows;
        if (page.length === 0) return;
        const batch: RecordedEvent[][] = [];
        let current: RecordedEvent[] | null = null;
        const [text, keys] = columnQuery(sql.streamsEvents, [page.map((p) => p[0]), page.map((p) => p[1])]);
        for (const r of await rowsOf(text, [...keys, until])) {
          const e = toRecorded(r);
          if (current === null || e.stream !== current[0]!.stream) {
            current = [];
            batch.push(current);
          }
          current.push(e);
        }
        if (batch.length > 0) yield batch;
        if (page.length < limit) return;
        afterName = page[page.length - 1]![1];
      }
    },

    subscribeToAll(handler: (batch: RecordedEvent[]) => Promise<void> | void, opts?: SubscribeOptions) {
      listener.start();
      const sub = pollingSubscription({ readBatch, headPosition }, handler, opts, listener);
      subscriptions.add(sub);
      void sub.done.finally(() => subscriptions.delete(sub)).catch(() => undefined);
      return sub;
    },

    headPosition,

    async positionsHandedOut() {
      return Number((await pool.query<{ head: number }>(sql.handedOut)).rows[0]!.head);
    },

    async eraseStream(stream: string) {
      return inTransaction(pool, beginLocked, (client) => eraseLocked(client, stream));
    },

    async stats(): Promise<StoreStats> {
      // One snapshot, so the counts agree with each other and with lastPosition.
      return inTransaction(pool, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', async (client) => {
        const byType: Record<string, number> = {};
        let events = 0;
        for (const r of (await client.query<{ type: string; events: number }>(sql.typeCounts)).rows) {
          byType[r.type] = r.events;
          events += r.events;
        }
        const streamsByCategory: Record<string, number> = {};
        let streams = 0;
        for (const r of (await client.query<{ category: string; n: number }>(sql.categories)).rows) {
          streamsByCategory[r.category] = r.n;
          streams += r.n;
        }
        const lastPosition = (await client.query<{ head: number }>(sql.head)).rows[0]!.head;
        return { events, streams, lastPosition, byType, streamsByCategory };
      });
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((s) => s.stop()));
      await listener.close();
      await pool.end();
    },
  };
}
