/**
 * Where a report's time goes:
 *   pnpm tsx scripts/bench/profile-report.ts --views DIR [--cohort 2013-2014] [--known-on D] [--explain] indicator[:dim,dim] ...
 * Prints per request the time of the SQL count (wall and this process's CPU,
 * which DuckDB's threads are part of: steadier on a shared machine) and of
 * the publishing step (wall and CPU; a transitions request's distribution is
 * counted before, outside it), first and second call; with --explain, DuckDB's
 * analysed plan of each count query as an indented tree with rows and time
 * per operator (how a badly chosen hash-join side shows). SHOW_SQL=1 prints
 * the SQL.
 */
import { sql } from 'kysely';
import { openDuckDbViews } from '@leerroutes/projection-runtime';
import { statisticsCountTable as countTable, scopeOf, publish, type ReportRequest } from '@leerroutes/indicators';
import { parseSpec } from './spec.js';

const args = process.argv.slice(2);
const flag = (n: string) => { const i = args.indexOf(`--${n}`); return i >= 0 ? args.splice(i, 2)[1] : undefined; };
const views = flag('views')!;
const cohort = flag('cohort') ?? '2013-2014';
const knownOn = flag('known-on');
const explain = args.includes('--explain') ? (args.splice(args.indexOf('--explain'), 1), true) : false;
const v = await openDuckDbViews(views);
for (const spec of args) {
  const { indicator, by } = parseSpec(spec);
  const request = { indicator, cohortType: 'advice', cohort, rules: 'monitor', by, ...(knownOn ? { asKnownOn: knownOn } : {}) } as ReportRequest;
  for (const round of [1, 2]) {
    await v.reader.snapshot(async (db) => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const table = await countTable(request, scopeOf(request, db));
      const t1 = performance.now();
      const c1 = process.cpuUsage(c0);
      const related = request.indicator === 'transitions' ? await countTable({ ...request, indicator: 'distribution' }, scopeOf(request, db)) : [];
      const t1p = performance.now();
      const c1p = process.cpuUsage();
      const rows = await publish(request, table, { related: async () => related });
      const c2 = process.cpuUsage(c1p);
      const t2 = performance.now();
      console.log(`${spec} round ${round}: sql ${(t1 - t0).toFixed(1)} ms (cpu ${((c1.user + c1.system) / 1000).toFixed(0)}), publish ${(t2 - t1p).toFixed(1)} ms (cpu ${((c2.user + c2.system) / 1000).toFixed(0)}), ${table.length} instances, ${rows.length} rows`);
    });
  }
}
await v.close();
if (explain) {
  const { compileUnits } = await import('../../packages/indicators/src/sql/units.js');
  const { coveredDates } = await import('../../packages/indicators/src/sql/scope.js');
  const { maxAreaDepth } = await import('../../packages/indicators/src/sql/dimensions.js');
  const { countQuery } = await import('../../packages/indicators/src/sql/report.js');
  const v2 = await openDuckDbViews(views);
  for (const spec of args) {
    const { indicator, by } = parseSpec(spec);
    const request = { indicator, cohortType: 'advice', cohort, rules: 'monitor', by } as ReportRequest;
    await v2.reader.snapshot(async (db) => {
      const s = scopeOf(request, db);
      const q = sql`${countQuery(compileUnits(request, s, await coveredDates(s), await maxAreaDepth(s)))}`.compile(db);
      if (process.env.SHOW_SQL) console.log(q.sql, q.parameters);
      const text = q.sql.replace(/\$(\d+)/g, (_m: string, n: string) => `'${q.parameters[Number(n) - 1]}'`);
      const r = await sql.raw(`explain (analyze, format json) ${text}`).execute(db);
      const plan = JSON.parse(String(Object.values(r.rows[0] as object)[1]));
      const show = (n: any, depth: number): void => {
        const name = n.operator_name ?? n.operator_type ?? n.name ?? '?';
        const extra = n.extra_info?.Table ?? n.extra_info?.['CTE Name'] ?? '';
        if (name) console.log(`${'  '.repeat(depth)}${name} ${extra} rows=${n.operator_cardinality ?? ''} t=${(n.operator_timing ?? 0).toFixed(3)}`);
        for (const c of n.children ?? []) show(c, depth + 1);
      };
      console.log('total', plan.latency ?? '');
      show(plan, 0);
    });
  }
  await v2.close();
}
