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
