// The light subpath: main.ts loads this before any command, and the engine itself only with a command.
import { isDiskFull, isLogDamaged, isStoreUnopenable, isViewsDamaged, isViewsMismatch } from '@leerroutes/engine/failure';

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
  if (isLogDamaged(err)) {
    return [
      `error: the event log's database reports damage (${(err as Error).message})`,
      'The log is the record the views are made from, and nothing rebuilds it: stop writing to it, keep the file',
      "as it is, and restore it from a copy (`pathways help backup` says how). For SQLite, `sqlite3 <log>",
      "'PRAGMA integrity_check'` shows what is damaged; a --db that is not a Leerroutes log gives this error too.",
    ].join('\n');
  }
  if (isViewsDamaged(err)) {
    return [
      // The store's own error names the directory; DuckDB's, met in a query, only the damage.
      `error: ${(err as { code?: unknown }).code === 'VIEWS_DAMAGED' ? (err as Error).message : `the published views cannot be read (${(err as Error).message})`}`,
      'The log is not affected, and the views are made from it: run `pathways rebuild` with the same --db and --views',
      'to make them again (it does not read the damaged ones).',
    ].join('\n');
  }
  if (isViewsMismatch(err)) {
    return [
      `error: ${(err as Error).message}`,
      'Their checkpoint means nothing in this log: going on from it would keep events the log does not hold and skip',
      'ones it does. If the log was restored from a copy, that is expected: run `pathways rebuild` with the same --db',
      'and --views to make the views from the log as it is. If --db or --views names the wrong one, point it at the right one.',
    ].join('\n');
  }
  if (isStoreUnopenable(err)) return `error: ${(err as Error).message}`;
  return `unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
}
