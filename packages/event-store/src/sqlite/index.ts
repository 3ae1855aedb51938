export { openSqliteEventStore } from './store.js';
export type { LogTransaction, SqliteEventStore, SqliteEventStoreOptions } from './store.js';
export { AppendPacker, transferOf, type PackedAppends } from './packed.js';
export { encodeEvent, type EncodedEvent } from './codec.js';
export { SCHEMA_VERSION, type MigrationProgress, type OnMigrate } from './schema.js';
export { LogLockedError, holderRunning, processStartTime, type LockHolder } from './lock.js';
export { LogUnopenableError } from './errors.js';
export { copySqliteLog, CopyRefusedError, type LogCopy } from './backup.js';
