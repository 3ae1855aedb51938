import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathways } from './run-cli.js';

describe('pnpm pathways import / stats', () => {
  let root: string;
  let db: string;
  let dir: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'leerroutes-cli-'));
    db = join(root, 'p.sqlite');
    dir = join(root, 'delivery');
    mkdirSync(dir);
    writeFileSync(join(dir, 'enrollments.csv'), [
      'learner_id,school_year,reference_date,sector,institution,branch,level,grade,programme,track',
      'A,2012-2013,2012-10-01,vo,10AA,,havo,1,,', 'A,2013-2014,2013-10-01,vo,10AA,,havo,2,,',
      'B,2012-2013,2012-10-01,vo,10AA,,hovo,1,,',
    ].join('\n'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('imports, reports the rejected row, and is idempotent', () => {
    const first = pathways(['import', dir, '--db', db, '--no-progress']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/enrollments\.csv\s+3 rows: 2 accepted/);
    expect(first.stdout).toMatch(/rejected rows: 1 \(unknown-level: 1\)/);
    // Two learner events, and the two reference dates of the count recorded as covered.
    expect(first.stdout).toMatch(/events appended: 4/);
    expect(first.stdout).toMatch(/ReferenceDateCovered\s+2/);
    const again = pathways(['import', dir, '--db', db, '--json', '--no-progress']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).import).toMatchObject({ alreadyImported: true, eventsAppended: 0 });
  });

  it('reads the database from PATHWAYS_DB and prints counts per type and learners', () => {
    const r = pathways(['stats', '--json'], { PATHWAYS_DB: db });
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ events: 4, learners: 1, byType: { Placed: 1, Promoted: 1, ReferenceDateCovered: 2 } });
  });

  it('an import whose views cannot be brought up to date says the delivery is in the log; a rebuild then makes the views', () => {
    const log = join(root, 'damaged-views.sqlite');
    const views = join(root, 'damaged-views');
    mkdirSync(views);
    writeFileSync(join(views, 'CURRENT'), 'garbage\n');
    const first = pathways(['import', dir, '--db', log, '--views', views, '--no-progress']);
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/events appended: 4/);
    expect(first.stdout).toContain('the delivery is in the log; bringing the views up to date failed');
    expect(first.stderr).toMatch(/^error: the views in .* cannot be read: CURRENT names no generation \('garbage'\)/);
    expect(first.stderr).toContain('pathways rebuild');
    expect(first.stderr).not.toContain('    at ');
    // The same command again adds nothing to the log, and still cannot bring the views up to date.
    const again = pathways(['import', dir, '--db', log, '--views', views, '--json', '--no-progress']);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toMatchObject({ import: { alreadyImported: true, eventsAppended: 0 }, projections: null });
    expect(pathways(['rebuild', '--db', log, '--views', views, '--no-progress']).code).toBe(0);
    const after = pathways(['import', dir, '--db', log, '--views', views, '--json', '--no-progress']);
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout).projections).toMatchObject({ head: expect.any(Number), published: null });
  });

  it('fails with a clear message and a non-zero code on bad input', () => {
    const missing = pathways(['import', join(root, 'nope'), '--db', db]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no such directory/);
    const noArg = pathways(['import', '--db', db]);
    expect(noArg.code).toBe(2);
    expect(noArg.stderr).toMatch(/Usage: pnpm pathways import/);
    const unknown = pathways(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown command 'frobnicate'/);
    const noDb = pathways(['stats', '--db', join(root, 'absent.sqlite')]);
    expect(noDb.code).toBe(1);
    expect(noDb.stderr).toMatch(/no event log/);
  });

  it('says so while it upgrades a log written by older code, and only the first time', () => {
    const old = join(root, 'v2.sqlite');
    const raw = new Database(old);
    raw.exec(readFileSync(join(import.meta.dirname, '../../packages/event-store/test/fixtures/v2-log.sql'), 'utf8'));
    raw.close();
    const first = pathways(['stats', '--db', old, '--json']);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/upgrading the log from version 2 to 3: 0\/220 events/);
    expect(first.stderr).toMatch(/upgrading the log from version 2 to 3: 220\/220 events \(100%\)/);
    // stdout stays the machine-readable answer.
    expect(JSON.parse(first.stdout)).toBeTypeOf('object');
    const again = pathways(['stats', '--db', old, '--json']);
    expect(again.stderr).toBe('');
    expect(again.stdout).toBe(first.stdout);
  });
});
