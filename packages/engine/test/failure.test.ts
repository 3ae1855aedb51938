import { writeFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { isDiskFull } from '../src/failure.js';

/** The error a write to a full device gives (Linux's /dev/full is always full). */
function enospc(): unknown {
  try {
    writeFileSync('/dev/full', 'x');
  } catch (err) {
    return err;
  }
  throw new Error('writing /dev/full did not fail');
}

describe('a full disk, as each store reports it', () => {
  it('the system: ENOSPC', () => {
    expect(isDiskFull(enospc())).toBe(true);
  });

  it('DuckDB: an error without a code, told by its message', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const err = await conn.run("COPY (SELECT range AS n FROM range(100000)) TO '/dev/full' (FORMAT csv)").then(() => null, (e: unknown) => e);
    conn.closeSync();
    db.closeSync();
    expect(err, 'DuckDB wrote to /dev/full').not.toBeNull();
    expect(isDiskFull(err)).toBe(true);
  });

  it("better-sqlite3: SQLite's SQLITE_FULL", () => {
    expect(isDiskFull(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }))).toBe(true);
  });

  it('not anything else', () => {
    expect(isDiskFull(new Error('something else'))).toBe(false);
    expect(isDiskFull(Object.assign(new Error('busy'), { code: 'SQLITE_BUSY' }))).toBe(false);
    expect(isDiskFull('No space left on device')).toBe(false);
  });
});
