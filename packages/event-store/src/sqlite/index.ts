export { openSqliteEventStore } from './store.js';
export type { SqliteEventStore, SqliteEventStoreOptions } from './store.js';
export { SCHEMA_VERSION } from './schema.js';
