export { isPostgresUrl, redactUrl, type Backend } from './backend.js';
import { isPostgresUrl } from '../paths.js';
import type { OnMigrate } from '@leerroutes/event-store/sqlite';
import type { Backend } from './backend.js';
import { openSqliteBackend } from './sqlite.js';

/**
 * A postgres:// URL opens PostgreSQL (log and ledger in that database, and
 * the views too unless a views directory is given: then DuckDB views of this
 * machine's own, kept from the shared log); anything else is the embedded default.
 * PostgreSQL's backend is imported only when asked for: loading pg costs an
 * embedded command about a tenth of a second.
 */
export const openBackend = (db: string, views?: string, onMigrate?: OnMigrate): Promise<Backend> =>
  isPostgresUrl(db) ? import('./postgres.js').then((m) => m.openPostgresBackend(db, views)) : openSqliteBackend(db, views, onMigrate);
