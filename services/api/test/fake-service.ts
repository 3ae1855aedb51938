/**
 * An in-memory ReportService for testing the HTTP layer alone: it records the
 * requests it gets and answers with rows the test controls.
 */
import { writeFileSync } from 'node:fs';
import type { ExportOptions, ExportSummary, LearnerExportRequest } from '@leerroutes/engine/exports';
import { formatReport, type Report, type ReportRequest, type ReportRow } from '@leerroutes/indicators';
import { ServiceError, type CellRef, type ReportService } from '../src/service.js';

export class FakeService implements ReportService {
  requests: ReportRequest[] = [];
  imports: { dir: string; knownAt?: string }[] = [];
  rebuilds = 0;
  exports: LearnerExportRequest[] = [];
  checkpointValue = 100;
  /** The published state's name: a new one at the same checkpoint is what forgetting an erased learner gives. */
  generationValue = 'gen-000001';
  /** What a suppressed report says publishing could not protect. */
  unprotectedValue = 0;
  headValue = 100;
  rows: (request: ReportRequest) => ReportRow[] = (request) => [
    { group: {}, offset: 3, schoolYear: null, family: 'outcome', category: 'afstroom', count: 40, denominator: 200, percent: 20, suppressed: false, suppression: null },
    { group: {}, offset: 3, schoolYear: null, family: 'outcome', category: 'gelijk', count: 160, denominator: 200, percent: 80, suppressed: false, suppression: null },
    ...(request.by.length ? [{ group: { [request.by[0]!]: 'x' }, offset: 3, schoolYear: null, family: 'outcome', category: 'afstroom', count: null, denominator: null, percent: null, suppressed: true, suppression: 'primary' as const }] : []),
  ];
  learners = new Map<string, object>([['L0001', { learnerId: 'L0001', explanation: ['afstroom: advice havo, year 3 vmbo-t'] }]]);

  async report(request: ReportRequest): Promise<Report> {
    this.requests.push(request);
    if (request.cohort === '1999-2000') throw new ServiceError('not-found', 'no such cohort');
    const minCell = request.minCell ?? 10;
    return {
      request, ruleSet: { name: request.rules, version: 1 }, rows: this.rows(request),
      source: { kind: 'views', checkpoint: this.checkpointValue, ...(request.asKnownOn ? { asKnownOn: request.asKnownOn } : {}) },
      minCell, suppressed: !request.unsuppressed, ...(request.unsuppressed ? {} : { unprotected: this.unprotectedValue }),
    };
  }
  async explainCell(request: ReportRequest, cell: CellRef) {
    this.requests.push(request);
    return { learnerIds: cell.category === 'afstroom' ? ['L0001', 'L0002'] : [] };
  }
  async learner(learnerId: string) { return this.learners.get(learnerId) ?? null; }
  async checkpoint() { return this.checkpointValue; }
  async version() { return `${this.generationValue}@${this.checkpointValue}`; }
  async head() { return this.headValue; }
  async cohorts() { return { advice: { monitor: ['2011-2012'], inspectie: ['2011-2012'] }, intake: ['2012-2013'], leerjaar3: ['2014-2015'] }; }
  async reference() { return { names: { area: { GM0599: 'Rotterdam' }, institution: { '00AA': 'Het Lyceum' } }, schoolYears: ['2011-2012', '2012-2013'] }; }
  ruleSets() { return [{ name: 'monitor', version: 1 }, { name: 'inspectie', version: 1 }]; }
  async importDirectory(dir: string, options: { knownAt?: string }) { this.imports.push({ dir, ...options }); return { files: 1 }; }
  async rebuild() { this.rebuilds++; return { rebuilt: true }; }
  /** A one-row CSV whatever the format asked: the HTTP layer only passes the file on. */
  async exportLearnerData(request: LearnerExportRequest, options: Pick<ExportOptions, 'format' | 'out' | 'listLearners'>): Promise<ExportSummary> {
    this.exports.push(request);
    writeFileSync(options.out, 'learner_id\nL0001\n');
    return {
      kind: request.kind, format: options.format, out: options.out, rows: 1, columns: [{ name: 'learner_id', type: 'VARCHAR', description: 'id' }], position: this.checkpointValue,
      ...(options.listLearners ? { learnerIds: ['L0001'] } : {}),
    };
  }
  async writeReport(report: Report, options: Pick<ExportOptions, 'format' | 'out'>): Promise<ExportSummary> {
    writeFileSync(options.out, formatReport(report, 'csv'));
    return { kind: 'report', format: options.format, out: options.out, rows: report.rows.length, columns: [], position: this.checkpointValue };
  }
}
