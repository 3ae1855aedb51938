import type { Either } from 'fp-ts/lib/Either.js';

/**
 * The event store port. Shaped after EventStoreDB so that adapter fits without
 * changing callers: one stream per learner, optimistic concurrency on a stream
 * revision, idempotent appends by event id within a stream, a global order ($all) read in
 * batches, and catch-up subscriptions from a checkpoint.
 */

/** Revisions count from 0 within a stream; positions are global and increase. */
export type StreamRevision = number;
export type Position = number;

/** What the caller expects of the stream before appending. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | StreamRevision;

export interface NewEvent {
  /** UUID; appending an id the stream already holds stores it once (ids are unique per stream, as in EventStoreDB). */
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  /** Valid time (the event's own date), used to fold a stream in valid-time order. */
  readonly occurredOn: string | null;
  /** When the source delivered the fact; defaults to the store's recordedAt. */
  readonly knownAt?: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

export interface RecordedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly stream: string;
  readonly revision: StreamRevision;
  readonly position: Position;
  readonly occurredOn: string | null;
  /** Transaction time, set by the store (ISO timestamp). */
  readonly recordedAt: string;
  readonly knownAt: string;
  readonly data: unknown;
  readonly metadata: Readonly<Record<string, unknown>>;
}

export type AppendError =
  | {
      readonly kind: 'WrongExpectedRevision';
      readonly stream: string;
      readonly expected: ExpectedRevision;
      /** The stream's current revision, or 'no_stream'. */
      readonly actual: StreamRevision | 'no_stream';
    }
  | { readonly kind: 'StoreUnavailable'; readonly message: string };

export interface AppendResult {
  readonly stream: string;
  /** The stream's revision after the append (last event's revision), or 'no_stream' if nothing was ever written. */
  readonly revision: StreamRevision | 'no_stream';
  /** Position of the last event written by this call, or null when all were duplicates. */
  readonly position: Position | null;
  readonly appended: number;
  readonly duplicates: number;
}

export interface StreamAppend {
  readonly stream: string;
  readonly expectedRevision: ExpectedRevision;
  readonly events: readonly NewEvent[];
}

export interface ReadAllOptions {
  /** Read events with position strictly greater than this; 0 reads from the start. */
  readonly after?: Position;
  readonly batchSize?: number;
  /** Stop after this position (inclusive). */
  readonly until?: Position;
  /**
   * False when the reader never looks at metadata (a rebuild's projections
   * read payloads): an adapter may then leave every event's metadata empty
   * and save decoding it. Default true.
   */
  readonly metadata?: boolean;
}

export interface ReadStreamsOptions {
  /** Streams named `<category>-...` (EventStoreDB's category: the name up to its first '-'). */
  readonly category: string;
  /** Most streams per batch (default 1000). */
  readonly batchSize?: number;
  /** Leave out events after this position (inclusive); a stream with nothing left is left out. */
  readonly until?: Position;
}

export interface SubscribeOptions extends ReadAllOptions {
  /** How often to poll for new events once caught up (ms); adapters with push may ignore it. */
  readonly pollIntervalMs?: number;
}

export interface Subscription {
  /** Resolves when the subscription has stopped (after stop(), or when the handler throws: then it rejects). */
  readonly done: Promise<void>;
  /** Resolves once the subscription has processed everything that existed when it was called. */
  caughtUp(): Promise<void>;
  stop(): Promise<void>;
}

export interface StoreStats {
  readonly events: number;
  readonly streams: number;
  readonly lastPosition: Position;
  readonly byType: Readonly<Record<string, number>>;
  /** Streams per category: the name up to its first '-' (`learner-L1` is in `learner`), as EventStoreDB's $by_category. */
  readonly streamsByCategory: Readonly<Record<string, number>>;
}

export interface EventStore {
  /** Append to one stream, checking the expected revision. Duplicated ids are skipped; if all are duplicates the call succeeds as a no-op. */
  appendToStream(stream: string, events: readonly NewEvent[], options?: { expectedRevision?: ExpectedRevision }): Promise<Either<AppendError, AppendResult>>;
  /**
   * Append to many streams in one call. The embedded store does it in one
   * transaction (all or nothing); a distributed adapter appends stream by
   * stream, each atomic on its own. On a conflict nothing of this call is
   * kept by the embedded store.
   */
  appendToStreams(appends: readonly StreamAppend[]): Promise<Either<AppendError, AppendResult[]>>;
  /** All events of one stream in revision order (empty if it does not exist). */
  readStream(stream: string, options?: { fromRevision?: StreamRevision }): Promise<RecordedEvent[]>;
  /** The stream's current revision, or null if it does not exist. */
  streamRevision(stream: string): Promise<StreamRevision | null>;
  /**
   * The current revision of each of these streams that exists (absent ones
   * are not in the map): one query for many where the adapter can. An import
   * asks it of every learner it derives, a per-learner projection of every
   * learner in a batch; one round trip each was a twentieth of a rebuild's
   * fold thread.
   */
  streamRevisions(streams: readonly string[]): Promise<Map<string, StreamRevision>>;
  /** All events in global order, in batches. */
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent[]>;
  /**
   * Every stream of one category whole, each in revision order, in batches of
   * streams: a reader can fold a stream and let it go, so memory stays at one
   * batch however large the log. The order of the streams is the adapter's.
   */
  readStreams(options: ReadStreamsOptions): AsyncIterable<RecordedEvent[][]>;
  /** Catch up from a checkpoint, then keep delivering new events. Each batch is handled before the next is read. */
  subscribeToAll(handler: (batch: RecordedEvent[]) => Promise<void> | void, options?: SubscribeOptions): Subscription;
  /** Position of the newest event (0 when empty). */
  headPosition(): Promise<Position>;
  /**
   * The highest position ever handed out, erased events included (0 when
   * none was). Erasing the newest events lowers headPosition(), never this:
   * a position at or below it that holds no event was erased, one above it
   * this log has never reached (a copy restored from before it, or another
   * log altogether).
   */
  positionsHandedOut(): Promise<Position>;
  /** Remove a stream and its events for good (erasure under privacy law). Returns how many events were removed. */
  eraseStream(stream: string): Promise<number>;
  stats(): Promise<StoreStats>;
  close(): Promise<void>;
}
