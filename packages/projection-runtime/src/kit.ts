/**
 * What a projection's own code needs from the runtime, without the views
 * stores: a rebuild's worker thread loads the projections to prepare
 * batches, and the whole runtime (DuckDB's binding, the PostgreSQL driver)
 * cost it most of a second of loading it did not use.
 */
export type { PrepareContext, Projection, ProjectionContext, SlicedPrepare, TableNames } from './projection.js';
export type { BulkWriter } from './views-store.js';
export type { RebuildThreadSetup } from './rebuild-thread.js';
export { tableNames } from './projection.js';
export { learnerHistories, type LearnerHistory } from './learner-histories.js';
export { insertChunked } from './insert.js';
export { closedTextType } from './column-types.js';
export { listViewTables } from './view-tables.js';
export { isRowBlock, packColumns, packRows, RowBlockBuilder, unpackRows, type ColumnKind, type PackedColumn, type RowBlock } from './row-block.js';
