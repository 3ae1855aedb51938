import type { AccessStore, Clock } from './port.js';
import { accessPath, openSqliteAccessStore } from './sqlite.js';

import { isPostgresUrl } from '@leerroutes/event-store/location';

/**
 * One setting picks the store, as for the event log: a postgres:// or
 * postgresql:// URL opens the PostgreSQL adapter (schema api_access),
 * anything else is a SQLite file path. The PostgreSQL adapter is imported only
 * for a URL, so that a server on a SQLite log does not load pg.
 */
export async function openAccessStore(location: string, options: { clock?: Clock } = {}): Promise<AccessStore> {
  const clock = options.clock ? { clock: options.clock } : {};
  return isPostgresUrl(location)
    ? (await import('./postgres.js')).openPostgresAccessStore({ connectionString: location, ...clock })
    : openSqliteAccessStore({ path: location, ...clock });
}

/**
 * Where the CLI keeps keys and the audit log: with the log in PostgreSQL,
 * the same database (servers sharing a log share keys and one audit log);
 * with a log file, the SQLite file beside the views, as before there was a choice.
 */
export const accessLocation = (db: string, views: string | undefined): string => (isPostgresUrl(db) ? db : accessPath(views ?? db));
