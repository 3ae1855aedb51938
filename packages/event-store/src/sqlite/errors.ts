import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * SQLite could not open the log's file (SQLITE_CANTOPEN, whose own words,
 * "unable to open database file", name neither the file nor the reason).
 * Nothing was read or written. `code` survives where the class does not.
 */
export class LogUnopenableError extends Error {
  readonly code = 'LOG_UNOPENABLE';
  constructor(readonly path: string, cause: Error) {
    super(`cannot open the event log at ${path}: ${reasonFor(path)}`, { cause });
    this.name = 'LogUnopenableError';
  }
}

/** Why a path cannot be opened, as far as the file system tells. */
function reasonFor(path: string): string {
  if (existsSync(path) && statSync(path).isDirectory()) return 'it is a directory (--db names the log\'s file, for example ./data/pathways.sqlite)';
  if (!existsSync(dirname(path))) return `the directory ${dirname(path)} does not exist`;
  return 'SQLite cannot open or create a file there (check the permissions of the file and its directory)';
}
