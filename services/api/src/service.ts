/**
 * What the HTTP layer needs from the engine. Kept narrow so that the handlers
 * can be tested against an in-memory fake as well as the real engine
 * (`engineService`), and so that the server never reaches into the store.
 */
import type { Report, ReportRequest } from '@leerroutes/indicators';

export interface CellRef {
  readonly group: Readonly<Record<string, string>>;
  readonly offset: number | null;
  readonly schoolYear: string | null;
  readonly category: string;
}

export interface CohortList {
  /** Advice cohorts depend on the rule set (its reference advice). */
  readonly advice: Readonly<Record<string, readonly string[]>>;
  readonly intake: readonly string[];
}

export interface ReportService {
  report(request: ReportRequest): Promise<Report>;
  explainCell(request: ReportRequest, cell: CellRef): Promise<{ learnerIds: string[] }>;
  /** The learner's pathway with the classifications explained; null when unknown. */
  learner(learnerId: string, options: { asKnownOn?: string }): Promise<object | null>;
  /** Store position the live views reflect. */
  checkpoint(): Promise<number>;
  /** Newest position in the log. */
  head(): Promise<number>;
  cohorts(): Promise<CohortList>;
  ruleSets(): readonly { name: string; version: number }[];
  importDirectory(dir: string, options: { knownAt?: string }): Promise<unknown>;
  rebuild(): Promise<unknown>;
}

/** Errors a service reports about the request rather than itself (mirrors ReportError of @leerroutes/indicators). */
export class ServiceError extends Error {
  constructor(readonly code: 'bad-request' | 'not-found', message: string) { super(message); }
}

export const requestErrorCode = (err: unknown): 'bad-request' | 'not-found' | null => {
  if (!(err instanceof Error)) return null;
  const code = (err as { code?: unknown }).code;
  return code === 'bad-request' || code === 'not-found' ? code : null;
};
