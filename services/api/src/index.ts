export { createApp, type AppOptions, type DashboardAssets, type StaticAsset } from './app.js';
export { startServer, type RunningServer } from './server.js';
export {
  ROLES, roleAtLeast, accessPath, accessLocation, openAccessStore, openSqliteAccessStore,
  type AccessStore, type Role, type ApiKey, type AuditEntry, type SqliteAccessStoreOptions,
} from './access/index.js';
export { ServiceError, type ReportService, type CellRef, type CohortList } from './service.js';
export { ProblemError, type Problem } from './problem.js';
export * as schemas from './schemas.js';
export { engineService } from './engine-service.js';
