export { openPostgresEventStore, PostgresLockedError } from './store.js';
export type { PostgresEventStore, PostgresEventStoreOptions, PostgresLogTransaction, PostgresQuery } from './store.js';
export { DEFAULT_SCHEMA, SCHEMA_VERSION } from './schema.js';
export { numberTypes } from './types.js';
