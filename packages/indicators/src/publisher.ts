/**
 * Where the publishing step (publish.ts) runs. It is synchronous JavaScript:
 * settling the lattice of a large table (school-profile by two breakdowns:
 * 117,000 rows at 110,000 learners, seconds national) holds the thread it
 * runs on for all that time. A CLI asking one report does not mind; a server
 * would answer nobody else meanwhile, so it publishes in worker threads
 * (publish-thread.ts) and its event loop stays free for the small requests
 * that make up most of a dashboard's traffic.
 */
import type { Indicator, ReportRequest, ReportRow } from './contract.js';
import { publishChecked } from './publish.js';
import type { CountTable } from './table.js';

/** The rows of a request and how many of their small hidden cells a reader can still work out (publishChecked). */
export interface Published {
  readonly rows: ReportRow[];
  readonly unprotected: number;
}

export interface Publisher {
  /**
   * Publish a count table; `related` holds the count table of every request
   * relatedRequests(request) names, by indicator (counted by the caller,
   * which holds the views: a worker does not).
   */
  publish(request: ReportRequest, table: CountTable, related: ReadonlyMap<Indicator, CountTable>): Promise<Published>;
  close(): Promise<void>;
}

/** publishChecked with its related tables given up front. */
export function publishGiven(request: ReportRequest, table: CountTable, related: ReadonlyMap<Indicator, CountTable>): Promise<Published> {
  return publishChecked(request, table, {
    related: async (r) => {
      const t = related.get(r.indicator);
      if (t === undefined) throw new Error(`publish needs the ${r.indicator} table of a ${request.indicator} request, and was not given it`);
      return t;
    },
  });
}

/** In the calling thread (the CLI, tests, the oracle). */
export const inlinePublisher: Publisher = {
  publish: publishGiven,
  close: async () => undefined,
};
