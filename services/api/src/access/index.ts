export { ROLES, roleAtLeast, type AccessStore, type ApiKey, type AuditEntry, type Clock, type Role } from './port.js';
export { accessPath, openSqliteAccessStore, type SqliteAccessStoreOptions } from './sqlite.js';
export { accessLocation, openAccessStore } from './open.js';
