/**
 * The bench's report set (every indicator by the bench's breakdowns, live and
 * as known on a past date), each request split into its SQL count and its
 * publishing step, with a digest of its rows:
 *   pnpm tsx scripts/bench/report-set.ts --views DIR [--cohort 2013-2014] [--known-on 2023-12-31] [--out FILE] [--same-as FILE] [--only indicator[:dim,dim]] [--threads N]
 * Publishing is single-threaded JS, so its CPU time says what a change
 * saved even while other processes share the machine; wall times are printed
 * too. `--out` keeps the digests and times, `--same-as` compares the digests
 * with a file written before a change and exits 1 on any difference (how a
 * faster publish is shown to give the same rows).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { openDuckDbViews } from '@leerroutes/projection-runtime';
import {
  INDICATORS, distributionOfTransitions, publish, scopeOf, statisticsCountTable as countTable, type CountTable, type ReportRequest,
} from '@leerroutes/indicators';
import { specOf } from './spec.js';

const args = process.argv.slice(2);
const flag = (n: string) => { const i = args.indexOf(`--${n}`); return i >= 0 ? args.splice(i, 2)[1] : undefined; };
const views = flag('views')!;
const cohort = flag('cohort') ?? '2013-2014';
const knownOn = flag('known-on') ?? '2023-12-31';
const out = flag('out');
const sameAs = flag('same-as');
const only = flag('only');
/** DuckDB's threads per query (the views reader's default otherwise). */
const threads = flag('threads');
/** As scripts/bench/step.ts times them. */
const BREAKDOWNS: readonly string[][] = [[], ['parental_education'], ['area:1', 'gender'], ['vo_school'], ['pupil_weight', 'advice']];

interface Timing { scope: string; indicator: string; by: string; sqlMs: number; publishMs: number; publishCpuMs: number; rows: number; digest: string }
const timings: Timing[] = [];
const v = await openDuckDbViews(views, threads ? { readerThreads: Number(threads) } : {});
for (const [scope, extra] of [['live', {}], ['asKnownOn', { asKnownOn: knownOn }]] as const) {
  for (const indicator of INDICATORS) {
    for (const by of BREAKDOWNS) {
      if (only && only !== specOf(indicator, by)) continue;
      const request = { indicator, cohortType: 'advice', cohort, rules: 'monitor', by, ...extra } as ReportRequest;
      await v.reader.snapshot(async (db) => {
        const t0 = performance.now();
        const table = await countTable(request, scopeOf(request, db));
        // The related table as the engine gets it (sql/report.ts relatedTable): transitions derive their distribution.
        const related = async (r: ReportRequest): Promise<CountTable> =>
          (request.indicator === 'transitions' && r.indicator === 'distribution' ? distributionOfTransitions(table) : null) ?? countTable(r, scopeOf(r, db));
        const t1 = performance.now();
        const c0 = process.cpuUsage();
        const rows = await publish(request, table, { related });
        const c1 = process.cpuUsage(c0);
        const t2 = performance.now();
        const digest = createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 16);
        timings.push({ scope, indicator, by: by.join(',') || '-', sqlMs: t1 - t0, publishMs: t2 - t1, publishCpuMs: (c1.user + c1.system) / 1000, rows: rows.length, digest });
      });
    }
  }
}
await v.close();

const q = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] ?? 0; };
for (const scope of ['live', 'asKnownOn']) {
  const t = timings.filter((x) => x.scope === scope);
  if (t.length === 0) continue;
  const line = (name: string, xs: number[]) => `${name} p50 ${q(xs, 0.5).toFixed(1)} p95 ${q(xs, 0.95).toFixed(1)} max ${Math.max(...xs).toFixed(1)}`;
  console.log(`${scope} (${t.length}): ${line('total', t.map((x) => x.sqlMs + x.publishMs))}; ${line('sql', t.map((x) => x.sqlMs))}; ${line('publish cpu', t.map((x) => x.publishCpuMs))}`);
}
for (const t of [...timings].sort((a, b) => b.sqlMs + b.publishMs - (a.sqlMs + a.publishMs)).slice(0, 15)) {
  console.log(`${t.scope.padEnd(9)} ${`${t.indicator} by ${t.by}`.padEnd(45)} sql ${t.sqlMs.toFixed(0).padStart(5)} ms, publish ${t.publishMs.toFixed(0).padStart(5)} ms (cpu ${t.publishCpuMs.toFixed(0).padStart(5)}), ${t.rows} rows`);
}
if (out) writeFileSync(out, JSON.stringify(timings, null, 1));
if (sameAs) {
  const before = new Map((JSON.parse(readFileSync(sameAs, 'utf8')) as Timing[]).map((t) => [`${t.scope} ${t.indicator} ${t.by}`, t.digest]));
  const differ = timings.filter((t) => before.has(`${t.scope} ${t.indicator} ${t.by}`) && before.get(`${t.scope} ${t.indicator} ${t.by}`) !== t.digest);
  const compared = timings.filter((t) => before.has(`${t.scope} ${t.indicator} ${t.by}`)).length;
  console.log(differ.length === 0 ? `same rows as ${sameAs} (${compared} requests)` : `DIFFERENT rows: ${differ.map((t) => `${t.scope} ${t.indicator} ${t.by}`).join('; ')}`);
  if (differ.length > 0 || compared === 0) process.exit(1);
}
