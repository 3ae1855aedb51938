/**
 * The read model's engine, chosen by measurement: the same statistics tables
 * in DuckDB (the views as published) and in SQLite (copied, with indexes on
 * what the queries filter and join on), and the same count queries of the
 * indicators on both. Prints the median of three runs per query, per engine,
 * and checks that both give the same count table.
 *
 *   pnpm tsx scripts/bench/read-engines.ts --views DIR [--cohort 2013-2014] [--out FILE]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { INDICATORS, PER_YEAR_INDICATORS, type ReportRequest } from '@leerroutes/indicators';
import { openDuckDbViews } from '@leerroutes/projection-runtime';
// Relative on purpose: the count query is internal to the indicators package.
import { countTable, scopeOf } from '../../packages/indicators/src/sql/report.js';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined; };
const viewsDir = flag('views');
if (!viewsDir) throw new Error('--views DIR is required');
const cohort = flag('cohort') ?? '2013-2014';
const BREAKDOWNS = [[], ['parental_education'], ['area:1', 'gender'], ['vo_school']];

const views = await openDuckDbViews(viewsDir);
const dir = mkdtempSync(join(tmpdir(), 'leerroutes-engines-'));
const lite = new Database(join(dir, 'stats.sqlite'));
lite.pragma('journal_mode = OFF');
lite.pragma('synchronous = OFF');
const sqlite = new Kysely<any>({ dialect: new SqliteDialect({ database: lite }) });

// Copy every table the queries read, as the DuckDB views hold it.
const t0 = performance.now();
let copied = 0;
await views.reader.snapshot(async (db) => {
  const { rows: tables } = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_name like 'stat_%' or table_name like 'reference_%'`.execute(db);
  for (const { name } of tables) {
    const { rows: cols } = await sql<{ name: string; type: string }>`select column_name as name, data_type as type from information_schema.columns where table_name = ${name} order by ordinal_position`.execute(db);
    const affinity = (t: string) => (/INT|BOOL/i.test(t) ? 'INTEGER' : 'TEXT');
    lite.exec(`create table ${name} (${cols.map((c) => `"${c.name}" ${affinity(c.type)}`).join(', ')})`);
    const insert = lite.prepare(`insert into ${name} values (${cols.map(() => '?').join(', ')})`);
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(db);
    lite.transaction(() => {
      for (const r of rows) insert.run(cols.map((c) => { const v = r[c.name]; return typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'bigint' ? Number(v) : v ?? null; }));
    })();
    copied += rows.length;
  }
});
for (const [table, cols] of [
  ['stat_member', 'rules, cohort_type, cohort'], ['stat_member', 'learner_id'], ['stat_learner', 'learner_id, rules'], ['stat_state', 'learner_id, year'],
  ['stat_state', 'year'], ['stat_step', 'learner_id, rules'], ['stat_diploma', 'learner_id'], ['stat_diploma', 'year'], ['stat_attempt', 'learner_id'], ['stat_revision', 'learner_id, rules'],
] as const) lite.exec(`create index if not exists ${table}_${cols.replace(/\W+/g, '_')} on ${table} (${cols})`);
lite.exec('analyze');
const copySeconds = (performance.now() - t0) / 1000;

const canonical = (t: Awaited<ReturnType<typeof countTable>>) => JSON.stringify(t.map((i) => JSON.stringify([i.group, i.lineage, i.offset, i.schoolYear, i.family, i.denominator, [...i.counts].sort()])).sort());
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results: { request: string; duckdbMs: number; sqliteMs: number | null; same: boolean | null; error?: string }[] = [];
for (const indicator of INDICATORS) {
  for (const by of BREAKDOWNS) {
    const perYear = PER_YEAR_INDICATORS.includes(indicator);
    const request: ReportRequest = { indicator, cohortType: 'advice', cohort: perYear ? null : cohort, rules: 'monitor', by };
    const name = `${indicator} by ${by.join(',') || '-'}`;
    const duck: number[] = [];
    let duckTable = '';
    await views.reader.snapshot(async (db) => {
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        const table = await countTable(request, scopeOf(request, db));
        duck.push(performance.now() - t);
        duckTable = canonical(table);
      }
    });
    try {
      const lit: number[] = [];
      let liteTable = '';
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        const table = await countTable(request, scopeOf(request, sqlite));
        lit.push(performance.now() - t);
        liteTable = canonical(table);
      }
      results.push({ request: name, duckdbMs: median(duck), sqliteMs: median(lit), same: liteTable === duckTable });
    } catch (err) {
      results.push({ request: name, duckdbMs: median(duck), sqliteMs: null, same: null, error: (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 120) });
    }
  }
}
await sqlite.destroy();
await views.close();
rmSync(dir, { recursive: true, force: true });

const both = results.filter((r) => r.sqliteMs !== null);
const sum = (f: (r: (typeof results)[number]) => number) => both.reduce((n, r) => n + f(r), 0);
const lines = [
  `Read engines on the same statistics tables (${copied.toLocaleString('en-US')} rows copied to SQLite in ${copySeconds.toFixed(1)} s), advice cohort ${cohort}, median of 3 runs per query:`,
  '',
  '| request | DuckDB ms | SQLite ms | SQLite / DuckDB | same count table |',
  '|---|---|---|---|---|',
  ...results.map((r) => `| ${r.request} | ${r.duckdbMs.toFixed(1)} | ${r.sqliteMs === null ? `fails: ${r.error}` : r.sqliteMs.toFixed(1)} | ${r.sqliteMs === null ? '' : (r.sqliteMs / r.duckdbMs).toFixed(2)} | ${r.same === null ? '' : r.same ? 'yes' : 'NO'} |`),
  '',
  `Over the ${both.length} requests both engines ran: DuckDB ${sum((r) => r.duckdbMs).toFixed(0)} ms, SQLite ${sum((r) => r.sqliteMs!).toFixed(0)} ms in all; ${results.length - both.length} requests use SQL SQLite lacks.`,
];
process.stdout.write(lines.join('\n') + '\n');
const out = flag('out');
if (out) writeFileSync(out, lines.join('\n') + '\n');
