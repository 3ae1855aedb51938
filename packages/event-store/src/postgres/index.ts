export { openPostgresEventStore } from './store.js';
export { PostgresLockedError, PostgresUnreachableError } from './errors.js';
export type { PostgresEventStore, PostgresEventStoreOptions, PostgresLogTransaction, PostgresQuery } from './store.js';
export { DEFAULT_SCHEMA, SCHEMA_VERSION } from './schema.js';
export { numberTypes } from './types.js';
export { openPool } from './pool.js';
export { allJoinable, asJoinableColumn, columnQuery, columnSql, joinColumn, joinable, splitColumn, SPLIT_ARGS, type ColumnValue } from './text-columns.js';
export { AppendJoiner, isJoined, unjoin, type JoinedAppends } from './joined.js';
