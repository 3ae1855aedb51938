import type { EventStore } from '@leerroutes/event-store';
import type { PostgresEventStore } from '@leerroutes/event-store/postgres';
import type { SqliteEventStore } from '@leerroutes/event-store/sqlite';
import { ImportError } from '../errors.js';
import type { ImportLedger } from './port.js';
import { sqliteImportLedger } from './sqlite.js';

/**
 * The import ledger that commits with this log: in the SQLite log's file, or
 * in the PostgreSQL log's database. Other logs (EventStoreDB) cannot share a
 * transaction with a ledger, so the import refuses them. PostgreSQL's ledger
 * is imported only for a PostgreSQL log, so that an embedded command does not load pg.
 */
export async function openLedger(store: EventStore): Promise<ImportLedger> {
  const s = store as Partial<SqliteEventStore & PostgresEventStore>;
  if (typeof s.writeTransaction === 'function' && s.database !== undefined && typeof s.path === 'string') return sqliteImportLedger(store as SqliteEventStore);
  if (typeof s.writeTransaction === 'function' && typeof s.readStreamsNamed === 'function' && typeof s.schema === 'string') return (await import('./postgres.js')).postgresImportLedger(store as PostgresEventStore);
  throw new ImportError('the import keeps its ledger beside the event log and commits the two together: it needs the SQLite or the PostgreSQL event store');
}
