import type { EventStore } from './port.js';
import { openPostgresEventStore } from './postgres/index.js';
import { openSqliteEventStore, type OnMigrate } from './sqlite/index.js';
import { isPostgresUrl } from './location.js';

/**
 * One setting picks the log: a postgres:// or postgresql:// URL opens the
 * PostgreSQL adapter (default schema), anything else is a SQLite file path
 * (or ':memory:').
 */
export async function openEventStore(location: string, options: { readonly onMigrate?: OnMigrate } = {}): Promise<EventStore> {
  return isPostgresUrl(location) ? openPostgresEventStore({ connectionString: location }) : openSqliteEventStore({ path: location, ...options });
}
