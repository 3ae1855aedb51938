import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ViewsMismatchError } from '@leerroutes/projection-runtime/views-damage';
import { PostgresUnreachableError } from '@leerroutes/event-store/postgres/errors';
import { failureMessage } from '../src/failure.js';

describe('what the CLI says about a failure nothing else caught', () => {
  it('a full disk: what happened and what to do, no stack trace', () => {
    let err: unknown = null;
    try {
      writeFileSync('/dev/full', 'x');
    } catch (e) {
      err = e;
    }
    const text = failureMessage(err);
    expect(text).toMatch(/^error: the disk is full \(ENOSPC/);
    expect(text).toContain('run the same command again');
    expect(text).not.toContain('    at ');
  });

  it('views that cannot be read: the log is untouched, rebuild them; no stack trace', () => {
    const own = failureMessage(Object.assign(new Error("the views in /v cannot be read: CURRENT names no generation ('x')"), { code: 'VIEWS_DAMAGED' }));
    expect(own).toMatch(/^error: the views in \/v cannot be read/);
    expect(own).toContain('run `pathways rebuild` with the same --db and --views');
    expect(own).not.toContain('    at ');
    const duck = failureMessage(new Error('IO Error: Corrupt database file: computed checksum 1 does not match stored checksum 2 in block at location 3'));
    expect(duck).toMatch(/^error: the published views cannot be read \(IO Error: Corrupt database file/);
  });

  it('a damaged event log: nothing rebuilds it, keep the file and restore a copy; no stack trace', () => {
    const text = failureMessage(Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' }));
    expect(text).toMatch(/^error: the event log's database reports damage \(database disk image is malformed\)/);
    expect(text).toContain('restore it from a copy');
    expect(text).not.toContain('pathways rebuild');
    expect(text).not.toContain('    at ');
  });

  it('views made from another state of the log: why going on would be wrong, rebuild them or point at the right one; no stack trace', () => {
    const text = failureMessage(new ViewsMismatchError('/v', 'they read event e-9 at position 40, where the log holds event e-77'));
    expect(text).toMatch(/^error: the views in \/v were made from another state of the event log: they read event e-9 at position 40/);
    expect(text).toContain('run `pathways rebuild` with the same --db');
    expect(text).toContain('point it at the right one');
    expect(text).not.toContain('    at ');
  });

  it('a PostgreSQL store that cannot be reached: where, what it said and what to check; no stack trace', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5439'), { code: 'ECONNREFUSED' });
    const text = failureMessage(new PostgresUnreachableError('postgresql://u:***@127.0.0.1:5439/db', refused));
    expect(text).toBe('error: cannot connect to PostgreSQL at postgresql://u:***@127.0.0.1:5439/db: connect ECONNREFUSED 127.0.0.1:5439; is the server running, and listening at that host and port?');
    // An error that crossed a thread keeps its code, not its class.
    expect(failureMessage(Object.assign(new Error('cannot connect to PostgreSQL at x: y'), { code: 'PG_UNREACHABLE' }))).toBe('error: cannot connect to PostgreSQL at x: y');
    // The other stores that could not be opened where they were pointed, likewise.
    expect(failureMessage(Object.assign(new Error('cannot open the event log at /d: it is a directory'), { code: 'LOG_UNOPENABLE' }))).toBe('error: cannot open the event log at /d: it is a directory');
    expect(failureMessage(Object.assign(new Error('/v is a file, not a views directory'), { code: 'VIEWS_NOT_A_DIRECTORY' }))).toBe('error: /v is a file, not a views directory');
  });

  it('anything else stays an unexpected error with its stack', () => {
    expect(failureMessage(new Error('something else'))).toMatch(/^unexpected error: Error: something else\n\s+at /);
    expect(failureMessage('a string')).toBe('unexpected error: a string');
  });
});
