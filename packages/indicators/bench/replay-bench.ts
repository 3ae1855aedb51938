/**
 * Benchmark (not a test): an as-known-on cohort replay against an imported log.
 *   pnpm tsx packages/indicators/bench/replay-bench.ts /tmp/ak20k/p.sqlite 2024-11-01 2014-2015 [readall|read|fold|report]
 * Run under `/usr/bin/time -v` for the peak RSS.
 */
import { openSqliteEventStore } from '@leerroutes/event-store/sqlite';
import { foldPathway } from '@leerroutes/pathway';
import { oracleReport } from '../src/report.js';
import { knownOn, toInput } from '../src/replay.js';

const [path = '/tmp/ak20k/p.sqlite', date = '2024-11-01', cohort = '2014-2015', mode = 'report'] = process.argv.slice(2);
const store = openSqliteEventStore({ path });
const t0 = performance.now();
const mb = () => `${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB rss, ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MiB heap`;
if (mode === 'readall') {
  let events = 0;
  for await (const batch of store.readAll({ batchSize: 5000 })) events += batch.length;
  console.log(`readall: ${events} events in ${((performance.now() - t0) / 1000).toFixed(2)} s; ${mb()}`);
} else if (mode === 'read' || mode === 'fold') {
  let streams = 0;
  let events = 0;
  for await (const batch of store.readStreams({ category: 'learner', batchSize: 500 })) {
    for (const s of batch) {
      streams += 1;
      events += s.length;
      if (mode === 'fold') foldPathway(s[0]!.stream.slice(8), s.filter((e) => knownOn(e.knownAt, date)).map(toInput));
    }
  }
  console.log(`${mode}: ${streams} streams, ${events} events in ${((performance.now() - t0) / 1000).toFixed(2)} s; ${mb()}`);
} else {
  // cold: the first request of a date reads the whole log (population index) then the cohort;
  // warm: another cohort as known on the same date reads only that cohort's streams.
  const deps = { store, pathways: null as never };
  const ask = (c: string) => oracleReport({ indicator: 'advice-position', cohortType: 'advice', rules: 'monitor', cohort: c, by: [], asKnownOn: date } as never, deps);
  let t = performance.now();
  const cold = await ask(cohort);
  console.log(`cold report (index + cohort): n=${cold.rows[0]?.denominator} in ${((performance.now() - t) / 1000).toFixed(2)} s; ${mb()}`);
  const other = `${Number(cohort.slice(0, 4)) - 1}-${cohort.slice(0, 4)}`;
  t = performance.now();
  const warm = await ask(other);
  console.log(`warm report (cohort ${other} only): n=${warm.rows[0]?.denominator} in ${((performance.now() - t) / 1000).toFixed(2)} s; ${mb()}`);
}
await store.close();
