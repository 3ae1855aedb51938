import type { Kysely } from 'kysely';
import type { RowBlock } from './row-block.js';

/**
 * Where the read models live, behind one interface so the runtime does not
 * care how readers are kept apart from writers.
 *
 * The DuckDB store (duckdb-views.ts) publishes immutable generations: a
 * writer session works on its own copy and publish() switches readers over.
 * The PostgreSQL store (postgres/) writes in place: a session from
 * 'published' commits each transaction into the published schema, where
 * readers see it as it commits (MVCC serves them meanwhile), and publish()
 * only ends the session; a session from 'empty' fills a fresh schema that
 * readers do not see until publish() points them at it. The runtime's
 * per-batch transaction, with the batch's checkpoint in it, is what makes
 * that in-place writing safe: readers see whole batches, never half of one.
 */
export interface ViewsStore {
  /** The views' location, for messages (a directory for DuckDB; the database and schema prefix for PostgreSQL). */
  readonly location: string;
  /** The read side: always the views last published. */
  readonly reader: ViewsReader;
  /**
   * Start a writer session. One writer at a time, across processes (a lock
   * naming its holder) and within this process (sessions queue up).
   */
  writeSession(options?: WriteSessionOptions): Promise<WriterSession>;
  /** Closes the reader; a writer session still open is abandoned. */
  close(): Promise<void>;
}

export interface ViewsReader {
  /**
   * Queries on the published views. Each query sees one published state; a
   * newer one is picked up within moments of its publication.
   */
  readonly db: Kysely<any>;
  /** Several queries on one and the same published state. */
  snapshot<T>(fn: (db: Kysely<any>) => Promise<T>): Promise<T>;
  /** Which published state readers see now (a generation's name), or null before anything was published. */
  published(): Promise<string | null>;
}

export interface LockOptions {
  /**
   * Another process holds the writer lock: 'wait' until it is free (the
   * default; onWait hears why, naming the holder), or 'fail' at once with a
   * ViewsLockedError.
   */
  readonly ifLocked?: 'wait' | 'fail';
  readonly onWait?: (message: string) => void;
}

export interface WriteSessionOptions extends LockOptions {
  /** Start from the published views (the default), or from nothing (a rebuild). */
  readonly from?: 'published' | 'empty';
  /** What the session is for, shown to whoever waits for it ('catch-up', 'rebuild', 'erase'). */
  readonly purpose?: string;
}

/**
 * One writer's session. On DuckDB its writes are invisible to readers until
 * publish(), and a session that is abandoned, fails or is killed leaves the
 * published views as they were. On PostgreSQL that holds for a session from
 * 'empty'; a session from 'published' (catch-up, erasure, a rebuild of some
 * projections) writes in place, so each of its transactions becomes
 * visible as it commits, with its checkpoint, and a session that stops
 * half-way leaves the views at its last committed transaction: consistent,
 * and where the next catch-up goes on from. A projection that such a
 * session drops and replays (a version bump, `rebuild({ only })`) is
 * visible meanwhile as far as the replay has come.
 */
export interface WriterSession {
  /** What the session has written so far (committed transactions; in a session from 'empty', everything so far), for the runtime's own reads between transactions. */
  readonly db: Kysely<any>;
  /**
   * Run fn in one transaction of the session; transactions run one at a time.
   * A session from 'empty' may join them into one, committed at publish
   * (DuckDB does): after a failure there it can only be abandoned.
   */
  transaction<T>(fn: (tx: WriteTransaction) => Promise<T>): Promise<T>;
  /** Make what the session wrote the published views, and end the session (in place on PostgreSQL: only the latter). */
  publish(): Promise<{ readonly generation: string }>;
  /** End the session without publishing anything. */
  abandon(): Promise<void>;
}

export interface WriteTransaction {
  readonly db: Kysely<any>;
  readonly bulk: BulkWriter;
}

/** Fast appends of fresh rows, inside the caller's transaction. */
export interface BulkWriter {
  /**
   * Append rows to `table`: `columns` names every column of the table (in
   * any order) and each row gives their values in that order, as arrays or
   * packed by column (row-block.ts). Rows are new: a key that exists already
   * fails the transaction (write upserts in SQL).
   */
  insert(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[] | RowBlock): Promise<void>;
}

/** Another process is writing the views and the caller asked not to wait. */
export class ViewsLockedError extends Error {
  constructor(message: string, readonly holder: ViewsLockHolder) {
    super(message);
    this.name = 'ViewsLockedError';
  }
}

export interface ViewsLockHolder {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
  readonly purpose: string;
}
