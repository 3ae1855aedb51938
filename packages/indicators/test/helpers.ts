import { COVERAGE_STREAM } from '@leerroutes/domain';
import { createMemoryPathwaySource, foldPathway, foldReferenceData, type PathwaySource } from '@leerroutes/pathway';
import type { TestLog } from '@leerroutes/pathway/testing';
import type { EventStore } from '@leerroutes/event-store';
import { openSqliteEventStore } from '@leerroutes/event-store/sqlite';
import { type ReportRequest, type ReportRow } from '../src/index.js';
import { oracleReport } from '../src/oracle/index.js';

/** The test log appended to an in-memory store, as an import would (knownAt at noon of its day). */
export async function storeOf(log: TestLog): Promise<EventStore> {
  const store = openSqliteEventStore({ path: ':memory:' });
  for (const e of log.all) {
    const r = await store.appendToStream(e.stream, [{ eventId: e.eventId, type: e.type, schemaVersion: e.schemaVersion, data: e.data, occurredOn: e.occurredOn, knownAt: `${e.knownAt}T12:00:00.000Z` }]);
    if (r._tag === 'Left') throw new Error(JSON.stringify(r.left));
  }
  return store;
}

/** The views' job done in memory: fold every learner of the log; coverage from its ReferenceDateCovered events, else from the rows. */
export function sourceOf(log: TestLog, asKnownOn?: string): PathwaySource {
  const pathways = log.learnerIds().map((id) => foldPathway(id, log.eventsOf(id, asKnownOn)));
  const covered = log.all.filter((e) => e.stream === COVERAGE_STREAM && (!asKnownOn || e.knownAt.slice(0, 10) <= asKnownOn))
    .map((e) => (e.data as { referenceDate: string }).referenceDate);
  return createMemoryPathwaySource(pathways, {
    referenceData: foldReferenceData(log.referenceEvents(asKnownOn)),
    ...(covered.length ? { coveredReferenceDates: covered } : {}),
  });
}

/** Stores are only used by as-known-on replays and learner explanations; elsewhere any access is a bug. */
export const noStore = new Proxy({}, { get: () => { throw new Error('store not expected here'); } }) as EventStore;

export async function rowsFor(source: PathwaySource, request: Partial<ReportRequest> & Pick<ReportRequest, 'indicator'>): Promise<readonly ReportRow[]> {
  const full: ReportRequest = { cohortType: 'advice', cohort: '2011-2012', rules: 'monitor', by: [], unsuppressed: true, ...request };
  return (await oracleReport(full, { pathways: source, store: noStore })).rows;
}

/** The one row of a cell; fails the test when absent or ambiguous. */
export function cell(rows: readonly ReportRow[], where: { category: string; family?: string; offset?: number | null; schoolYear?: string | null; group?: Record<string, string> }): ReportRow {
  const found = rows.filter((r) =>
    r.category === where.category &&
    (where.family === undefined || r.family === where.family) &&
    (where.offset === undefined || r.offset === where.offset) &&
    (where.schoolYear === undefined || r.schoolYear === where.schoolYear) &&
    JSON.stringify(r.group) === JSON.stringify(where.group ?? {}));
  if (found.length !== 1) throw new Error(`expected one row for ${JSON.stringify(where)}, found ${found.length}`);
  return found[0]!;
}

/** count/denominator of a cell, for compact expectations. */
export const cd = (rows: readonly ReportRow[], where: Parameters<typeof cell>[1]): [number | null, number | null] => {
  const r = cell(rows, where);
  return [r.count, r.denominator];
};
