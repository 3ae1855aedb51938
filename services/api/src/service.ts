/**
 * What the HTTP layer needs from the engine. Kept narrow so that the handlers
 * can be tested against an in-memory fake as well as the real engine
 * (`engineService`), and so that the server never reaches into the store.
 */
import type { ExportOptions, ExportSummary, LearnerExportRequest } from '@leerroutes/engine/exports';
import type { CellRef, CohortList, Report, ReportRequest } from '@leerroutes/indicators';

export type { CellRef, CohortList };

/** What a client needs to show codes as names, and the school years an as-of cut can name. */
export interface ReferenceLabels {
  readonly names: { readonly area: Readonly<Record<string, string>>; readonly institution: Readonly<Record<string, string>> };
  readonly schoolYears: readonly string[];
}

export interface ReportService {
  report(request: ReportRequest): Promise<Report>;
  explainCell(request: ReportRequest, cell: CellRef): Promise<{ learnerIds: string[] }>;
  /** The learner's pathway with the classifications explained; null when unknown. */
  learner(learnerId: string, options: { asKnownOn?: string }): Promise<object | null>;
  /** Store position the live views reflect; null before anything was published. */
  checkpoint(): Promise<number | null>;
  /** Which published state of the views answers are read from (engine Reads.version): what the API's cache and ETags are keyed by. */
  version(): Promise<string | null>;
  /** Newest position in the log. */
  head(): Promise<number>;
  cohorts(): Promise<CohortList>;
  ruleSets(): readonly { name: string; version: number }[];
  /** Area and institution names from the reference data, and the covered school years. */
  reference(): Promise<ReferenceLabels>;
  importDirectory(dir: string, options: { knownAt?: string }): Promise<unknown>;
  /** A learner-level export (events, person-period, spells) written to `out`; the caller checks the role and audits the learners in it. */
  exportLearnerData(request: LearnerExportRequest, options: Pick<ExportOptions, 'format' | 'out' | 'listLearners'>): Promise<ExportSummary>;
  /** A report, as the caller read it (suppressed or not), written to `out`. */
  writeReport(report: Report, options: Pick<ExportOptions, 'format' | 'out'>): Promise<ExportSummary>;
  rebuild(): Promise<unknown>;
}

/** Errors a service reports about the request rather than itself (mirrors ReportError of @leerroutes/indicators). */
export class ServiceError extends Error {
  constructor(readonly code: 'bad-request' | 'not-found', message: string) { super(message); }
}

/** How the HTTP layer answers an error a service threw: a request error (4xx), the views not ready (503), or null (a failure: 500). */
export const requestErrorCode = (err: unknown): 'bad-request' | 'not-found' | 'views-not-ready' | null => {
  if (!(err instanceof Error)) return null;
  const code = (err as { code?: unknown }).code;
  return code === 'bad-request' || code === 'not-found' || code === 'views-not-ready' ? code : null;
};
