/**
 * A row block appended a vector at a time (chunk-writer.ts) must give the
 * table exactly what appending it value by value gives: integers of both
 * widths, booleans, strings inline (at most 12 bytes) and not, text of
 * integers into integer columns, nulls anywhere, and blocks longer than one
 * chunk. What it does not write exactly goes value by value.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { packRows, type RowBlock } from '../src/row-block.js';
import { appendBlockByChunks } from '../src/duckdb/chunk-writer.js';
import { appenderBulkWriter } from '../src/duckdb/appender.js';

let instance: DuckDBInstance;
let conn: DuckDBConnection;
const COLUMNS = ['i', 'b', 'ok', 's', 'si', 'sb'];
const DDL = (t: string) => `create table ${t} (i integer, b bigint, ok boolean, s varchar, si integer, sb bigint)`;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
});
afterAll(() => { conn.closeSync(); instance.closeSync(); });

const text = fc.oneof(
  fc.constantFrom('', 'havo', 'vmbo-t', 'abcdefghijkl', 'abcdefghijklm', 'één', 'ß€😀x', 'L000012345'),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
);
const row = fc.tuple(
  fc.option(fc.integer({ min: -2147483648, max: 2147483647 })),
  fc.option(fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constant(-Number.MAX_SAFE_INTEGER), fc.constant(2 ** 32), fc.constant(-(2 ** 32) - 1))),
  fc.option(fc.boolean()),
  fc.option(text),
  fc.option(fc.integer({ min: -99999, max: 99999 }).map(String)),
  fc.option(fc.oneof(fc.integer().map(String), fc.constant('9007199254740991'))),
);

async function rowsOf(table: string): Promise<unknown[][]> {
  const r = await conn.runAndReadAll(`select * from ${table} order by rowid`);
  return r.getRowsJson() as unknown[][];
}

/** The same block into two fresh tables: by chunks, and value by value (the bulk writer with chunks off). */
async function both(block: RowBlock): Promise<{ chunked: unknown[][]; byValue: unknown[][]; took: boolean }> {
  await conn.run('drop table if exists by_chunk; drop table if exists by_value');
  await conn.run(DDL('by_chunk'));
  await conn.run(DDL('by_value'));
  const appender = await conn.createAppender('by_chunk');
  const types = COLUMNS.map((_, i) => appender.columnType(i));
  const took = appendBlockByChunks(appender, block, block.columns, types);
  appender.flushSync();
  appender.closeSync();
  await appenderBulkWriter(conn, { byChunks: false }).insert('by_value', COLUMNS, block);
  return { chunked: await rowsOf('by_chunk'), byValue: await rowsOf('by_value'), took };
}

describe('appending a row block by chunks', () => {
  it('gives the rows appending value by value gives, over several chunks', async () => {
    await fc.assert(fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 90 }), async (rows, repeat) => {
      // Repeated past 2,048 rows now and then, so that a block spans chunks and a reset chunk is written again.
      const all = repeat > 80 ? Array.from({ length: 5000 }, (_, i) => rows[i % rows.length]!) : rows;
      const { chunked, byValue, took } = await both(packRows(all, COLUMNS.length));
      expect(took).toBe(true);
      expect(chunked).toEqual(byValue);
      expect(chunked).toHaveLength(all.length);
    }), { numRuns: 60, seed: 5 });
  });

  it('leaves to the value-by-value path what it would not write exactly', async () => {
    await conn.run('drop table if exists t; create table t (i integer, b bigint, ok boolean, s varchar, si integer, sb bigint)');
    const appender = await conn.createAppender('t');
    const types = COLUMNS.map((_, i) => appender.columnType(i));
    const at = (i: number, v: unknown) => { const r: unknown[] = [1, 1, true, 'a', '1', '1']; r[i] = v; return packRows([r], COLUMNS.length); };
    expect(appendBlockByChunks(appender, at(0, 2.5), at(0, 2.5).columns, types)).toBe(false);
    expect(appendBlockByChunks(appender, at(0, 2 ** 31), at(0, 2 ** 31).columns, types)).toBe(false);
    expect(appendBlockByChunks(appender, at(1, 2 ** 53), at(1, 2 ** 53).columns, types)).toBe(false);
    expect(appendBlockByChunks(appender, at(5, '1e3'), at(5, '1e3').columns, types)).toBe(false);
    expect(appendBlockByChunks(appender, at(3, 7), at(3, 7).columns, types)).toBe(false);
    appender.closeSync();
  });
});

/**
 * Text from a closed vocabulary is an ENUM column in DuckDB (column-types.ts):
 * the chunk writer stores each member's code, the reader names the member
 * again, and a value outside the vocabulary makes the column text first.
 */
describe('closed text (ENUM columns)', () => {
  const SMALL = ['afstroom', 'gelijk', 'no-advice', 'opstroom'];
  // More than 255 members: DuckDB stores the codes as 16-bit integers.
  const LARGE = Array.from({ length: 300 }, (_, i) => `v${String(i).padStart(3, '0')}`);
  const enumOf = (values: readonly string[]) => `ENUM(${values.map((v) => `'${v}'`).join(', ')})`;
  const ENUM_COLUMNS = ['id', 'small', 'large'];
  const enumTable = (t: string) => `create table ${t} (id integer, small ${enumOf(SMALL)}, large ${enumOf(LARGE)})`;

  it('stores each member as appending the text value by value does, and the views reader reads it back as text', async () => {
    const { Kysely } = await import('kysely');
    const { DuckDbDialect, singleConnection } = await import('../src/duckdb/dialect.js');
    const db = new Kysely<any>({ dialect: new DuckDbDialect({ connections: singleConnection(conn) }) });
    const member = (values: readonly string[]) => fc.option(fc.constantFrom(...values));
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(member(SMALL), member(LARGE)), { minLength: 1, maxLength: 3000 }), async (pairs) => {
      const rows = pairs.map(([s, l], i) => [i, s, l]);
      await conn.run('drop table if exists e_chunk; drop table if exists e_value');
      await conn.run(enumTable('e_chunk'));
      await conn.run(enumTable('e_value'));
      await appenderBulkWriter(conn).insert('e_chunk', ENUM_COLUMNS, packRows(rows, 3));
      await appenderBulkWriter(conn, { byChunks: false }).insert('e_value', ENUM_COLUMNS, packRows(rows, 3));
      const chunked = await rowsOf('e_chunk');
      expect(chunked).toEqual(await rowsOf('e_value'));
      expect(chunked).toEqual(rows);
      const read = await db.selectFrom('e_chunk').select(['id', 'small', 'large']).orderBy('id').execute();
      expect(read.map((r) => [r.id, r.small, r.large])).toEqual(rows);
    }), { numRuns: 25, seed: 11 });
  });

  it('stores the codes of an ENUM of more than 65,535 members (32-bit codes) as appending value by value does', async () => {
    const HUGE = Array.from({ length: 70_000 }, (_, i) => `m${String(i).padStart(5, '0')}`);
    await conn.run('drop table if exists h_chunk; drop table if exists h_value');
    for (const t of ['h_chunk', 'h_value']) await conn.run(`create table ${t} (id integer, huge ${enumOf(HUGE)})`);
    const rows = Array.from({ length: 3000 }, (_, i) => [i, i % 7 === 0 ? null : HUGE[(i * 7919) % HUGE.length]!]);
    await appenderBulkWriter(conn).insert('h_chunk', ['id', 'huge'], packRows(rows, 2));
    await appenderBulkWriter(conn, { byChunks: false }).insert('h_value', ['id', 'huge'], packRows(rows, 2));
    expect(await rowsOf('h_chunk')).toEqual(rows);
    expect(await rowsOf('h_value')).toEqual(rows);
  });

  it('makes a column text before appending a value outside its vocabulary, keeping the rows it held', async () => {
    for (const block of [true, false]) {
      await conn.run('drop table if exists e_wide');
      await conn.run(enumTable('e_wide'));
      await conn.run('BEGIN TRANSACTION');
      const first = [[1, 'gelijk', 'v001'], [2, null, 'v299']];
      const then = [[3, 'half-gelijk', 'v002'], [4, 'opstroom', 'v300'], [5, null, null]];
      const pack = (rows: unknown[][]) => (block ? packRows(rows, 3) : rows);
      await appenderBulkWriter(conn).insert('e_wide', ENUM_COLUMNS, pack(first));
      await appenderBulkWriter(conn).insert('e_wide', ENUM_COLUMNS, pack(then));
      // Members only again, into the text columns now.
      await appenderBulkWriter(conn).insert('e_wide', ENUM_COLUMNS, pack([[6, 'afstroom', 'v003']]));
      await conn.run('COMMIT');
      expect(await rowsOf('e_wide')).toEqual([...first, ...then, [6, 'afstroom', 'v003']]);
      const types = (await conn.runAndReadAll(`select column_name, data_type from information_schema.columns where table_name = 'e_wide' order by ordinal_position`)).getRows();
      expect(types).toEqual([['id', 'INTEGER'], ['small', 'VARCHAR'], ['large', 'VARCHAR']]);
    }
  });
});
