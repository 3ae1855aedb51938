import { writeFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { failureMessage, isDiskFull } from '../src/failure.js';

/** The error a write to a full device gives (Linux's /dev/full is always full). */
function enospc(): unknown {
  try {
    writeFileSync('/dev/full', 'x');
  } catch (err) {
    return err;
  }
  throw new Error('writing /dev/full did not fail');
}

describe('what the CLI says about a failure', () => {
  it('a full disk, as the system reports it: what to do, no stack trace', () => {
    const err = enospc();
    expect(isDiskFull(err)).toBe(true);
    const text = failureMessage(err);
    expect(text).toMatch(/^error: the disk is full \(ENOSPC/);
    expect(text).toContain('run the same command again');
    expect(text).not.toContain('    at ');
  });

  it('a full disk, as DuckDB reports it (an error without a code)', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const err = await conn.run("COPY (SELECT range AS n FROM range(100000)) TO '/dev/full' (FORMAT csv)").then(() => null, (e: unknown) => e);
    conn.closeSync();
    db.closeSync();
    expect(err, 'DuckDB wrote to /dev/full').not.toBeNull();
    expect(isDiskFull(err)).toBe(true);
    expect(failureMessage(err)).toMatch(/^error: the disk is full/);
  });

  it("a full database, as better-sqlite3 reports it (SQLite's SQLITE_FULL)", () => {
    const err = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    expect(isDiskFull(err)).toBe(true);
  });

  it('anything else stays an unexpected error with its stack', () => {
    const err = new Error('something else');
    expect(isDiskFull(err)).toBe(false);
    expect(failureMessage(err)).toMatch(/^unexpected error: Error: something else\n\s+at /);
    expect(failureMessage('a string')).toBe('unexpected error: a string');
  });
});
