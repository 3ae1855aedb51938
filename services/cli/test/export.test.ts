/**
 * `pathways export` end to end on a generated population (300 learners,
 * seed 3, and its corrected re-delivery): every kind as Parquet and as CSV,
 * the Parquet read back with DuckDB (types, and the same rows as the CSV),
 * person-period against the distribution indicator, spells against
 * person-period, events against the log.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { EVENT_COLUMNS, columnsOf } from '@leerroutes/engine';
import { openSqliteEventStore } from '@leerroutes/event-store/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command as exportCommand } from '../src/commands/export.js';
import { command as generate } from '../src/commands/generate.js';
import { command as importCommand } from '../src/commands/import.js';
import { command as report } from '../src/commands/report.js';
import { UsageError, type Command } from '../src/command.js';

let dir: string;
let db: string;
let duck: DuckDBInstance;
let conn: DuckDBConnection;

interface Ran { readonly out: string; readonly err: string }

async function run(cmd: Command, args: string[], flags: Record<string, string | boolean>): Promise<Ran> {
  let out = '';
  let err = '';
  const stdout = new Writable({ write(chunk, _enc, cb) { out += String(chunk); cb(); } });
  const stderr = new Writable({ write(chunk, _enc, cb) { err += String(chunk); cb(); } });
  const code = await cmd.run({ args, flags, env: {}, stdout, stderr });
  expect(code, err).toBe(0);
  return { out, err };
}

const exportTo = (args: string[], file: string, flags: Record<string, string | boolean> = {}) =>
  run(exportCommand, args, { db, out: join(dir, file), ...flags });

const rows = async (query: string): Promise<Record<string, unknown>[]> => (await conn.runAndReadAll(query)).getRowObjectsJson() as Record<string, unknown>[];
const count = async (query: string): Promise<number> => Number(Object.values((await rows(query))[0]!)[0]);
const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** A Parquet file's columns and their DuckDB types. */
const parquetColumns = async (file: string) =>
  (await rows(`describe select * from read_parquet(${lit(file)})`)).map((r) => ({ name: String(r['column_name']), type: String(r['column_type']) }));

/** Rows of the Parquet file not in the CSV (read with the Parquet's types), and the other way round. */
async function difference(parquet: string, csv: string): Promise<number> {
  const columns = await parquetColumns(parquet);
  const spec = `{${columns.map((c) => `${lit(c.name)}: ${lit(c.type)}`).join(', ')}}`;
  const p = `select * from read_parquet(${lit(parquet)})`;
  const c = `select * from read_csv(${lit(csv)}, header = true, columns = ${spec})`;
  return (await count(`select count(*) from (${p} except all ${c})`)) + (await count(`select count(*) from (${c} except all ${p})`));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pathways-export-'));
  db = join(dir, 'log.sqlite');
  await run(generate, [], { out: join(dir, 'csv'), learners: '300', seed: '3', redelivery: join(dir, 'correction'), quiet: true });
  await run(importCommand, [join(dir, 'csv')], { db, 'known-at': '2022-11-01', quiet: true });
  await run(importCommand, [join(dir, 'correction')], { db, 'known-at': '2023-01-15', quiet: true });
  duck = await DuckDBInstance.create(':memory:');
  conn = await duck.connect();
}, 120_000);

afterAll(() => {
  conn?.closeSync();
  duck?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

describe('pathways export', () => {
  const KINDS: { name: string; args: string[]; flags?: Record<string, string | boolean> }[] = [
    { name: 'events', args: ['events'] },
    { name: 'person-period', args: ['person-period'] },
    { name: 'spells', args: ['spells'], flags: { 'cohort-type': 'intake' } },
    { name: 'report', args: ['report', 'transitions'], flags: { cohort: '2012-2013', by: 'gender,area:1' } },
  ];

  it('writes each kind as Parquet with typed columns and as CSV with the same rows', async () => {
    for (const kind of KINDS) {
      const parquet = await exportTo(kind.args, `${kind.name}.parquet`, kind.flags);
      const csv = await exportTo(kind.args, `${kind.name}.csv`, kind.flags);
      const p = join(dir, `${kind.name}.parquet`);
      const n = await count(`select count(*) from read_parquet(${lit(p)})`);
      expect(n, kind.name).toBeGreaterThan(0);
      expect(parquet.out).toContain(`exported ${n} row(s)`);
      expect(parquet.out).toContain('(parquet;');
      expect(csv.out).toContain(`exported ${n} row(s)`);
      expect(await difference(p, join(dir, `${kind.name}.csv`)), kind.name).toBe(0);
      const types = await parquetColumns(p);
      if (kind.name !== 'report') {
        expect(types, kind.name).toEqual(columnsOf(kind.name as 'events').map((c) => ({ name: c.name, type: c.type })));
      } else {
        expect(types.map((c) => c.name)).toEqual(['gender', 'area_1', 'offset', 'school_year', 'from', 'to', 'family', 'category', 'count', 'denominator', 'percent', 'suppressed', 'suppression']);
        expect(types.find((c) => c.name === 'count')!.type).toBe('INTEGER');
      }
    }
    // Dates are DATE and whole numbers INTEGER, whatever reads them.
    const pp = await parquetColumns(join(dir, 'person-period.parquet'));
    expect(pp.find((c) => c.name === 'reference_date')!.type).toBe('DATE');
    expect(pp.find((c) => c.name === 'period')!.type).toBe('INTEGER');
    expect(pp.find((c) => c.name === 'grade')!.type).toBe('INTEGER');
    // Nothing is left beside the files: no partial file, no scratch database.
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('person-period counts per reference date are the distribution report, unsuppressed', async () => {
    await exportTo(['person-period'], 'pp-2012.parquet', { cohort: '2012-2013', rules: 'monitor' });
    await exportTo(['report', 'distribution'], 'distribution.parquet', { cohort: '2012-2013', rules: 'monitor', unsuppressed: true });
    const pp = lit(join(dir, 'pp-2012.parquet'));
    const fromPeriods = await rows(`select period - 1 as k, state, count(*)::integer as n from read_parquet(${pp}) group by all order by all`);
    const fromReport = await rows(`select "offset" as k, category as state, count as n from read_parquet(${lit(join(dir, 'distribution.parquet'))})
      where family = 'state' and count > 0 order by all`);
    expect(fromPeriods.length).toBeGreaterThan(20);
    expect(fromPeriods).toEqual(fromReport);
    // One reference date per period: the covered date of the cohort's year, then one a year (period 1 is the cohort's own year).
    const dates = await rows(`select period, count(distinct reference_date)::integer as dates, min(reference_date)::varchar as day, bool_and(covered) as covered
      from read_parquet(${pp}) group by period order by period`);
    for (const d of dates) {
      expect(d['dates']).toBe(1);
      expect(d['day']).toBe(`${2011 + Number(d['period'])}-10-01`);
      expect(d['covered']).toBe(true);
    }
    // Each learner once per date, with the cohort's breakdown values on every row.
    expect(await count(`select count(*) from (select learner_id, period from read_parquet(${pp}) group by all having count(*) > 1)`)).toBe(0);
    expect(await count(`select count(*) from (select learner_id from read_parquet(${pp}) group by learner_id having count(distinct gender || area || advice) > 1)`)).toBe(0);
  });

  it('spells are the runs of one state in person-period', async () => {
    const pp = lit(join(dir, 'pp-intake.parquet'));
    await exportTo(['person-period'], 'pp-intake.parquet', { 'cohort-type': 'intake' });
    const spells = lit(join(dir, 'spells.parquet'));
    const expanded = `select s.learner_id, s.cohort, p.period, s.state from read_parquet(${spells}) s, generate_series(s.start_period, s.end_period) as p(period)`;
    const periods = `select learner_id, cohort, period, state from read_parquet(${pp})`;
    expect(await count(`select count(*) from (${expanded})`)).toBe(await count(`select count(*) from read_parquet(${pp})`));
    expect(await count(`select count(*) from (${expanded} except all ${periods})`)).toBe(0);
    // Maximal runs: the next spell of a learner starts the next period, in another state.
    const next = `select state, end_period, lead(state) over w as next_state, lead(start_period) over w as next_start
      from read_parquet(${spells}) window w as (partition by learner_id order by start_period)`;
    expect(await count(`select count(*) from (${next}) where next_start is not null and (next_state = state or next_start <> end_period + 1)`)).toBe(0);
    // start and end are the reference dates of the first and last period; the years their school years; periods count from 1.
    expect(await count(`select count(*) from read_parquet(${spells}) where start_period < 1 or start_year <> cast(left(cohort, 4) as integer) + start_period - 1
      or end_year - start_year <> end_period - start_period`)).toBe(0);
    const ends = `select count(*) from read_parquet(${spells}) s join read_parquet(${pp}) a on a.learner_id = s.learner_id and a.period = s.start_period
      join read_parquet(${pp}) b on b.learner_id = s.learner_id and b.period = s.end_period where a.reference_date <> s.start or b.reference_date <> s."end"`;
    expect(await count(ends)).toBe(0);
    expect(await count(`select count(*) from (${next}) where next_state is not null`)).toBeGreaterThan(0);
  });

  it('events are the learner events of the log, retractions flagged, as known on a date', async () => {
    const store = openSqliteEventStore({ path: db });
    const events = [];
    try {
      for await (const batch of store.readStreams({ category: 'learner' })) for (const s of batch) events.push(...s);
    } finally {
      await store.close();
    }
    const file = lit(join(dir, 'events.parquet'));
    expect(await count(`select count(*) from read_parquet(${file})`)).toBe(events.length);
    const placed = events.find((e) => e.type === 'Placed')!;
    const data = placed.data as { learnerId: string; enrolment: { referenceDate: string; grade: number; level: { code: string } } };
    const [row] = await rows(`select * from read_parquet(${file}) where event_id = ${lit(placed.eventId)}`);
    expect(row).toMatchObject({
      learner_id: data.learnerId, position: String(placed.position), type: 'Placed', occurred_on: placed.occurredOn,
      enrolment_reference_date: data.enrolment.referenceDate, enrolment_grade: data.enrolment.grade, enrolment_level_code: data.enrolment.level.code,
      known_on: '2022-11-01', is_retracted: false,
    });
    // The re-delivery retracted events: each flagged one is named by a Retracted event of its learner.
    const retracted = events.filter((e) => e.type === 'Retracted');
    expect(retracted.length).toBeGreaterThan(0);
    const named = new Set(retracted.flatMap((e) => (e.data as { retracted: string[] }).retracted));
    const flagged = (await rows(`select event_id from read_parquet(${file}) where is_retracted`)).map((r) => String(r['event_id']));
    expect(new Set(flagged)).toEqual(named);
    const lists = await rows(`select retracted from read_parquet(${file}) where type = 'Retracted'`);
    expect(new Set(lists.flatMap((r) => String(r['retracted']).split(';')))).toEqual(named);
    // As known before the re-delivery: neither its events nor its retractions.
    await exportTo(['events'], 'events-2022.parquet', { 'as-known-on': '2022-12-31' });
    const before = lit(join(dir, 'events-2022.parquet'));
    expect(await count(`select count(*) from read_parquet(${before})`)).toBe(events.filter((e) => e.knownAt.slice(0, 10) <= '2022-12-31').length);
    expect(await count(`select count(*) from read_parquet(${before}) where is_retracted or type = 'Retracted'`)).toBe(0);
    expect(EVENT_COLUMNS.find((c) => c.name === 'occurred_on')!.type).toBe('DATE');
  });

  it('a report export is suppressed as the report is', async () => {
    await exportTo(['report', 'advice-position'], 'ap.parquet', { cohort: '2012-2013', by: 'gender' });
    const shown = JSON.parse((await run(report, ['advice-position'], { db, cohort: '2012-2013', by: 'gender', format: 'json' })).out) as { rows: { count: number | null; suppressed: boolean }[] };
    const file = (await rows(`select count, suppressed from read_parquet(${lit(join(dir, 'ap.parquet'))})`)).map((r) => ({ count: r['count'], suppressed: r['suppressed'] }));
    expect(file).toEqual(shown.rows.map((r) => ({ count: r.count, suppressed: r.suppressed })));
    expect(file.some((r) => r.suppressed && r.count === null)).toBe(true);
  });

  it('shows progress of an events export on stderr', async () => {
    const { err } = await exportTo(['events'], 'progress.csv');
    expect(err).toMatch(/export events: (\d+)\/\1 learners \(100%\)/);
    const quiet = await exportTo(['events'], 'quiet.csv', { quiet: true });
    expect(quiet.err).toBe('');
  });

  it('docs/exports.md names every column of every learner-level kind', () => {
    const doc = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'exports.md'), 'utf8');
    for (const kind of ['events', 'person-period', 'spells'] as const) {
      const section = doc.slice(doc.indexOf(`### ${kind}`));
      for (const c of columnsOf(kind)) expect(section, `${kind}: ${c.name}`).toContain(`\`${c.name}\``);
    }
  });

  it('refuses what a kind does not take', async () => {
    await expect(exportTo(['events'], 'x.parquet', { cohort: '2012-2013' })).rejects.toThrow(UsageError);
    await expect(exportTo(['person-period'], 'x.parquet', { by: 'gender' })).rejects.toThrow(/not --by/);
    await expect(exportTo(['spells', 'distribution'], 'x.parquet')).rejects.toThrow(UsageError);
    await expect(exportTo(['report'], 'x.parquet')).rejects.toThrow(/name an indicator/);
    await expect(exportTo(['everything'], 'x.parquet')).rejects.toThrow(/cannot export/);
    await expect(exportTo(['events'], 'x.parquet', { format: 'xlsx' })).rejects.toThrow(/--format/);
    await expect(run(exportCommand, ['events'], { db })).rejects.toThrow(/--out/);
    expect(readdirSync(dir).filter((f) => f.startsWith('x.'))).toEqual([]);
  });
});
