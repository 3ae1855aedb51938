export { openSqliteEventStore } from './store.js';
export type { EncodedStreamAppend, LogTransaction, SqliteEventStore, SqliteEventStoreOptions } from './store.js';
export { encodeEvent, type EncodedEvent } from './codec.js';
export { SCHEMA_VERSION, type MigrationProgress, type OnMigrate } from './schema.js';
export { LogLockedError, holderRunning, processStartTime, type LockHolder } from './lock.js';
