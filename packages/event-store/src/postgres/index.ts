export { openPostgresEventStore } from './store.js';
export type { PostgresEventStore, PostgresEventStoreOptions } from './store.js';
export { DEFAULT_SCHEMA, SCHEMA_VERSION } from './schema.js';
