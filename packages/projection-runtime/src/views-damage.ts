/**
 * Published views that cannot be used, in one place: the store's own error
 * and DuckDB's words for a damaged file, and views made from another state
 * of the log (log-anchor.ts). A light module (no DuckDB), so the failure
 * classifier the CLI loads before any command (`@leerroutes/engine/failure`)
 * can use it.
 */

/**
 * The published views cannot be read: CURRENT names no generation, or the
 * generation it names is missing or damaged. Nothing is lost - the views are
 * made from the log - and a full rebuild does not read them, so the remedy is
 * always a rebuild.
 */
export class ViewsDamagedError extends Error {
  readonly code = 'VIEWS_DAMAGED';
  constructor(readonly dir: string, detail: string, options?: { cause?: unknown }) {
    super(`the views in ${dir} cannot be read: ${detail}`, options);
    this.name = 'ViewsDamagedError';
  }
}

/** DuckDB's words for a file it cannot read as a database, on opening it or in a query (its errors carry no code). */
export const DUCKDB_UNREADABLE = /Could not read enough bytes from file|Corrupt database file|not a valid DuckDB database/i;

/**
 * The views were made from another state of the event log than the one they
 * are used with: the log was restored from an earlier copy, or the views
 * belong to another log (log-anchor.ts). Their checkpoint means nothing in
 * this log, so going on from it would keep events the log does not hold
 * and skip ones it does. As with damage, a full rebuild remedies it.
 */
export class ViewsMismatchError extends Error {
  readonly code = 'VIEWS_MISMATCH';
  constructor(readonly location: string, detail: string) {
    super(`the views in ${location} were made from another state of the event log: ${detail}`);
    this.name = 'ViewsMismatchError';
  }
}
