/**
 * One benchmark step in its own process, so its peak RSS is a whole-process
 * figure. Prints `RESULT {json}` as its last line.
 */
import * as E from 'fp-ts/lib/Either.js';
import { openSqliteEventStore } from '@leerroutes/event-store/sqlite';
import { openEngine } from '@leerroutes/engine';
import { INDICATORS, defaultPublishThreads, type ReportRequest } from '@leerroutes/indicators';
import { generatePopulation } from '@leerroutes/synthetic';
import { appendsOf } from './appends.js';
import { parseSpec } from './spec.js';

/** The breakdowns every indicator is timed under: none, one, two, and the school ones whose suppression lattice is the largest. */
const REPORT_BREAKDOWNS: readonly string[][] = [[], ['parental_education'], ['area:1', 'gender'], ['vo_school'], ['pupil_weight', 'advice']];

const [step, ...args] = process.argv.slice(2);
const arg = (name: string): string => {
  const i = args.indexOf(`--${name}`);
  if (i < 0 || args[i + 1] === undefined) throw new Error(`step ${step}: --${name} is required`);
  return args[i + 1]!;
};
/** --views for the embedded backend; on PostgreSQL the views live in the database. */
const viewsArg = (): { views?: string } => (args.includes('--views') ? { views: arg('views') } : {});
const rssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);
const seconds = (t0: number) => (performance.now() - t0) / 1000;
/**
 * A stopwatch: the seconds since it started and the CPU seconds this whole
 * process used meanwhile (every thread: workers, DuckDB's and V8's own). On
 * two cores a subject using 2x its floor's CPU cannot take less than its
 * floor's time, however well it overlaps.
 */
function stopwatch(): () => { seconds: number; cpuSeconds: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  return () => { const c = process.cpuUsage(c0); return { seconds: seconds(t0), cpuSeconds: (c.user + c.system) / 1e6 }; };
}
const done = (result: Record<string, unknown>): void => {
  process.stdout.write(`RESULT ${JSON.stringify({ ...result, peakRssMiB: rssMiB() })}\n`);
};

async function main(): Promise<void> {
  switch (step) {
    case 'generate': {
      const t0 = performance.now();
      const summary = await generatePopulation({ out: arg('out'), learners: Number(arg('learners')), cohorts: arg('cohorts'), seed: Number(arg('seed')), redelivery: arg('redelivery') });
      return done({ seconds: seconds(t0), summary });
    }
    case 'import': {
      // Through the engine, as `pathways import --no-projections` runs it, on either backend; with --with-views as
      // `pathways import` runs it (the main job: the import, then its views brought up to date).
      const withViews = args.includes('--with-views');
      const engine = await openEngine({ db: arg('db'), ...viewsArg() });
      const watch = stopwatch();
      const { import: s, projections } = await engine.importDirectory(arg('dir'), { knownAt: arg('known-at'), skipProjections: !withViews });
      const { seconds: secs, cpuSeconds: cpu } = watch();
      const rows = s.files.reduce((n, f) => n + f.rows, 0);
      const enrolmentRows = s.files.find((f) => f.file === 'enrollments.csv')?.rows ?? 0;
      await engine.close();
      const views = withViews && projections ? { viewsEvents: projections.events, importSeconds: s.seconds, ...(projections.spans ? { spans: projections.spans } : {}) } : {};
      return done({ seconds: secs, cpuSeconds: cpu, rows, enrolmentRows, events: s.eventsAppended, learners: s.learnersRederived, rowsPerSecond: rows / secs, eventsPerSecond: s.eventsAppended / secs, rejected: s.rejected, ...views });
    }
    case 'append': {
      // Raw append: the imported events copied into a fresh store, timing only the appends.
      const source = openSqliteEventStore({ path: arg('db') });
      const target = openSqliteEventStore({ path: arg('target') });
      let appendSeconds = 0;
      let appendCpu = 0;
      let events = 0;
      for await (const batch of source.readAll({ batchSize: 10_000 })) {
        const appends = appendsOf(batch);
        const watch = stopwatch();
        const r = await target.appendToStreams(appends);
        const took = watch();
        appendSeconds += took.seconds;
        appendCpu += took.cpuSeconds;
        if (E.isLeft(r)) throw new Error(JSON.stringify(r.left));
        events += batch.length;
      }
      await source.close();
      await target.close();
      return done({ seconds: appendSeconds, cpuSeconds: appendCpu, events, eventsPerSecond: events / appendSeconds });
    }
    case 'scan': {
      // The floor: read every event and parse its JSON, nothing else.
      const store = openSqliteEventStore({ path: arg('db') });
      const watch = stopwatch();
      let events = 0;
      let checksum = 0;
      for await (const batch of store.readAll({ batchSize: 5_000 })) {
        events += batch.length;
        for (const e of batch) checksum += (e.data as object) ? 1 : 0;
      }
      const { seconds: secs, cpuSeconds: cpu } = watch();
      await store.close();
      return done({ seconds: secs, cpuSeconds: cpu, events, eventsPerSecond: events / secs, checksum });
    }
    case 'rebuild': {
      const engine = await openEngine({ db: arg('db'), ...viewsArg() });
      const watch = stopwatch();
      // --no-worker: everything in the calling thread, as before the rebuild had its worker thread.
      // --workers N: threads folding in turn (default: the engine's). --no-local-folds: the writer's thread only writes.
      const r = await engine.rebuild({ worker: !args.includes('--no-worker'), ...(args.includes('--workers') ? { workers: Number(arg('workers')) } : {}), ...(args.includes('--no-local-folds') ? { localFolds: false } : {}) });
      const { seconds: secs, cpuSeconds: cpu } = watch();
      const storage = await engine.storage();
      await engine.close();
      return done({ seconds: secs, cpuSeconds: cpu, events: r.events, eventsPerSecond: r.events / secs, viewsBytes: storage.viewsBytes, logBytes: storage.logBytes, ...(r.spans ? { spans: r.spans } : {}) });
    }
    case 'reports': {
      // Every indicator under several breakdowns, live and as known on a past
      // date, each asked once in this process (nothing is cached between requests): what a server answers first
      // after a start or an import (the engine keeps nothing between requests), publishing in threads as it does.
      const tOpen = performance.now();
      const engine = await openEngine({ db: arg('db'), ...viewsArg(), publishThreads: defaultPublishThreads() });
      const cohort = arg('cohort');
      const first = performance.now();
      await engine.report({ indicator: 'advice-position', cohortType: 'advice', cohort, rules: 'monitor', by: [] });
      const firstMs = performance.now() - first;
      const openMs = first - tOpen;
      const scopes: Record<string, Partial<ReportRequest>> = { live: {}, asKnownOn: { asKnownOn: arg('known-on') } };
      const timings: { scope: string; indicator: string; by: string; ms: number; rows: number }[] = [];
      for (const [scope, extra] of Object.entries(scopes)) {
        for (const indicator of INDICATORS) {
          for (const by of REPORT_BREAKDOWNS) {
            const request: ReportRequest = { indicator, cohortType: 'advice', cohort, rules: 'monitor', by, ...extra };
            const t0 = performance.now();
            const report = await engine.report(request);
            timings.push({ scope, indicator, by: by.join(',') || '-', ms: performance.now() - t0, rows: report.rows.length });
          }
        }
      }
      // The peer's three queries, as the DuckDB baseline runs them: first call, then the median of five more.
      const peers: Record<string, { coldMs: number; medianMs: number; rows: number }> = {};
      for (const indicator of ['advice-position', 'outcome', 'streams'] as const) {
        const request: ReportRequest = { indicator, cohortType: 'advice', cohort, rules: 'monitor', by: ['parental_education'] };
        const cold = timings.find((t) => t.scope === 'live' && t.indicator === indicator && t.by === 'parental_education')!;
        const times: number[] = [];
        for (let i = 0; i < 5; i++) {
          const t0 = performance.now();
          await engine.report(request);
          times.push(performance.now() - t0);
        }
        peers[indicator] = { coldMs: cold.ms, medianMs: times.sort((a, b) => a - b)[2]!, rows: cold.rows };
      }
      const learners = (await engine.report({ indicator: 'advice-position', cohortType: 'advice', cohort, rules: 'monitor', by: [], unsuppressed: true }))
        .rows.reduce((n, r) => Math.max(n, r.denominator ?? 0), 0);
      await engine.close();
      return done({ cohort, learners, openMs, firstMs, timings, peers });
    }
    case 'beside': {
      // What other readers of a server wait for while a large table is published: a small report asked over and over
      // while one large report (--heavy indicator[:dim,dim]) is computed, against the same small report alone.
      // --publish-threads 0 publishes in the calling thread (the CLI's way), as every report did before the threads.
      const threads = Number(arg('publish-threads'));
      const engine = await openEngine({ db: arg('db'), ...viewsArg(), publishThreads: threads });
      const cohort = arg('cohort');
      const heavySpec = arg('heavy');
      const small: ReportRequest = { indicator: 'outcome', cohortType: 'advice', cohort, rules: 'monitor', by: [] };
      const heavy = { ...parseSpec(heavySpec), cohortType: 'advice', cohort, rules: 'monitor' } as ReportRequest;
      const timed = async (r: ReportRequest) => { const t0 = performance.now(); await engine.report(r); return performance.now() - t0; };
      await timed(small);
      const alone: number[] = [];
      for (let i = 0; i < 7; i++) alone.push(await timed(small));
      let heavyMs = NaN;
      let finished = false;
      const heavyDone = timed(heavy).then((ms) => { heavyMs = ms; finished = true; });
      const besideMs: number[] = [];
      while (!finished) besideMs.push(await timed(small));
      await heavyDone;
      await engine.close();
      const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
      const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)]!;
      return done({ threads, heavy: heavySpec, small: 'outcome', heavyMs, aloneMedianMs: median(alone), besideRequests: besideMs.length, besideMedianMs: median(besideMs), besideMaxMs: Math.max(...besideMs) });
    }
    default:
      throw new Error(`unknown step '${step}'`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
