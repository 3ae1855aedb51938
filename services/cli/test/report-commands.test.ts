/**
 * The report, explain and learner commands end to end on a small log file,
 * replayed as known on a date (no views needed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { openSqliteEventStore } from '@leerroutes/event-store/sqlite';
import { catchUp, openDuckDbViews } from '@leerroutes/projection-runtime';
import { PROJECTIONS } from '@leerroutes/projections';
import { TestLog } from '@leerroutes/pathway/testing';
import { command as report } from '../src/commands/report.js';
import { command as explain } from '../src/commands/explain.js';
import { command as learner } from '../src/commands/learner.js';
import { UsageError, type Command } from '../src/command.js';

let dir: string;
let db: string;

/** K1: advice vwo, vwo 1-2, then vmbo-t 3 at another school (afstroom); K2: advice havo, havo 1-3 (gelijk). */
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pathways-cli-'));
  db = join(dir, 'log.sqlite');
  const log = new TestLog();
  const k1 = log.learner('K1');
  const k2 = log.learner('K2');
  k1.registered('2000-01', 'f');
  k1.advice('2012-02-01', 'final', 'vwo');
  k2.advice('2012-02-01', 'final', 'havo');
  k1.row('2012-10-01', { institution: 'VO1', level: 'vwo', grade: 1 });
  k1.row('2013-10-01', { institution: 'VO1', level: 'vwo', grade: 2 });
  k1.row('2014-10-01', { institution: 'VO2', level: 'vmbo-t', grade: 3 });
  for (let g = 1; g <= 3; g++) k2.row(`${2011 + g}-10-01`, { institution: 'VO1', level: 'havo', grade: g });
  const store = openSqliteEventStore({ path: db });
  for (const e of log.all) {
    await store.appendToStream(e.stream, [{ eventId: e.eventId, type: e.type, schemaVersion: e.schemaVersion, data: e.data, occurredOn: e.occurredOn, knownAt: '2016-01-01T00:00:00.000Z' }]);
  }
  // The live views, as the importer leaves them.
  const views = await openDuckDbViews(db.replace(/\.sqlite$/, '.views'));
  await catchUp({ store, views, projections: PROJECTIONS });
  await views.close();
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(cmd: Command, args: string[], flags: Record<string, string | boolean>): Promise<string> {
  let out = '';
  const stdout = new Writable({ write(chunk, _enc, cb) { out += String(chunk); cb(); } });
  const stderr = new Writable({ write(_c, _e, cb) { cb(); } });
  const code = await cmd.run({ args, flags: { db, ...flags }, env: {}, stdout, stderr });
  expect(code).toBe(0);
  return out;
}

/** Like run, with what the command said on stderr. */
async function runWithNotes(cmd: Command, args: string[], flags: Record<string, string | boolean>): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  const stdout = new Writable({ write(chunk, _enc, cb) { out += String(chunk); cb(); } });
  const stderr = new Writable({ write(chunk, _enc, cb) { err += String(chunk); cb(); } });
  expect(await cmd.run({ args, flags: { db, ...flags }, env: {}, stdout, stderr })).toBe(0);
  return { out, err };
}

describe('pathways report / explain / learner', () => {
  it('an empty report for a cohort the views do not hold says which cohorts they hold, on stderr only', async () => {
    const held = await runWithNotes(report, ['advice-position'], { cohort: '2011-2012', format: 'csv' });
    expect(held.err).toBe('');
    const absent = await runWithNotes(report, ['advice-position'], { cohort: '1999-2000', format: 'csv' });
    expect(absent.err).toBe('note: the views hold no advice cohort 1999-2000 under monitor; they hold 2011-2012\n');
    expect(absent.out.trim().split('\n')).toHaveLength(1); // the header only: the output is still the report asked for
    const intake = await runWithNotes(report, ['outcome'], { 'cohort-type': 'intake', cohort: '2030-2031' });
    expect(intake.err).toBe('note: the views hold no intake cohort 2030-2031; they hold 2012-2013\n');
    expect(intake.out).toContain('(no rows)');
    const early = await runWithNotes(report, ['advice-position'], { cohort: '2011-2012', 'as-known-on': '2005-01-01', format: 'json' });
    expect(early.err).toBe('note: the views hold no advice cohort 2011-2012 under monitor as known on 2005-01-01; they hold none\n');
    expect(JSON.parse(early.out).notes).toEqual(['the views hold no advice cohort 2011-2012 under monitor as known on 2005-01-01; they hold none']);
    const compared = await runWithNotes(report, ['advice-position'], { cohort: '1999-2000', 'compare-rules': 'inspectie', format: 'csv' });
    expect(compared.err).toMatch(/^note: the views hold no advice cohort 1999-2000 under monitor; they hold 2011-2012\nnote: the views hold no advice cohort 1999-2000 under inspectie; they hold /);
  });

  it('report as known on a date, as CSV with flat columns', async () => {
    const csv = await run(report, ['advice-position'], { cohort: '2011-2012', 'as-known-on': '2016-06-01', format: 'csv', unsuppressed: true });
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('offset,school_year,family,category,count,denominator,percent,suppressed,suppression');
    expect(lines).toContain(',,advice-position,afstroom,1,2,50,false,');
    expect(lines).toContain(',,advice-position,gelijk,1,2,50,false,');
    // Nothing was known before the delivery.
    const before = await run(report, ['advice-position'], { cohort: '2011-2012', 'as-known-on': '2015-06-01', format: 'json' });
    expect(JSON.parse(before).rows).toEqual([]);
  });

  it('as known on a date after the last delivery, the views answer as they do live', async () => {
    for (const indicator of ['advice-position', 'streams', 'distribution']) {
      const live = JSON.parse(await run(report, [indicator], { cohort: '2011-2012', format: 'json', unsuppressed: true }));
      const replay = JSON.parse(await run(report, [indicator], { cohort: '2011-2012', 'as-known-on': '2030-01-01', format: 'json', unsuppressed: true }));
      expect(live.source.kind).toBe('views');
      expect(replay.source).toEqual({ ...live.source, asKnownOn: '2030-01-01' });
      expect(live.rows).toEqual(replay.rows);
      expect(live.rows.length).toBeGreaterThan(0);
    }
  });

  it('suppresses small cells unless --unsuppressed', async () => {
    const csv = await run(report, ['advice-position'], { cohort: '2011-2012', 'as-known-on': '2016-06-01', format: 'csv' });
    expect(csv).toContain(',,advice-position,afstroom,,,,true,primary');
  });

  it('breakdowns become their own CSV columns; --compare-rules adds a rules column', async () => {
    const csv = await run(report, ['outcome'], { cohort: '2011-2012', 'as-known-on': '2016-06-01', format: 'csv', unsuppressed: true, by: 'gender', 'compare-rules': 'inspectie' });
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('rules,gender,offset,school_year,family,category,count,denominator,percent,suppressed,suppression');
    expect(lines).toContain('monitor,f,,,outcome,no-vo-diploma,1,1,100,false,');
    expect(lines).toContain('inspectie,unknown,,,outcome,no-vo-diploma,1,1,100,false,');
  });

  it('explain a cell names its learners; explain --learner gives the rule and its events', async () => {
    const cell = await run(explain, ['advice-position'], { cohort: '2011-2012', 'as-known-on': '2016-06-01', cell: 'category=afstroom' });
    expect(cell).toContain('1 learner(s)');
    expect(cell).toContain('K1');
    const why = await run(explain, [], { learner: 'K1' });
    expect(why).toMatch(/advice-position\s+afstroom: reference advice vwo .* from event \S+ \(AdviceGiven final 2012-02-01\), year-3 position vmbo-t/);
  });

  it('learner shows the events in valid-time order and the pathway', async () => {
    const json = JSON.parse(await run(learner, ['K1'], { format: 'json' }));
    expect(json.events.map((e: { type: string }) => e.type)).toEqual(['LearnerRegistered', 'AdviceGiven', 'Placed', 'Promoted', 'SchoolSwitched', 'LevelChanged', 'Promoted']);
    expect(json.pathway.intakeCohort).toBe('2012-2013');
    const table = await run(learner, ['K1'], {});
    expect(table).toContain('2014-10-01  vo   VO2');
  });

  it('refuses bad input with every reason', async () => {
    await expect(run(report, ['advice-position'], { cohort: '2011', rules: 'cbs' })).rejects.toThrow(UsageError);
    await expect(run(report, ['advice-position'], { cohort: '2011', rules: 'cbs' })).rejects.toThrow(/school year[\s\S]*rule set/);
    await expect(run(explain, ['advice-position'], { cohort: '2011-2012', cell: 'offset=x' })).rejects.toThrow(/offset must be a whole number[\s\S]*category/);
  });
});
