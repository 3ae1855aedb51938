/**
 * What the CLI says about a failure nothing else caught. A full disk is the
 * one an operator can fix and retry: every writer commits in steps (the
 * import per batch, a views session as a whole), so the message says what
 * to do instead of showing a stack trace.
 */
export function failureMessage(err: unknown): string {
  if (isDiskFull(err)) {
    return [
      `error: the disk is full (${(err as Error).message})`,
      'What was committed is kept. Free some space and run the same command again:',
      'an import goes on from where it stopped, and the views are brought up to date.',
    ].join('\n');
  }
  return `unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
}

/** SQLite's SQLITE_FULL, the system's ENOSPC, or DuckDB's message for either (it has no code). */
export function isDiskFull(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return true;
  return /No space left on device|database or disk is full/i.test(err.message);
}
