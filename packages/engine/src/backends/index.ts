export { isPostgresUrl, redactUrl, type Backend } from './backend.js';
import { isPostgresUrl } from '../paths.js';
import type { Backend } from './backend.js';
import { openSqliteBackend } from './sqlite.js';
import { openPostgresBackend } from './postgres.js';

/** A postgres:// URL opens PostgreSQL (log, ledger and views in that database); anything else is the embedded default. */
export const openBackend = (db: string, views?: string): Promise<Backend> =>
  isPostgresUrl(db) ? openPostgresBackend(db) : openSqliteBackend(db, views);
