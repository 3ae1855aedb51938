import { sql, type Kysely } from 'kysely';
import { asJoinableColumn, joinColumn, SPLIT_ARGS } from '@leerroutes/event-store/postgres';
import { isRowBlock, unpackRows } from '../row-block.js';
import type { BulkWriter } from '../views-store.js';
import { quote } from './names.js';

/** Rows per statement: each column travels as one parameter, so this only bounds the message size. */
const CHUNK = 10_000;

/** Column types per table (as format_type spells them), looked up once per writer session: its tables do not change shape within it. */
export type ColumnTypeCache = Map<string, Map<string, string>>;

async function columnTypes(db: Kysely<any>, cache: ColumnTypeCache, table: string): Promise<Map<string, string>> {
  let types = cache.get(table);
  if (!types) {
    // to_regclass resolves the name through search_path, as the INSERT will.
    const { rows } = await sql<{ name: string; type: string }>`
      select a.attname as name, format_type(a.atttypid, a.atttypmod) as type from pg_attribute a
      where a.attrelid = to_regclass(${quote(table)}) and a.attnum > 0 and not a.attisdropped`.execute(db);
    if (rows.length === 0) throw new Error(`bulk insert into ${table}: no such table`);
    types = new Map(rows.map((r) => [r.name, r.type]));
    cache.set(table, types);
  }
  return types;
}

/**
 * Appends on PostgreSQL: one INSERT ... SELECT FROM unnest(...) per chunk,
 * each column sent as one parameter (joined text, or a typed array when a
 * value cannot be joined), so a chunk costs one statement whatever its rows
 * and never meets the limit on bound parameters.
 */
export function unnestBulkWriter(db: Kysely<any>, cache: ColumnTypeCache): BulkWriter {
  return {
    async insert(table, columns, given) {
      const rows = isRowBlock(given) ? unpackRows(given) : given;
      if (rows.length === 0) return;
      const types = await columnTypes(db, cache, table);
      const casts = columns.map((c) => {
        const type = types.get(c);
        if (!type) throw new Error(`bulk insert into ${table}: no column ${c}`);
        return `${type}[]`;
      });
      const target = sql.raw(`${quote(table)} (${columns.map(quote).join(', ')})`);
      for (let i = 0; i < rows.length; i += CHUNK) {
        const chunk = rows.slice(i, i + CHUNK);
        const unnest = sql.join(columns.map((_, j) => {
          const values = chunk.map((row) => row[j] ?? null);
          // Joined text when it can be (text-columns.ts: node-postgres escapes an array element by element in JavaScript).
          const joinable = asJoinableColumn(values);
          return joinable === null
            ? sql`${values}::${sql.raw(casts[j]!)}`
            : sql`string_to_array(${joinColumn(joinable)}, ${sql.raw(SPLIT_ARGS)})::${sql.raw(casts[j]!)}`;
        }));
        await sql`insert into ${target} select * from unnest(${unnest})`.execute(db);
      }
    },
  };
}
