/**
 * Options several commands share, declared once. A command lists in its own
 * `options` those read by the helpers it calls (dbPath, viewsPath,
 * createProgress); the registry test checks that it does.
 */
import type { OptionSpec } from './command.js';

/** Read by dbPath. */
export const DB_OPTION: OptionSpec = { name: 'db', value: 'PATH|URL', description: 'the event log: a SQLite file, or a postgres:// URL holding the log, the ledger and the views (default: PATHWAYS_DB, else ./data/pathways.sqlite)' };
/** Read by viewsPath. */
export const VIEWS_OPTION: OptionSpec = { name: 'views', value: 'DIR', description: 'the read models, a directory of DuckDB generations (default: PATHWAYS_VIEWS, else <db without .sqlite>.views next to the log; on PostgreSQL they live in the database and this is not used)' };
/** Read by engineFor (the views' writer lock). */
export const NO_WAIT_OPTION: OptionSpec = { name: 'no-wait', description: 'fail at once, instead of waiting, when another process is writing the views' };
/** Read by createProgress, which treats both alike. */
export const PROGRESS_OPTIONS: readonly OptionSpec[] = [
  { name: 'no-progress', description: 'no progress output on stderr' },
  { name: 'quiet', description: 'no progress output on stderr (same as --no-progress)' },
];
