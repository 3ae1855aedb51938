/**
 * One benchmark step in its own process, so its peak RSS is a whole-process
 * figure. Prints `RESULT {json}` as its last line.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { StreamAppend } from '@leerroutes/event-store';
import { openSqliteEventStore } from '@leerroutes/event-store/sqlite';
import { importDirectory } from '@leerroutes/import';
import { openEngine } from '@leerroutes/engine';
import { INDICATORS, runReport, type ReportRequest } from '@leerroutes/indicators';
import { openDuckDbViews, readCurrent, rebuild } from '@leerroutes/projection-runtime';
import { defaultProjections } from '@leerroutes/projections';
import { generatePopulation } from '@leerroutes/synthetic';

const [step, ...args] = process.argv.slice(2);
const arg = (name: string): string => {
  const i = args.indexOf(`--${name}`);
  if (i < 0 || args[i + 1] === undefined) throw new Error(`step ${step}: --${name} is required`);
  return args[i + 1]!;
};
/** The published generation of a views directory (the only one left once a session has published). */
const viewsBytes = (dir: string): number => statSync(join(dir, readCurrent(dir)!)).size;
const rssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);
const seconds = (t0: number) => (performance.now() - t0) / 1000;
const done = (result: Record<string, unknown>): void => {
  process.stdout.write(`RESULT ${JSON.stringify({ ...result, peakRssMiB: rssMiB() })}\n`);
};

async function main(): Promise<void> {
  switch (step) {
    case 'generate': {
      const t0 = performance.now();
      const summary = await generatePopulation({ out: arg('out'), learners: Number(arg('learners')), cohorts: arg('cohorts'), seed: Number(arg('seed')) });
      return done({ seconds: seconds(t0), summary });
    }
    case 'import': {
      const store = openSqliteEventStore({ path: arg('db') });
      const t0 = performance.now();
      const s = await importDirectory({ dir: arg('dir'), store, ledgerPath: arg('db'), knownAt: '2024-11-01' });
      const secs = seconds(t0);
      const rows = s.files.reduce((n, f) => n + f.rows, 0);
      const enrolmentRows = s.files.find((f) => f.file === 'enrollments.csv')?.rows ?? 0;
      await store.close();
      return done({ seconds: secs, rows, enrolmentRows, events: s.eventsAppended, learners: s.learnersRederived, rowsPerSecond: rows / secs, eventsPerSecond: s.eventsAppended / secs, rejected: s.rejected });
    }
    case 'append': {
      // Raw append: the imported events copied into a fresh store, timing only the appends.
      const source = openSqliteEventStore({ path: arg('db') });
      const target = openSqliteEventStore({ path: arg('target') });
      let appendSeconds = 0;
      let events = 0;
      for await (const batch of source.readAll({ batchSize: 10_000 })) {
        const byStream = new Map<string, StreamAppend>();
        for (const e of batch) {
          const a = byStream.get(e.stream) ?? { stream: e.stream, expectedRevision: 'any' as const, events: [] };
          (a.events as unknown[]).push({ eventId: e.eventId, type: e.type, schemaVersion: e.schemaVersion, data: e.data, occurredOn: e.occurredOn, knownAt: e.knownAt, metadata: e.metadata });
          byStream.set(e.stream, a);
        }
        const t0 = performance.now();
        const r = await target.appendToStreams([...byStream.values()]);
        appendSeconds += seconds(t0);
        if (E.isLeft(r)) throw new Error(JSON.stringify(r.left));
        events += batch.length;
      }
      await source.close();
      await target.close();
      return done({ seconds: appendSeconds, events, eventsPerSecond: events / appendSeconds });
    }
    case 'scan': {
      // The floor: read every event and parse its JSON, nothing else.
      const store = openSqliteEventStore({ path: arg('db') });
      const t0 = performance.now();
      let events = 0;
      let checksum = 0;
      for await (const batch of store.readAll({ batchSize: 5_000 })) {
        events += batch.length;
        for (const e of batch) checksum += (e.data as object) ? 1 : 0;
      }
      const secs = seconds(t0);
      await store.close();
      return done({ seconds: secs, events, eventsPerSecond: events / secs, checksum });
    }
    case 'rebuild': {
      const store = openSqliteEventStore({ path: arg('db') });
      const views = await openDuckDbViews(arg('views'));
      const t0 = performance.now();
      const r = await rebuild({ store, views, projections: defaultProjections() });
      const secs = seconds(t0);
      await views.close();
      await store.close();
      return done({ seconds: secs, events: r.events, eventsPerSecond: r.events / secs, viewsBytes: viewsBytes(arg('views')) });
    }
    case 'report': {
      // Load: what every report of the cohort needs first, read from the views
      // into the engine's per-checkpoint cache (cohort, reference data, covered
      // dates). Cold: each indicator's first call, computed from that cache.
      // Warm: the same request again, remembered while the checkpoint stands.
      const engine = await openEngine({ db: arg('db'), views: arg('views') });
      const calls = Number(arg('calls'));
      const cohort = arg('cohort');
      const deps = { pathways: engine.pathways, store: engine.store };
      const tLoad = performance.now();
      const [cohortRows] = await Promise.all([
        engine.pathways.cohortReportingPathways?.('advice', 'monitor', cohort) ?? engine.pathways.cohortPathways('advice', 'monitor', cohort),
        engine.pathways.referenceData(),
        engine.pathways.coveredReferenceDates?.(),
      ]);
      const cohortLoadMs = performance.now() - tLoad;
      const out: Record<string, { coldMs: number; medianMs: number; p95Ms: number; rows: number }> = {};
      for (const indicator of INDICATORS) {
        const request: ReportRequest = { indicator, cohortType: 'advice', cohort, rules: 'monitor', by: ['parental_education'] };
        const t0 = performance.now();
        const rows = (await runReport(request, deps)).rows.length;
        const coldMs = performance.now() - t0;
        const times: number[] = [];
        for (let i = 0; i < calls; i++) {
          const t1 = performance.now();
          await runReport(request, deps);
          times.push(performance.now() - t1);
        }
        times.sort((a, b) => a - b);
        out[indicator] = { coldMs, medianMs: times[Math.floor(times.length / 2)]!, p95Ms: times[Math.min(times.length - 1, Math.ceil(times.length * 0.95) - 1)]!, rows };
      }
      await engine.close();
      return done({ calls, cohort, learners: cohortRows.length, cohortLoadMs, indicators: out });
    }
    case 'as-known-on': {
      const engine = await openEngine({ db: arg('db'), views: arg('views') });
      const t0 = performance.now();
      const report = await runReport(
        { indicator: 'advice-position', cohortType: 'advice', cohort: arg('cohort'), rules: 'monitor', by: [], asKnownOn: '2030-01-01' },
        { pathways: engine.pathways, store: engine.store },
      );
      const secs = seconds(t0);
      const learners = report.rows.reduce((n, r) => Math.max(n, r.denominator ?? 0), 0);
      await engine.close();
      return done({ seconds: secs, rows: report.rows.length, yearThreeLearners: learners });
    }
    default:
      throw new Error(`unknown step '${step}'`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
