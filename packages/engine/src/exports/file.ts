/**
 * Writing an export file with DuckDB: `COPY ... TO` writes Parquet (typed
 * columns: DATE, INTEGER, BOOLEAN, ...) or CSV with a header. A relation that
 * already lives in the views is copied by one statement there; rows made in
 * JavaScript (events, a report) stream batch by batch into a scratch CSV
 * that DuckDB reads with the columns' types, so memory stays at one batch
 * plus DuckDB's own (bounded) buffer. The file appears under its name only
 * when complete.
 */
import { createWriteStream, mkdtempSync, renameSync, rmSync, type WriteStream } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { ExportColumn, ExportColumnType } from '@leerroutes/indicators';
import type { ExportFormat } from './contract.js';


/** DuckDB's memory for copying an export's scratch file: past it, DuckDB writes to disk next to the output. */
const SCRATCH_MEMORY = '512MB';

const quoteId = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const quoteLit = (text: string): string => `'${text.replace(/'/g, "''")}'`;

const copyOptions = (format: ExportFormat): string => (format === 'parquet' ? '(FORMAT parquet)' : '(FORMAT csv, HEADER)');

/** Where a file is written until it is complete: beside it, so the rename stays on one file system. */
const partialPath = (out: string): string => join(dirname(out), `.${basename(out)}.${process.pid}.partial`);

/** Run `write` on a partial file and move it to `out` when it succeeded; remove it when it did not. */
async function atomically<T>(out: string, write: (partial: string) => Promise<T>): Promise<T> {
  const target = resolve(out);
  const partial = partialPath(target);
  try {
    const result = await write(partial);
    renameSync(partial, target);
    return result;
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
}

/** The number of rows a COPY wrote: DuckDB reports it as rows changed (or, in some versions, as a single `Count`). */
const copiedRows = (result: { rows: readonly Record<string, unknown>[]; numAffectedRows?: bigint }): number => {
  if (result.numAffectedRows !== undefined) return Number(result.numAffectedRows);
  const value = result.rows[0] ? Object.values(result.rows[0])[0] : undefined;
  return value === undefined || value === null ? 0 : Number(value);
};

/** What was written: the rows, and with `learners` the distinct learner ids in the file (sorted). */
export interface Written {
  readonly rows: number;
  readonly learnerIds?: readonly string[];
}

/** A file written by DuckDB, as a relation DuckDB reads back. */
const readBack = (file: string, format: ExportFormat): string =>
  format === 'parquet' ? `read_parquet(${quoteLit(file)})` : `read_csv(${quoteLit(file)}, header = true, all_varchar = true)`;

/**
 * `select` (one statement without parameters) copied to `out` on `db`, a
 * DuckDB connection: the views' published generation, read-only (COPY TO
 * writes a file, not the database). With `learners`, the learner ids are
 * read back from the file written.
 */
export async function copySelect(db: Kysely<any>, select: RawBuilder<unknown>, format: ExportFormat, out: string, options: { learners?: boolean } = {}): Promise<Written> {
  return atomically(out, async (partial) => {
    const rows = copiedRows(await sql<Record<string, unknown>>`copy (${select}) to ${sql.raw(quoteLit(partial))} ${sql.raw(copyOptions(format))}`.execute(db));
    if (!options.learners) return { rows };
    const ids = await sql<{ learner_id: string }>`select distinct learner_id from ${sql.raw(readBack(partial, format))} order by 1`.execute(db);
    return { rows, learnerIds: ids.rows.map((r) => String(r.learner_id)) };
  });
}

/** Rows a select streams (a cursor, in batches), as values in the columns' order: what writeRows takes. */
export async function* selectedRows(db: Kysely<any>, select: RawBuilder<unknown>, columns: readonly ExportColumn[]): AsyncIterable<unknown[][]> {
  let batch: unknown[][] = [];
  for await (const row of db.selectFrom(sql`(${select})`.as('q')).selectAll().stream(5000) as AsyncIterable<Record<string, unknown>>) {
    batch.push(columns.map((c) => row[c.name]));
    if (batch.length === 5000) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** One value as a CSV cell for DuckDB's reader: empty for none, text always quoted (so '' and ' x' survive). */
function cell(value: unknown, type: ExportColumnType): string {
  if (value === null || value === undefined) return '';
  if (type === 'VARCHAR') return `"${String(value).replace(/"/g, '""')}"`;
  return String(value);
}

export interface RowsProgress {
  /** Called after each batch with the rows written so far. */
  (rowsWritten: number): void;
}

/** Write `text` to `stream`, waiting while its buffer is full; a stream error fails the write. */
async function put(stream: WriteStream, text: string, failed: () => Error | null): Promise<void> {
  const fail = failed();
  if (fail) throw fail;
  if (!stream.write(text)) await new Promise<void>((resolve, reject) => {
    const drained = () => { stream.off('error', failedWrite); resolve(); };
    const failedWrite = (err: Error) => { stream.off('drain', drained); reject(err); };
    stream.once('drain', drained);
    stream.once('error', failedWrite);
  });
}

/**
 * Rows from `batches` (each row: values in `columns` order; null or
 * undefined for none) into `out` as Parquet or CSV. The rows stream into a
 * scratch CSV beside `out`, batch by batch (memory: one batch), which DuckDB
 * then reads with the columns' types and copies into the file: a value that
 * does not fit its type fails the export. (Plain text and DuckDB's parallel
 * reader are several times faster than its appender from Node, a native call
 * per value.) With `learners`, the distinct learner_id values are returned.
 */
export async function writeRows(
  columns: readonly ExportColumn[], batches: AsyncIterable<readonly (readonly unknown[])[]> | Iterable<readonly (readonly unknown[])[]>, format: ExportFormat, out: string,
  options: { onBatch?: RowsProgress; onCopy?: () => void; learners?: boolean } = {},
): Promise<Written> {
  const scratch = mkdtempSync(join(dirname(resolve(out)), `.${basename(out)}.scratch-`));
  let instance: DuckDBInstance | null = null;
  try {
    const text = join(scratch, 'rows.csv');
    const stream = createWriteStream(text);
    let error: Error | null = null;
    stream.on('error', (err) => { error = err; });
    let written = 0;
    try {
      await put(stream, columns.map((c) => quoteId(c.name)).join(',') + '\n', () => error);
      const types = columns.map((c) => c.type);
      for await (const batch of batches) {
        if (batch.length === 0) continue;
        let chunk = '';
        for (const row of batch) {
          let line = cell(row[0], types[0]!);
          for (let i = 1; i < types.length; i++) line += ',' + cell(row[i], types[i]!);
          chunk += line + '\n';
        }
        await put(stream, chunk, () => error);
        written += batch.length;
        options.onBatch?.(written);
      }
    } finally {
      await new Promise<void>((resolve) => stream.end(() => resolve()));
    }
    if (error) throw error;
    options.onCopy?.();
    instance = await DuckDBInstance.create(':memory:', { memory_limit: SCRATCH_MEMORY, temp_directory: join(scratch, 'tmp') });
    const connection = await instance.connect();
    try {
      const spec = columns.map((c) => `${quoteLit(c.name)}: ${quoteLit(c.type)}`).join(', ');
      const source = `read_csv(${quoteLit(text)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, columns = {${spec}})`;
      await atomically(out, async (partial) => {
        await connection.run(`copy (select * from ${source}) to ${quoteLit(partial)} ${copyOptions(format)}`);
      });
      if (!options.learners) return { rows: written };
      const ids = await connection.runAndReadAll(`select distinct learner_id from ${readBack(out, format)} order by 1`);
      return { rows: written, learnerIds: ids.getRows().map((r) => String(r[0])) };
    } finally {
      connection.closeSync();
    }
  } finally {
    instance?.closeSync();
    rmSync(scratch, { recursive: true, force: true });
  }
}
