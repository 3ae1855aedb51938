export { openSqliteEventStore } from './store.js';
export type { LogTransaction, SqliteEventStore, SqliteEventStoreOptions } from './store.js';
export { SCHEMA_VERSION } from './schema.js';
export { LogLockedError, holderRunning, processStartTime, type LockHolder } from './lock.js';
