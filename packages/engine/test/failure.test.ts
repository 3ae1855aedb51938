import { mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { ViewsDamagedError } from '@leerroutes/projection-runtime';
import { isDiskFull, isViewsDamaged } from '../src/failure.js';

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

describe('views that cannot be read', () => {
  it("DuckDB's words for a damaged file, met on opening it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'damaged-'));
    try {
      const file = join(dir, 'gen-000001.duckdb');
      const db = await DuckDBInstance.create(file);
      const conn = await db.connect();
      await conn.run('CREATE TABLE t AS SELECT range AS n FROM range(100000)');
      await conn.run('CHECKPOINT');
      conn.closeSync();
      db.closeSync();
      // Cut off its end, where DuckDB keeps what it reads first.
      truncateSync(file, Math.floor(statSync(file).size / 2));
      const err = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' }).then((i) => { i.closeSync(); return null; }, (e: unknown) => e);
      expect(err, 'DuckDB opened half a file').not.toBeNull();
      expect(isViewsDamaged(err)).toBe(true);
      expect(isDiskFull(err)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the views store's own error, by its code", () => {
    expect(isViewsDamaged(new ViewsDamagedError('/v', 'CURRENT names no generation'))).toBe(true);
  });

  it('not a full disk, and not anything else', () => {
    expect(isViewsDamaged(new Error('IO Error: Could not write file "/v/gen-000002.duckdb.wal": No space left on device'))).toBe(false);
    expect(isViewsDamaged(new Error('something else'))).toBe(false);
    expect(isViewsDamaged('Corrupt database file')).toBe(false);
  });
});
