import { closeSync, mkdtempSync, openSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ViewsDamagedError, ViewsMismatchError } from '@leerroutes/projection-runtime';
import { failureKind, failureSummary, isDiskFull, isLogDamaged, isViewsDamaged } from '../src/failure.js';

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

describe('an event log whose database reports damage', () => {
  it("SQLite's SQLITE_CORRUPT from a damaged page, and SQLITE_NOTADB from a file that is no database", () => {
    const dir = mkdtempSync(join(tmpdir(), 'log-damaged-'));
    try {
      const file = join(dir, 'log.sqlite');
      const db = new Database(file);
      db.exec('CREATE TABLE e (id INTEGER PRIMARY KEY, body TEXT); CREATE INDEX e_body ON e (body)');
      const insert = db.prepare('INSERT INTO e (body) VALUES (?)');
      db.transaction(() => { for (let i = 0; i < 20_000; i++) insert.run(`event ${i} ${'x'.repeat(40)}`); })();
      db.close();
      // Overwrite pages past the schema with garbage, as a failing disk or a stray write would.
      const fd = openSync(file, 'r+');
      for (let page = 3; page * 4096 < statSync(file).size; page += 7) writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, page * 4096);
      closeSync(fd);
      const damaged = new Database(file);
      const err = (() => { try { damaged.prepare('SELECT count(*) FROM e WHERE body > ?').get(''); return null; } catch (e) { return e; } })();
      damaged.close();
      expect(err, 'SQLite read the damaged pages').not.toBeNull();
      expect(isLogDamaged(err)).toBe(true);
      writeFileSync(join(dir, 'notes.txt'), 'not a database, but long enough to have a header of its own\n'.repeat(100));
      const text = new Database(join(dir, 'notes.txt'));
      const notADb = (() => { try { text.prepare('SELECT * FROM sqlite_master').all(); return null; } catch (e) { return e; } })();
      text.close();
      expect(isLogDamaged(notADb)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("PostgreSQL's data_corrupted and index_corrupted, and nothing else", () => {
    expect(isLogDamaged(Object.assign(new Error('invalid page in block 7 of relation base/1/2'), { code: 'XX001' }))).toBe(true);
    expect(isLogDamaged(Object.assign(new Error('index "x" contains unexpected zero page'), { code: 'XX002' }))).toBe(true);
    expect(isLogDamaged(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }))).toBe(false);
    expect(isLogDamaged(Object.assign(new Error('busy'), { code: 'SQLITE_BUSY' }))).toBe(false);
    expect(isLogDamaged(new Error('database disk image is malformed'))).toBe(false);
  });
});

describe('the kind of a failure, and what anyone may read of it', () => {
  it('names each kind without the error text, and anything else as in the server log', () => {
    const cases: [unknown, string | null, string][] = [
      [enospc(), 'disk-full', 'the disk is full'],
      [Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' }), 'log-damaged', 'the event log reports damage'],
      [new ViewsDamagedError('/srv/views', "CURRENT names no generation ('x')"), 'views-damaged', 'the views cannot be read: rebuild them'],
      // A views error that crossed a thread keeps its code, not its class.
      [Object.assign(new Error('the views in /srv/views cannot be read'), { code: 'VIEWS_DAMAGED' }), 'views-damaged', 'the views cannot be read: rebuild them'],
      [new ViewsMismatchError('/srv/views', 'they read event a at position 4, where the log holds event b'), 'views-mismatch', 'the views were made from another state of the event log: rebuild them'],
      [Object.assign(new Error('the views in /srv/views were made from another state of the event log'), { code: 'VIEWS_MISMATCH' }), 'views-mismatch', 'the views were made from another state of the event log: rebuild them'],
      [new Error('connect ECONNREFUSED 10.0.0.7:5432'), null, "the error is in the server's log"],
    ];
    for (const [err, kind, summary] of cases) {
      expect(failureKind(err)).toBe(kind);
      expect(failureSummary(err)).toBe(summary);
    }
  });
});
