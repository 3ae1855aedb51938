/**
 * Writing an export file with DuckDB: `COPY ... TO` writes Parquet (typed
 * columns: DATE, INTEGER, BOOLEAN, ...) or CSV with a header. A relation that
 * already lives in the views is copied by one statement there; rows made in
 * JavaScript (events, a report) are appended to a table of a scratch DuckDB
 * database first, in batches, so memory stays at one batch plus DuckDB's
 * own (bounded) buffer. The file appears under its name only when complete.
 */
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DuckDBInstance, dateValue, type DuckDBAppender } from '@duckdb/node-api';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { ExportColumn, ExportColumnType } from '@leerroutes/indicators';
import type { ExportFormat } from './contract.js';


/** DuckDB's memory for the scratch database of an export: past it, DuckDB writes to disk next to the output. */
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

type Put = (appender: DuckDBAppender, value: unknown) => void;

const EPOCH_DAY_MS = 86_400_000;
const daysOf = (iso: string): number => Math.round(Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / EPOCH_DAY_MS);

const PUT: Record<ExportColumnType, Put> = {
  VARCHAR: (a, v) => a.appendVarchar(typeof v === 'string' ? v : String(v)),
  INTEGER: (a, v) => a.appendInteger(Number(v)),
  BIGINT: (a, v) => a.appendBigInt(BigInt(v as number | bigint)),
  DOUBLE: (a, v) => a.appendDouble(Number(v)),
  BOOLEAN: (a, v) => a.appendBoolean(Boolean(v)),
  DATE: (a, v) => a.appendDate(dateValue(daysOf(String(v)))),
  // A timestamp as ISO text: the appender casts it.
  TIMESTAMP: (a, v) => a.appendVarchar(String(v)),
};

export interface RowsProgress {
  /** Called after each batch with the rows written so far. */
  (rowsWritten: number): void;
}

/**
 * Rows from `batches` (each row: values in `columns` order; null or
 * undefined for none) into `out` as Parquet or CSV. With `learners`, the
 * table has a learner_id column and its distinct values are returned.
 */
export async function writeRows(
  columns: readonly ExportColumn[], batches: AsyncIterable<readonly (readonly unknown[])[]> | Iterable<readonly (readonly unknown[])[]>, format: ExportFormat, out: string,
  options: { onBatch?: RowsProgress; learners?: boolean } = {},
): Promise<Written> {
  const scratch = mkdtempSync(join(dirname(resolve(out)), `.${basename(out)}.scratch-`));
  let instance: DuckDBInstance | null = null;
  try {
    instance = await DuckDBInstance.create(join(scratch, 'rows.duckdb'), { memory_limit: SCRATCH_MEMORY, temp_directory: join(scratch, 'tmp') });
    const connection = await instance.connect();
    try {
      await connection.run(`create table rows (${columns.map((c) => `${quoteId(c.name)} ${c.type}`).join(', ')})`);
      const puts = columns.map((c) => PUT[c.type]);
      let written = 0;
      for await (const batch of batches) {
        if (batch.length === 0) continue;
        const appender = await connection.createAppender('rows');
        try {
          for (const row of batch) {
            for (let i = 0; i < puts.length; i++) {
              const v = row[i];
              if (v === null || v === undefined) appender.appendNull();
              else puts[i]!(appender, v);
            }
            appender.endRow();
          }
          appender.flushSync();
          appender.closeSync();
        } catch (err) {
          // The export fails as a whole; closing must not hide the first error.
          try { appender.clear(); appender.closeSync(); } catch { /* gone with the scratch database */ }
          throw err;
        }
        written += batch.length;
        options.onBatch?.(written);
      }
      await atomically(out, async (partial) => {
        await connection.run(`copy rows to ${quoteLit(partial)} ${copyOptions(format)}`);
      });
      if (!options.learners) return { rows: written };
      const ids = await connection.runAndReadAll('select distinct learner_id from rows order by 1');
      return { rows: written, learnerIds: ids.getRows().map((r) => String(r[0])) };
    } finally {
      connection.closeSync();
    }
  } finally {
    instance?.closeSync();
    rmSync(scratch, { recursive: true, force: true });
  }
}
