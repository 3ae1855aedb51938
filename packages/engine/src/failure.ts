/**
 * A full disk, as each store reports it: SQLite's SQLITE_FULL, the system's
 * ENOSPC, or DuckDB's message (its errors carry no code). The one failure
 * an operator fixes and retries without losing anything: every writer
 * commits in steps (the import per batch, a views session as a whole), so
 * the CLI and the API say so instead of "internal error".
 */
export function isDiskFull(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return true;
  return /No space left on device|database or disk is full/i.test(err.message);
}

/**
 * Published views that cannot be read: the views store's own error
 * (ViewsDamagedError, by its code: this module stays light), or DuckDB's
 * words for a damaged file met in a query. The log is untouched and the
 * views are made from it, so the answer is a rebuild, not "internal error".
 * A full disk is not damage: it is asked first (isDiskFull).
 */
export function isViewsDamaged(err: unknown): boolean {
  if (!(err instanceof Error) || isDiskFull(err)) return false;
  if ((err as { code?: unknown }).code === 'VIEWS_DAMAGED') return true;
  return /Could not read enough bytes from file|Corrupt database file/i.test(err.message);
}

/**
 * An event log whose database reports damage: SQLite's SQLITE_CORRUPT (a
 * damaged page) or SQLITE_NOTADB (not a database at all: a wrong --db, or a
 * header overwritten), PostgreSQL's data_corrupted and index_corrupted
 * (XX001, XX002). Unlike the views, the log is the record everything else is
 * made from: nothing rebuilds it, so the answer is to stop, keep the file and
 * restore a copy, never "internal error" and a stack.
 */
export function isLogDamaged(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || code === 'XX001' || code === 'XX002';
}
