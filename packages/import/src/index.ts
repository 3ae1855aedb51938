export * from './import.js';
export * from './summary.js';
export { Ledger } from './ledger.js';
export { REGISTRATION_FILES } from './files.js';
export { CsvHeaderError } from './csv.js';
