/**
 * Rows written as Parquet and CSV by DuckDB: awkward text survives both ways,
 * none stays apart from empty, types hold, and a failed export leaves nothing.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { ExportColumn } from '@leerroutes/indicators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRows } from '../src/exports/file.js';

let dir: string;
let duck: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'export-file-'));
  duck = await DuckDBInstance.create(':memory:');
  conn = await duck.connect();
});
afterAll(() => {
  conn.closeSync();
  duck.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

const COLUMNS: ExportColumn[] = [
  { name: 'learner_id', type: 'VARCHAR', description: '' },
  { name: 'text', type: 'VARCHAR', description: '' },
  { name: 'day', type: 'DATE', description: '' },
  { name: 'n', type: 'INTEGER', description: '' },
  { name: 'big', type: 'BIGINT', description: '' },
  { name: 'x', type: 'DOUBLE', description: '' },
  { name: 'flag', type: 'BOOLEAN', description: '' },
];

const ROWS: unknown[][] = [
  ['L1', 'plain', '2016-10-01', 1, 9_007_199_254_740_991, 0.3, true],
  ['L2', 'comma, "quote"\nand a newline', '2000-02-29', -7, 0, 1.2, false],
  ['L2', '', null, null, null, null, null],
  ['L3', '  spaced  ', '1999-12-31', 0, 1, 0, false],
  ['L3', null, '2024-10-01', 2_147_483_647, 2, -0.5, true],
  ['L4', 'ë ≠ NULL', '2016-01-01', 3, 3, 1e-9, true],
];

const read = async (query: string) => (await conn.runAndReadAll(query)).getRowsJson();

describe('writeRows', () => {
  it('writes Parquet and CSV that read back as the rows, typed, in order', async () => {
    for (const format of ['parquet', 'csv'] as const) {
      const out = join(dir, `rows.${format}`);
      const progress: number[] = [];
      const written = await writeRows(COLUMNS, [ROWS.slice(0, 2), [], ROWS.slice(2)], format, out, { onBatch: (n) => progress.push(n), learners: true });
      expect(written).toEqual({ rows: ROWS.length, learnerIds: ['L1', 'L2', 'L3', 'L4'] });
      expect(progress).toEqual([2, ROWS.length]);
      // In the CSV an empty text is "" and none is nothing; DuckDB reads "" as none unless told not to.
      const source = format === 'parquet' ? `read_parquet('${out}')` : `read_csv('${out}', allow_quoted_nulls = false)`;
      const back = await read(`select learner_id, text, day::varchar, n::integer, big::bigint, x, flag from ${source}`);
      expect(back, format).toEqual(ROWS.map((r) => [r[0], r[1], r[2], r[3], r[4] === null ? null : String(r[4]), r[5], r[6]]));
    }
    const types = await read(`select column_name, column_type from (describe select * from read_parquet('${join(dir, 'rows.parquet')}'))`);
    expect(types).toEqual(COLUMNS.map((c) => [c.name, c.type]));
  });

  it('a value that does not fit its type fails the export and leaves no file', async () => {
    const out = join(dir, 'bad.parquet');
    await expect(writeRows(COLUMNS, [[['L1', 'x', 'not a date', 1, 1, 1, true]]], 'parquet', out)).rejects.toThrow();
    await expect(writeRows(COLUMNS, (async function* () { yield ROWS; throw new Error('the log went away'); })(), 'parquet', out)).rejects.toThrow(/went away/);
    expect(readdirSync(dir).filter((f) => f.includes('bad'))).toEqual([]);
  });
});
