import type { Either } from 'fp-ts/lib/Either.js';
import type { AppendError, AppendResult, RecordedEvent, StreamAppend } from '@leerroutes/event-store';
import { isJoined, type JoinedAppends } from '@leerroutes/event-store/postgres/joined';
import type { PackedAppends } from '@leerroutes/event-store/sqlite';
import type { FactKind } from '../fact-codec.js';
import type { FactRows } from './fact-rows.js';
import type { FileSummary } from '../summary.js';

/**
 * The import ledger as the import sees it, whatever holds it: every delivered
 * fact by natural key, the durable state of each delivery, and the log it
 * commits with. An adapter keeps the ledger beside its own log (SQLite: in the
 * log's file; PostgreSQL: in the log's database) because a batch's ledger
 * changes and its appended events must commit in one transaction: that is
 * what makes a killed import, run again, lose nothing and count nothing twice.
 *
 * The calls are coarse, one per batch, so that an adapter pays its round trips
 * per batch, not per row: the SQLite adapter runs its synchronous per-row loop
 * inside one call, the PostgreSQL adapter does set-based SQL.
 */
export interface ImportLedger {
  /**
   * How derived appends come, made in the derive worker so that the writer's thread need not: 'sqlite' encoded for the
   * SQLite log (encodeEvent, PackedAppends), 'postgres' with their columns joined for the PostgreSQL log (JoinedAppends).
   */
  readonly appendEncoding: 'sqlite' | 'postgres';
  /** One import (or erasure) at a time on this log; throws naming the holder. Resolves to the release. */
  lock(command: string): Promise<() => Promise<void>>;
  /** Where a delivery's rejects go when the caller names no file: `rejectsDir` if given, else the adapter's default. */
  defaultRejectsPath(delivery: number, rejectsDir?: string): string;

  // --- deliveries
  /** The delivery an interrupted import left behind, if any. */
  unfinished(): Promise<DeliveryRow | null>;
  /** The newest finished delivery (one with a summary). */
  latestFinished(): Promise<DeliveryRow | null>;
  startDelivery(dir: string, fingerprint: string, startedAt: string, knownAt: string): Promise<DeliveryRow>;
  delivery(id: number): Promise<DeliveryRow>;
  /** Every file of the delivery read so far, in the order first read. */
  fileProgressAll(delivery: number): Promise<FileProgress[]>;

  // --- 1. reading
  /**
   * One batch of a file's parsed rows, in file order, and then the file's
   * progress, in one transaction. Each row is upserted as if alone and in
   * order (a row sees the rows before it in the batch); `outcome(i, o)` is
   * told each row's outcome, in order, before `progress()` is asked for what
   * to save. A fact row with the same key and other content as an earlier
   * row of the same delivery is a conflict and changes nothing. Accepted
   * enrolment rows record their reference date as delivered; changed
   * reference rows queue their event for the finish.
   */
  applyRows(delivery: number, rows: readonly LedgerRow[], outcome: (i: number, o: RowOutcome) => void, progress: () => FileProgress): Promise<void>;

  // --- 2. sealing
  /**
   * In one transaction: each delivered reference date is the complete count
   * of that date, so earlier rows of it that this delivery lacks are dropped
   * and their learners marked pending; newly covered dates mark the learners
   * of neighbouring covered dates; the delivery moves to 'deriving'.
   */
  seal(delivery: number): Promise<void>;

  // --- 3. deriving
  coveredReferenceDates(): Promise<string[]>;
  areaParents(): Promise<Map<string, string | null>>;
  /** The next learners to derive, in learner-id (byte) order; after `after` when given. */
  nextPending(delivery: number, limit: number, after?: string): Promise<string[]>;
  /** The ledger rows of these learners (decodeFactRows turns them into facts). */
  loadFactRows(learnerIds: readonly string[]): Promise<FactRows>;
  /**
   * A SQLite file a derive worker may open read-only to load those rows itself
   * (sqliteFactRowsLoader), instead of the writer loading them and posting
   * them over; absent when the ledger is not in one.
   */
  readonly factsFile?: string;
  /** The events of those of these streams that exist. */
  readStreams(streams: readonly string[]): Promise<Map<string, RecordedEvent[]>>;
  /**
   * Append a derived batch and take its learners off the pending set, counted
   * in the delivery, in one transaction. Resolves to the delivery's learners
   * done so far; a conflict appends nothing and changes nothing.
   */
  commitDerived(delivery: number, learnerIds: readonly string[], counts: DerivedCounts, appends: DerivedAppends): Promise<Either<AppendError, number>>;

  // --- 4. finishing
  pendingReferences(delivery: number): Promise<ReferenceRow[]>;
  /** Each covered date with the delivery that first brought it and when that delivery was known. */
  coverage(): Promise<{ referenceDate: string; delivery: number; knownAt: string }[]>;
  /** Append the reference and coverage events and mark the delivery finished with `summary(results)`, in one transaction. */
  finish(delivery: number, appends: readonly StreamAppend[], finishedAt: string, summary: (results: readonly AppendResult[]) => unknown): Promise<Either<AppendError, AppendResult[]>>;

  // --- the ledger's other users
  /** Canonical text, rows in key order, without wall-clock times: equal for equal facts and deliveries, however often an import was resumed. */
  dump(): Promise<string>;
  /** The same text a line at a time (without line breaks), for a ledger too large for one string. */
  dumpTo(write: (line: string) => void | Promise<void>): Promise<void>;
  /** How many facts the ledger holds of a learner. */
  factCount(learnerId: string): Promise<number>;
  /** Erasure: no fact of the learner may remain. Returns how many facts went. */
  forgetLearner(learnerId: string): Promise<number>;
  /**
   * Erasure of a learner from log and ledger in one transaction: the learner's
   * stream, the learner's facts, and the appends `audit` makes of what went
   * (the audit record) go and come together; a conflict keeps everything.
   * The SQLite log overwrites the freed pages (secure delete).
   */
  eraseLearner(learnerId: string, audit: (gone: ErasedCounts) => readonly StreamAppend[]): Promise<Either<AppendError, ErasedCounts>>;
}

export interface ErasedCounts {
  readonly eventsRemoved: number;
  readonly factsRemoved: number;
}

/** A derived append: a learner's stream and the events it gets. */
export type DerivedAppend = StreamAppend;

/**
 * A derived batch's appends: encoded into columns for the SQLite log (PackedAppends), joined for the PostgreSQL log
 * (JoinedAppends), or as they are (the joiner's way out when a column cannot be joined).
 */
export type DerivedAppends = readonly DerivedAppend[] | PackedAppends | JoinedAppends;

export { isJoined };

export const isPacked = (a: DerivedAppends): a is PackedAppends => !Array.isArray(a) && !isJoined(a);

export interface DerivedCounts {
  readonly events: number;
  readonly retracted: number;
  readonly byType: Readonly<Record<string, number>>;
}

export type LedgerRow = FactRow | ReferenceDataRow;

export interface FactRow {
  readonly kind: 'fact';
  readonly fact: FactKind;
  readonly learnerId: string;
  /** The natural-key cells after the learner id (FACT_TABLES' keys). */
  readonly key: readonly string[];
  readonly content: string;
  readonly line: number;
}

/** A row of a reference file: its key and value cells (REFERENCE_TABLES) and the event to append when it changed. */
export interface ReferenceDataRow {
  readonly kind: 'reference';
  readonly table: ReferenceTable;
  readonly key: readonly string[];
  readonly values: readonly (string | null)[];
  readonly event: ReferenceRow;
}

export type ReferenceTable = 'area' | 'institution' | 'school_group';

export const REFERENCE_TABLES: Readonly<Record<ReferenceTable, { readonly table: string; readonly keys: readonly string[]; readonly values: readonly string[] }>> = {
  area: { table: 'ledger_area', keys: ['area'], values: ['name', 'parent'] },
  institution: { table: 'ledger_institution', keys: ['institution'], values: ['name', 'board', 'municipality', 'kind'] },
  school_group: { table: 'ledger_school_group', keys: ['institution', 'grp', 'valid_from'], values: ['valid_to'] },
};

/** A fact row's outcome; a reference row is 'inserted' (new or changed) or 'unchanged'. */
export type RowOutcome = UpsertOutcome;

/** A delivery's events by type plus a batch's, as stored text: new types go last, so every adapter writes the same text. */
export function addByType(stored: string, byType: Readonly<Record<string, number>>): string {
  const total = JSON.parse(stored) as Record<string, number>;
  for (const [t, n] of Object.entries(byType)) total[t] = (total[t] ?? 0) + n;
  return JSON.stringify(total);
}

export type UpsertOutcome = 'inserted' | 'changed' | 'unchanged' | 'repeated' | { readonly conflictLine: number };

/** reading: files are being read into the ledger; deriving: the pending learners are being derived; finished; abandoned. */
export type DeliveryState = 'reading' | 'deriving' | 'finished' | 'abandoned';

export interface DeliveryRow {
  readonly id: number;
  readonly dir: string;
  readonly fingerprint: string;
  readonly startedAt: string;
  readonly knownAt: string;
  readonly state: DeliveryState;
  readonly learnersTotal: number;
  readonly learnersDone: number;
  readonly eventsAppended: number;
  readonly eventsRetracted: number;
  readonly eventsByType: Record<string, number>;
  readonly dropped: number;
  readonly newlyCovered: string[];
}

/** How far a file of a delivery was read (its summary so far), committed with the rows it counts. */
export interface FileProgress extends FileSummary {
  /** Records committed so far: a resumed read skips these. */
  recordsDone: number;
  /** Length of the rejects file once those records' rejects were written. */
  rejectsBytes: number;
  rejectsByCode: Record<string, number>;
  done: boolean;
}

/** A ledger_delivery row (the same columns on both adapters) as the import reads it. */
export function deliveryOfRow(id: number, r: Readonly<Record<string, unknown>>): DeliveryRow {
  return {
    id, dir: String(r['dir']), fingerprint: String(r['fingerprint']), startedAt: String(r['started_at']), knownAt: String(r['known_at'] ?? r['started_at']),
    state: r['state'] as DeliveryState, learnersTotal: Number(r['learners_total']), learnersDone: Number(r['learners_done']),
    eventsAppended: Number(r['events_appended']), eventsRetracted: Number(r['events_retracted']),
    eventsByType: JSON.parse(String(r['events_by_type'])) as Record<string, number>, dropped: Number(r['dropped']),
    newlyCovered: JSON.parse(String(r['newly_covered'])) as string[],
  };
}

export interface ReferenceRow {
  readonly stream: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
}

