export * from './import.js';
export * from './summary.js';
export { Ledger } from './ledger/sqlite-ledger.js';
export { openLedger } from './ledger/open.js';
export type { ErasedCounts, ImportLedger } from './ledger/port.js';
export { ledgerSchemaOf } from './ledger/postgres-schema.js';
export { REGISTRATION_FILES } from './files.js';
export { CsvHeaderError } from './csv.js';
