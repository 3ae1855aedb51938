import { DuckDBEnumType, DuckDBTypeId, type DuckDBAppender, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import type { BulkWriter } from '../views-store.js';
import { isRowBlock, type PackedColumn, type RowBlock } from '../row-block.js';
import { toDuckDbValue } from './dialect.js';
import { appendBlockByChunks } from './chunk-writer.js';

type Put = (value: unknown) => void;

const quoted = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** The typed append call for a column; the appender casts what is left (a 'YYYY-MM-DD' string into a DATE, a double into a DECIMAL). */
function putFor(appender: DuckDBAppender, type: DuckDBType): Put {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN: return (v) => appender.appendBoolean(Boolean(v));
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT: return (v) => appender.appendInteger(Number(v));
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.BIGINT: return (v) => appender.appendBigInt(BigInt(v as number | bigint));
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT: return (v) => appender.appendHugeInt(BigInt(v as number | bigint));
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.DECIMAL: return (v) => appender.appendDouble(Number(v));
    case DuckDBTypeId.VARCHAR: return (v) => appender.appendVarchar(typeof v === 'string' ? v : String(v));
    default: return (v) => (typeof v === 'string' ? appender.appendVarchar(v) : appender.appendValue(toDuckDbValue(v), type));
  }
}

const EMPTY: readonly (readonly unknown[])[] = [];

/** A block's rows, read straight from its columns (`columns` in the table's order). */
function appendBlock(appender: DuckDBAppender, block: RowBlock, columns: readonly PackedColumn[], puts: readonly Put[]): void {
  const width = columns.length;
  for (let r = 0; r < block.length; r++) {
    for (let i = 0; i < width; i++) {
      const c = columns[i]!;
      switch (c.kind) {
        case 'string': {
          const at = c.indexes[r]!;
          if (at < 0) appender.appendNull();
          else puts[i]!(c.dictionary[at]!);
          break;
        }
        case 'number':
          if (c.nulls !== null && c.nulls[r] === 1) appender.appendNull();
          else puts[i]!(c.values[r]!);
          break;
        case 'boolean': {
          const v = c.values[r]!;
          if (v === 2) appender.appendNull();
          else puts[i]!(v === 1);
          break;
        }
        case 'any': {
          const v = c.values[r];
          if (v === null || v === undefined) appender.appendNull();
          else puts[i]!(v);
          break;
        }
      }
    }
    appender.endRow();
  }
}

/** The distinct values of a packed column (its dictionary, for text). */
function valuesOf(c: PackedColumn): readonly unknown[] {
  switch (c.kind) {
    case 'string': return c.dictionary;
    case 'any': return c.values;
    default: return [...c.values];
  }
}

/**
 * Every value bound for an ENUM column (text from a closed vocabulary, see
 * column-types.ts) must be one of its members: said here with the table,
 * the column and the value, where DuckDB's appender would only say that a
 * conversion failed. Nothing of the insert is appended then.
 */
function checkMembers(table: string, column: string, type: DuckDBEnumType, values: Iterable<unknown>): void {
  for (const v of values) {
    if (v === null || v === undefined) continue;
    if (typeof v !== 'string' || !Object.hasOwn(type.valueIndexes, v)) {
      throw new Error(`bulk insert into '${table}': ${JSON.stringify(v)} in column '${column}' is not one of its values (${type.values.join(', ')})`);
    }
  }
}

/**
 * Bulk appends through DuckDB's appender on the session's connection, so the
 * rows belong to the open transaction: about a microsecond a row where an
 * INSERT ... VALUES costs tens of microseconds from Node. A row block goes a
 * chunk at a time where it can (chunk-writer.ts); `byChunks: false` keeps it
 * value by value, the reference the chunks are tested against.
 */
export function appenderBulkWriter(connection: DuckDBConnection, { byChunks = true }: { readonly byChunks?: boolean } = {}): BulkWriter {
  /** Column names per table, read once per writer (a query per insert cost as much as the appending). */
  const known = new Map<string, string[]>();
  const columnsOf = async (table: string): Promise<string[]> => {
    let names = known.get(table);
    if (!names) {
      names = (await connection.run(`select * from ${quoted(table)} limit 0`)).columnNames();
      known.set(table, names);
    }
    return names;
  };
  return {
    async insert(table, columns, given) {
      let rows = given;
      if (rows.length === 0) return;
      const appender = await connection.createAppender(table);
      let flushed = false;
      try {
        let tableColumns = await columnsOf(table);
        if (appender.columnCount !== tableColumns.length) {
          // The table was dropped and created anew since: read its columns again.
          known.delete(table);
          tableColumns = await columnsOf(table);
        }
        const missing = tableColumns.filter((c) => !columns.includes(c));
        const unknown = columns.filter((c) => !tableColumns.includes(c));
        if (missing.length > 0 || unknown.length > 0 || columns.length !== tableColumns.length) {
          throw new Error(`bulk insert into '${table}' must name each of its columns once (${tableColumns.join(', ')}); missing: ${missing.join(', ') || 'none'}, unknown: ${unknown.join(', ') || 'none'}`);
        }
        // Row values in the table's column order.
        const order = tableColumns.map((c) => columns.indexOf(c));
        const types = tableColumns.map((_, i) => appender.columnType(i));
        const puts = types.map((type) => putFor(appender, type));
        if (isRowBlock(rows)) {
          const block = rows;
          if (block.columns.length !== columns.length) throw new Error(`bulk insert into '${table}': a block of ${block.columns.length} columns for ${columns.length}`);
          const inOrder = order.map((j) => block.columns[j]!);
          types.forEach((type, i) => { if (type instanceof DuckDBEnumType) checkMembers(table, tableColumns[i]!, type, valuesOf(inOrder[i]!)); });
          if (!byChunks || !appendBlockByChunks(appender, block, inOrder, types)) appendBlock(appender, block, inOrder, puts);
          rows = EMPTY;
        }
        const plain = rows as readonly (readonly unknown[])[];
        types.forEach((type, i) => { if (type instanceof DuckDBEnumType) checkMembers(table, tableColumns[i]!, type, plain.map((row) => row[order[i]!])); });
        for (const row of rows) {
          if (row.length !== columns.length) throw new Error(`bulk insert into '${table}': a row has ${row.length} values for ${columns.length} columns`);
          for (let i = 0; i < order.length; i++) {
            const value = row[order[i]!];
            if (value === null || value === undefined) appender.appendNull();
            else puts[i]!(value);
          }
          appender.endRow();
        }
        appender.flushSync();
        flushed = true;
      } finally {
        if (flushed) appender.closeSync();
        else {
          // Rows not flushed are dropped; the caller's transaction rolls back what was. Closing must not hide the first error.
          try { appender.clear(); appender.closeSync(); } catch { /* the appender is gone with the transaction */ }
        }
      }
    },
  };
}
