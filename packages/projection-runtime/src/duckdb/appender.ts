import { DuckDBEnumType, DuckDBTypeId, type DuckDBAppender, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import type { BulkWriter } from '../views-store.js';
import { isRowBlock, type PackedColumn, type RowBlock } from '../row-block.js';
import { toDuckDbValue } from './dialect.js';
import { appendBlockByChunks, memberCode } from './chunk-writer.js';

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
 * Whether every value bound for an ENUM column (text from a closed
 * vocabulary, see column-types.ts) is one of its members. If one is not, the
 * column becomes text before anything is appended: its values are then
 * stored as they are, as a text column would store them, only without the
 * ENUM's saving. A vocabulary that missed a value costs speed, never a value.
 */
function membersOnly(type: DuckDBEnumType, values: readonly unknown[]): boolean {
  for (const v of values) {
    if (v === null || v === undefined) continue;
    if (memberCode(type, v) === undefined) return false;
  }
  return true;
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
  /**
   * Column types per table, read once per writer like the names: an ENUM's
   * type is made anew (its members and their index) on every read, which
   * for the statistics tables' inserts took about 0.3 s of a 110k rebuild.
   * A widening rolled back with its transaction would leave a stale entry;
   * a writer session ends at its first failed batch (catch-up.ts), and a
   * failed insert forgets its table here all the same.
   */
  const knownTypes = new Map<string, DuckDBType[]>();
  const typesOf = (table: string, appender: DuckDBAppender): DuckDBType[] => {
    let types = knownTypes.get(table);
    if (!types || types.length !== appender.columnCount) {
      types = Array.from({ length: appender.columnCount }, (_, i) => appender.columnType(i));
      knownTypes.set(table, types);
    }
    return types;
  };
  return {
    async insert(table, columns, given) {
      const rows = given;
      if (rows.length === 0) return;
      let appender = await connection.createAppender(table);
      let flushed = false;
      try {
        let tableColumns = await columnsOf(table);
        if (appender.columnCount !== tableColumns.length) {
          // The table was dropped and created anew since: read its columns again.
          known.delete(table);
          knownTypes.delete(table);
          tableColumns = await columnsOf(table);
        }
        const missing = tableColumns.filter((c) => !columns.includes(c));
        const unknown = columns.filter((c) => !tableColumns.includes(c));
        if (missing.length > 0 || unknown.length > 0 || columns.length !== tableColumns.length) {
          throw new Error(`bulk insert into '${table}' must name each of its columns once (${tableColumns.join(', ')}); missing: ${missing.join(', ') || 'none'}, unknown: ${unknown.join(', ') || 'none'}`);
        }
        // Row values in the table's column order.
        const order = tableColumns.map((c) => columns.indexOf(c));
        const block = isRowBlock(rows) ? rows : null;
        if (block && block.columns.length !== columns.length) throw new Error(`bulk insert into '${table}': a block of ${block.columns.length} columns for ${columns.length}`);
        const valuesAt = (i: number): readonly unknown[] => (block ? valuesOf(block.columns[order[i]!]!) : (rows as readonly (readonly unknown[])[]).map((row) => row[order[i]!]));
        let types = typesOf(table, appender);
        const widened = tableColumns.filter((_, i) => { const type = types[i]!; return type instanceof DuckDBEnumType && !membersOnly(type, valuesAt(i)); });
        if (widened.length > 0) {
          // Nothing is appended yet: the columns become text (the rows already there with them), then a fresh appender.
          appender.closeSync();
          for (const c of widened) await connection.run(`ALTER TABLE ${quoted(table)} ALTER COLUMN ${quoted(c)} TYPE VARCHAR`);
          appender = await connection.createAppender(table);
          knownTypes.delete(table);
          types = typesOf(table, appender);
        }
        const puts = types.map((type) => putFor(appender, type));
        if (block) {
          const inOrder = order.map((j) => block.columns[j]!);
          if (!byChunks || !appendBlockByChunks(appender, block, inOrder, types)) appendBlock(appender, block, inOrder, puts);
        }
        for (const row of block ? EMPTY : rows as readonly (readonly unknown[])[]) {
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
          knownTypes.delete(table);
          // Rows not flushed are dropped; the caller's transaction rolls back what was. Closing must not hide the first error.
          try { appender.clear(); appender.closeSync(); } catch { /* the appender is gone with the transaction */ }
        }
      }
    },
  };
}
