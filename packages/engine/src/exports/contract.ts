/**
 * What can be exported and what an export answers: plain values and types,
 * so a client (the HTTP API's schemas) can name them without loading the
 * engine. The writing is in exports/index.ts.
 */
import type { ExportColumn, PeriodRequest } from '@leerroutes/indicators';

export const EXPORT_FORMATS = ['parquet', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What can be exported; `report` takes an indicator's report request. */
export const EXPORT_KINDS = ['events', 'person-period', 'spells', 'report'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

/** The kinds at learner level (a role that may read learners, audited). */
export const LEARNER_EXPORTS = ['events', 'person-period', 'spells'] as const;
export type LearnerExportKind = (typeof LEARNER_EXPORTS)[number];

export type LearnerExportRequest =
  | { readonly kind: 'events'; readonly asKnownOn?: string }
  | { readonly kind: 'person-period' | 'spells'; readonly period: PeriodRequest };

export interface ExportOptions {
  readonly format: ExportFormat;
  /** The file to write; it appears only once complete. */
  readonly out: string;
  /** Progress of long exports: done of total, in `unit`s. */
  readonly onProgress?: (done: number, total: number, unit: string) => void;
  /** A step of the export begins ('writing the Parquet file'), for a long step without a count. */
  readonly onStep?: (step: string) => void;
  /** List the learners in the file (ExportSummary.learnerIds), for an audit of who was read. */
  readonly listLearners?: boolean;
}

export interface ExportSummary {
  readonly kind: ExportKind;
  readonly format: ExportFormat;
  readonly out: string;
  readonly rows: number;
  readonly columns: readonly ExportColumn[];
  /** The log position the file reflects: the views' checkpoint, or for events the log's head. */
  readonly position: number;
  /** The distinct learners in a learner-level file, sorted; only when asked for (listLearners). */
  readonly learnerIds?: readonly string[];
}

/** The media type of a format, for HTTP. */
export const MEDIA_TYPES: Readonly<Record<ExportFormat, string>> = {
  parquet: 'application/vnd.apache.parquet',
  csv: 'text/csv; charset=utf-8; header=present',
};
