/**
 * Exports for analysts, as files R, Python and DuckDB read without options:
 * Parquet (typed: dates as DATE, whole numbers as INTEGER) or CSV with a
 * header. The one place the CLI (`pathways export`) and the HTTP API
 * (`GET /api/exports/...`) write them.
 *
 * - events: the learner streams of the log, one row per event;
 * - person-period: one row per cohort member and reference date, with the
 *   distribution indicator's state and the member's breakdown values;
 * - spells: runs of one state in person-period (TraMineR's SPELL format);
 * - report: an indicator's report (suppressed as the report is).
 *
 * person-period and spells are SQL over the statistics views: on DuckDB
 * views copied to the file in one statement, on PostgreSQL views streamed
 * through a cursor (a server-side COPY would write on the database's
 * machine); events, reports and streamed rows go through a scratch file
 * that DuckDB copies into the export.
 */
import {
  PERSON_PERIOD_COLUMNS, SPELL_COLUMNS, personPeriodSelect, spellSelect,
  type ExportColumn, type Report, type StatisticsSource,
} from '@leerroutes/indicators';
import type { EventStore } from '@leerroutes/event-store';
import { EVENT_COLUMNS, eventRows } from './events.js';
import type { ExportOptions, ExportSummary, LearnerExportKind, LearnerExportRequest } from './contract.js';
import { copySelect, selectedRows, writeRows } from './file.js';
import { reportTable } from './report.js';

export { EVENT_COLUMNS, streamRows } from './events.js';
export * from './contract.js';
export { reportTable } from './report.js';

export interface ExportDeps {
  readonly store: EventStore;
  /** The statistics views, one published state per export. */
  readonly statistics: StatisticsSource;
  /** What the views are held in: DuckDB copies a select to a file itself. */
  readonly views: 'duckdb' | 'postgres';
}

/** Columns of a learner-level export, for documentation and for checking a file. */
export const columnsOf = (kind: LearnerExportKind): readonly ExportColumn[] =>
  kind === 'events' ? EVENT_COLUMNS : kind === 'person-period' ? PERSON_PERIOD_COLUMNS : SPELL_COLUMNS;

export async function exportLearnerData(deps: ExportDeps, request: LearnerExportRequest, options: ExportOptions): Promise<ExportSummary> {
  const { format, out, onProgress, onStep } = options;
  const writing = `writing the ${format === 'parquet' ? 'Parquet' : 'CSV'} file`;
  if (request.kind === 'events') {
    const position = await deps.store.headPosition();
    const written = await writeRows(EVENT_COLUMNS, eventRows(deps.store, {
      until: position,
      ...(request.asKnownOn !== undefined ? { asKnownOn: request.asKnownOn } : {}),
      ...(onProgress ? { onProgress: (done: number, total: number) => onProgress(done, total, 'learners') } : {}),
    }), format, out, { learners: options.listLearners === true, ...(onStep ? { onCopy: () => onStep(writing) } : {}) });
    return { kind: 'events', format, out, ...written, columns: EVENT_COLUMNS, position };
  }
  const { kind, period } = request;
  onStep?.(`${writing} from the views`);
  const { written, position } = await deps.statistics.snapshot(async (db) => {
    const select = kind === 'person-period' ? await personPeriodSelect(period, db) : await spellSelect(period, db);
    const learners = options.listLearners === true;
    const written = deps.views === 'duckdb'
      ? await copySelect(db, select, format, out, { learners })
      : await writeRows(columnsOf(kind), selectedRows(db, select, columnsOf(kind)), format, out, { learners });
    return { written, position: await deps.statistics.checkpoint(db) };
  });
  return { kind, format, out, ...written, columns: columnsOf(kind), position };
}

/** A report (as the caller read it: suppressed or not) as a file. */
export async function writeReport(report: Report, options: Pick<ExportOptions, 'format' | 'out'>): Promise<ExportSummary> {
  const table = reportTable(report);
  const { rows } = await writeRows(table.columns, [table.rows], options.format, options.out);
  const position = report.source.kind === 'views' ? report.source.checkpoint : report.source.head;
  return { kind: 'report', format: options.format, out: options.out, rows, columns: table.columns, position };
}
