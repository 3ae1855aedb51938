/**
 * Where the engine's files live unless told otherwise. Its own module, so
 * the CLI can name the defaults without loading the engine.
 */

/** The read models: a directory next to the log, `data/pathways.sqlite` -> `data/pathways.views/`. */
export const defaultViewsPath = (db: string): string => db.replace(/(\.sqlite)?$/, '.views');

/** A postgres:// or postgresql:// URL names a PostgreSQL database (log, ledger and views in one); anything else is a file path. */
export const isPostgresUrl = (location: string): boolean => /^postgres(ql)?:\/\//i.test(location);

/** A location for messages and logs: a URL without its password; a file path as it is. */
export function redactUrl(location: string): string {
  if (!isPostgresUrl(location)) return location;
  try {
    const u = new URL(location);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}
