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
