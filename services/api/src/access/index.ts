export { ROLES, roleAtLeast, type AccessStore, type ApiKey, type AuditEntry, type Clock, type Role } from './port.js';
export { accessPath, openSqliteAccessStore, type SqliteAccessStoreOptions } from './sqlite.js';
export { DEFAULT_ACCESS_SCHEMA, openPostgresAccessStore, type PostgresAccessStoreOptions } from './postgres.js';
export { accessLocation, openAccessStore } from './open.js';
