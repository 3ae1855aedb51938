/**
 * Options several commands share, declared once next to nothing but each
 * other: a command lists the ones whose helpers it calls (dbPath, viewsPath,
 * createProgress) in its own `options`.
 */
import type { OptionSpec } from './command.js';

/** Read by dbPath. */
export const DB_OPTION: OptionSpec = { name: 'db', value: 'PATH', description: 'the event log (default: PATHWAYS_DB, else ./data/pathways.sqlite)' };
/** Read by viewsPath. */
export const VIEWS_OPTION: OptionSpec = { name: 'views', value: 'PATH', description: 'the read models (default: PATHWAYS_VIEWS, else <db>.views.sqlite next to the log)' };
/** Read by createProgress, which treats both alike. */
export const PROGRESS_OPTIONS: readonly OptionSpec[] = [
  { name: 'no-progress', description: 'no progress output on stderr' },
  { name: 'quiet', description: 'no progress output on stderr (same as --no-progress)' },
];
