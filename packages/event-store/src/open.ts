import type { EventStore } from './port.js';
import { openSqliteEventStore, type OnMigrate } from './sqlite/index.js';
import { isPostgresUrl } from './location.js';

/**
 * One setting picks the log: a postgres:// or postgresql:// URL opens the
 * PostgreSQL adapter (default schema), anything else is a SQLite file path
 * (or ':memory:'). The PostgreSQL adapter is imported only for a URL, so that
 * opening a SQLite file does not load pg.
 */
export async function openEventStore(location: string, options: { readonly onMigrate?: OnMigrate } = {}): Promise<EventStore> {
  return isPostgresUrl(location)
    ? (await import('./postgres/index.js')).openPostgresEventStore({ connectionString: location })
    : openSqliteEventStore({ path: location, ...options });
}
