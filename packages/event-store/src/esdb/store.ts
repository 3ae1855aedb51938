import {
  BACKWARDS,
  DeadlineExceededError,
  END,
  EventStoreDBClient,
  NotLeaderError,
  START,
  StreamDeletedError,
  StreamNotFoundError,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError,
  type AppendExpectedRevision,
  type ReadPosition,
} from '@eventstore/db-client';
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
import { matchesExpectedRevision } from '../expected-revision.js';
import { pollingSubscription } from '../polling-subscription.js';
import { readPages } from '../read-pages.js';
import { toEventData, toRecorded } from './mapping.js';

export interface EsdbEventStore extends EventStore {
  readonly client: EventStoreDBClient;
}

function toEsdbRevision(expected: ExpectedRevision): AppendExpectedRevision {
  return typeof expected === 'number' ? BigInt(expected) : expected;
}

const isUnavailable = (err: unknown) =>
  err instanceof UnavailableError || err instanceof DeadlineExceededError || err instanceof TimeoutError || err instanceof NotLeaderError;

const isMissing = (err: unknown) => err instanceof StreamNotFoundError || err instanceof StreamDeletedError;

function uniqueById(events: readonly NewEvent[]): NewEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => (seen.has(e.eventId) ? false : (seen.add(e.eventId), true)));
}

/**
 * EventStoreDB behind the port. One stream per learner maps one to one.
 * Idempotency: ids repeated in a call are dropped here, ids already in the
 * target stream are filtered after reading it (learner streams are short),
 * and EventStoreDB's own id check covers a retry racing that read. Ids held
 * by a different stream are not detected.
 */
export function openEsdbEventStore(connectionString: string): EsdbEventStore {
  const client = EventStoreDBClient.connectionString(connectionString);
  const subscriptions = new Set<Subscription>();

  async function readStreamEvents(stream: string, fromRevision = 0): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = [];
    try {
      for await (const resolved of client.readStream(stream, { fromRevision: fromRevision > 0 ? BigInt(fromRevision) : START })) {
        const e = toRecorded(resolved);
        if (e !== null) out.push(e);
      }
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
    return out;
  }

  async function streamRevision(stream: string): Promise<StreamRevision | null> {
    try {
      for await (const resolved of client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) {
        if (resolved.event) return Number(resolved.event.revision);
      }
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
    return null;
  }

  async function appendOne(append: StreamAppend): Promise<Either<AppendError, AppendResult>> {
    const { stream, expectedRevision, events } = append;
    const existing = await readStreamEvents(stream);
    const current = existing.length === 0 ? ('no_stream' as const) : existing[existing.length - 1]!.revision;
    const stored = new Set(existing.map((e) => e.eventId));
    const fresh = uniqueById(events).filter((e) => !stored.has(e.eventId));
    if (events.length > 0 && fresh.length === 0) {
      return right({ stream, revision: current, position: null, appended: 0, duplicates: events.length });
    }
    try {
      const result = await client.appendToStream(stream, fresh.map(toEventData), { expectedRevision: toEsdbRevision(expectedRevision) });
      return right({
        stream,
        revision: fresh.length === 0 && current === 'no_stream' ? 'no_stream' : Number(result.nextExpectedRevision),
        position: fresh.length === 0 || result.position === undefined ? null : Number(result.position.commit),
        appended: fresh.length,
        duplicates: events.length - fresh.length,
      });
    } catch (err) {
      if (err instanceof WrongExpectedVersionError) {
        const actual = err.actualVersion === 'no_stream' ? 'no_stream' : Number(err.actualVersion);
        return left({ kind: 'WrongExpectedRevision', stream, expected: expectedRevision, actual });
      }
      if (isUnavailable(err)) return left({ kind: 'StoreUnavailable', message: String((err as Error).message) });
      throw err;
    }
  }

  async function readBatch(after: Position, limit: number, until: Position): Promise<RecordedEvent[]> {
    const fromPosition: ReadPosition = after > 0 ? { commit: BigInt(after), prepare: BigInt(after) } : START;
    const batch: RecordedEvent[] = [];
    // The server cannot filter a plain $all read, so system events are skipped here; reading on until the batch is full.
    for await (const resolved of client.readAll({ fromPosition })) {
      const e = toRecorded(resolved);
      if (e === null || e.position <= after) continue;
      if (e.position > until) break;
      batch.push(e);
      if (batch.length >= limit) break;
    }
    return batch;
  }

  async function headPosition(): Promise<Position> {
    for await (const resolved of client.readAll({ direction: BACKWARDS, fromPosition: END })) {
      const e = toRecorded(resolved);
      if (e !== null) return e.position;
    }
    return 0;
  }

  return {
    client,

    appendToStream(stream, events, opts) {
      return appendOne({ stream, expectedRevision: opts?.expectedRevision ?? 'any', events });
    },

    async appendToStreams(appends) {
      // Not atomic across streams in EventStoreDB: check every expectation first so an
      // ordinary conflict keeps nothing; only a writer racing between check and write can leave part of the call stored.
      const known = new Map<string, { revision: StreamRevision | 'no_stream'; ids: Set<string> }>();
      for (const a of appends) {
        let state = known.get(a.stream);
        if (state === undefined) {
          const existing = await readStreamEvents(a.stream);
          state = { revision: existing.length === 0 ? 'no_stream' : existing[existing.length - 1]!.revision, ids: new Set(existing.map((e) => e.eventId)) };
          known.set(a.stream, state);
        }
        const fresh = uniqueById(a.events).filter((e) => !state.ids.has(e.eventId));
        const allDuplicates = a.events.length > 0 && fresh.length === 0;
        if (!allDuplicates && !matchesExpectedRevision(a.expectedRevision, state.revision)) {
          return left({ kind: 'WrongExpectedRevision', stream: a.stream, expected: a.expectedRevision, actual: state.revision });
        }
        for (const e of fresh) state.ids.add(e.eventId);
        if (fresh.length > 0) state.revision = (state.revision === 'no_stream' ? -1 : state.revision) + fresh.length;
      }
      const results: AppendResult[] = [];
      for (const a of appends) {
        const r = await appendOne(a);
        if (r._tag === 'Left') return r;
        results.push(r.right);
      }
      return right(results);
    },

    readStream: (stream, opts) => readStreamEvents(stream, opts?.fromRevision ?? 0),
    streamRevision,
    // One read per stream: the client has no query for many.
    async streamRevisions(streams: readonly string[]) {
      const out = new Map<string, StreamRevision>();
      for (const stream of streams) {
        const revision = await streamRevision(stream);
        if (revision !== null) out.set(stream, revision);
      }
      return out;
    },

    readAll: (opts: ReadAllOptions = {}) => readPages(readBatch, opts),

    async *readStreams(opts: ReadStreamsOptions) {
      const limit = opts.batchSize ?? 1000;
      const until = opts.until ?? Number.MAX_SAFE_INTEGER;
      const prefix = `${opts.category}-`;
      // Without relying on the server's system projections ($by_category) there is no list of a
      // category's streams: one $all scan finds the names (only names are kept), then each stream is read whole.
      const seen = new Set<string>();
      let names: string[] = [];
      const readNames = async (): Promise<RecordedEvent[][]> => {
        const out: RecordedEvent[][] = [];
        for (let i = 0; i < names.length; i += 32) {
          const streams = await Promise.all(names.slice(i, i + 32).map((n) => readStreamEvents(n)));
          for (const s of streams) {
            const kept = s.filter((e) => e.position <= until);
            if (kept.length > 0) out.push(kept);
          }
        }
        names = [];
        return out;
      };
      for await (const resolved of client.readAll({ fromPosition: START })) {
        const e = toRecorded(resolved);
        if (e === null) continue;
        if (e.position > until) break;
        if (!e.stream.startsWith(prefix) || seen.has(e.stream)) continue;
        seen.add(e.stream);
        names.push(e.stream);
        if (names.length >= limit) {
          const batch = await readNames();
          if (batch.length > 0) yield batch;
        }
      }
      if (names.length > 0) {
        const batch = await readNames();
        if (batch.length > 0) yield batch;
      }
    },

    subscribeToAll(handler: (batch: RecordedEvent[]) => Promise<void> | void, opts?: SubscribeOptions) {
      // Polling over readAll keeps batch and caught-up semantics identical to the embedded store.
      const sub = pollingSubscription({ readBatch, headPosition }, handler, opts);
      subscriptions.add(sub);
      void sub.done.finally(() => subscriptions.delete(sub)).catch(() => undefined);
      return sub;
    },

    headPosition,

    // EventStoreDB's positions are byte offsets into its transaction file, never handed out again; an erased
    // stream's events stay readable in $all until a scavenge, which this adapter's users do not run.
    positionsHandedOut: headPosition,

    async eraseStream(stream) {
      const events = await readStreamEvents(stream);
      if (events.length === 0) return 0;
      // A tombstone is final: the name can never be written again, and scavenging removes the data from disk.
      await client.tombstoneStream(stream);
      return events.length;
    },

    async stats(): Promise<StoreStats> {
      // EventStoreDB keeps no counts we can ask for without projections, so this is a full $all scan.
      const byType: Record<string, number> = {};
      const streams = new Set<string>();
      const streamsByCategory: Record<string, number> = {};
      let events = 0;
      let lastPosition = 0;
      for await (const resolved of client.readAll({ fromPosition: START })) {
        const e = toRecorded(resolved);
        if (e === null) continue;
        events += 1;
        if (!streams.has(e.stream)) {
          streams.add(e.stream);
          const dash = e.stream.indexOf('-');
          const category = dash > 0 ? e.stream.slice(0, dash) : e.stream;
          streamsByCategory[category] = (streamsByCategory[category] ?? 0) + 1;
        }
        byType[e.type] = (byType[e.type] ?? 0) + 1;
        lastPosition = e.position;
      }
      return { events, streams: streams.size, lastPosition, byType, streamsByCategory };
    },

    async close() {
      await Promise.all([...subscriptions].map((s) => s.stop()));
      await client.dispose();
    },
  };
}
