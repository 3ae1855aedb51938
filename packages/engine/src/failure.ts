/**
 * The failures an operator acts on rather than reports, told apart in one
 * place for the CLI and the API: a full disk (free space, run it again), views
 * that cannot be read or were made from another state of the log (rebuild
 * them) and a damaged log (restore a copy).
 * Light on purpose: the CLI loads it before any command.
 */
import { DUCKDB_UNREADABLE, ViewsDamagedError, ViewsMismatchError } from '@leerroutes/projection-runtime/views-damage';

/**
 * A full disk, as each store reports it: SQLite's SQLITE_FULL, the system's
 * ENOSPC, or DuckDB's message (its errors carry no code). Every writer
 * commits in steps (the import per batch, a views session as a whole), so
 * nothing is lost and the same command goes on once there is space.
 */
export function isDiskFull(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return true;
  return /No space left on device|database or disk is full/i.test(err.message);
}

/**
 * Published views that cannot be read: the views store's own error, or
 * DuckDB's words for a damaged file met in a query. The log is not affected
 * and the views are made from it, so the answer is a rebuild. A full disk is
 * not damage: it is asked first.
 */
export function isViewsDamaged(err: unknown): boolean {
  if (!(err instanceof Error) || isDiskFull(err)) return false;
  // By code as well: an error that crossed a thread boundary keeps its fields, not its class.
  return err instanceof ViewsDamagedError || (err as { code?: unknown }).code === 'VIEWS_DAMAGED' || DUCKDB_UNREADABLE.test(err.message);
}

/**
 * Views made from another state of the event log than the one they are used
 * with (a log restored from an earlier copy, or another log): the runtime's
 * anchor check (log-anchor.ts). A full rebuild remedies it, as damage.
 */
export function isViewsMismatch(err: unknown): boolean {
  return err instanceof ViewsMismatchError || (err instanceof Error && (err as { code?: unknown }).code === 'VIEWS_MISMATCH');
}

/**
 * An event log whose database reports damage: SQLite's SQLITE_CORRUPT (a
 * damaged page) or SQLITE_NOTADB (not a database at all: a wrong --db, or a
 * header overwritten), PostgreSQL's data_corrupted and index_corrupted
 * (XX001, XX002). Unlike the views, the log is the record everything else is
 * made from: nothing rebuilds it, so the answer is to stop, keep the file and
 * restore a copy.
 */
export function isLogDamaged(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || code === 'XX001' || code === 'XX002';
}

/**
 * A store that could not be opened where it was pointed: a PostgreSQL
 * server, user or database that refused the first connection
 * (PostgresUnreachableError), a log file SQLite cannot open
 * (LogUnopenableError), a file where the views' directory should be. Nothing
 * was read or written, and the message names the place and what to check.
 * Recognised by code, so that this module loads no store.
 */
export function isStoreUnopenable(err: unknown): boolean {
  return err instanceof Error && UNOPENABLE.has(String((err as { code?: unknown }).code));
}
const UNOPENABLE = new Set(['PG_UNREACHABLE', 'LOG_UNOPENABLE', 'VIEWS_NOT_A_DIRECTORY']);

/** The kinds, named as the API's problem codes name them. */
export type FailureKind = 'disk-full' | 'log-damaged' | 'views-damaged' | 'views-mismatch';

/** Which of the kinds an error is, or null for anything else. */
export function failureKind(err: unknown): FailureKind | null {
  return isDiskFull(err) ? 'disk-full' : isLogDamaged(err) ? 'log-damaged' : isViewsDamaged(err) ? 'views-damaged' : isViewsMismatch(err) ? 'views-mismatch' : null;
}

/**
 * A failure as anyone may read it (`/ready` answers without a key): its kind,
 * never its text, which can hold paths and hosts.
 */
export function failureSummary(err: unknown): string {
  switch (failureKind(err)) {
    case 'disk-full': return 'the disk is full';
    case 'log-damaged': return 'the event log reports damage';
    case 'views-damaged': return 'the views cannot be read: rebuild them';
    case 'views-mismatch': return 'the views were made from another state of the event log: rebuild them';
    case null: return "the error is in the server's log";
  }
}
