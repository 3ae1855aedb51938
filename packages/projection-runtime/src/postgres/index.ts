export { openPostgresViews, type PostgresViewsOptions } from './store.js';
