/** The ReportService on the real engine: every read goes through the engine (packages/engine/src/reads.ts). */
import { RULE_SETS } from '@leerroutes/domain';
import { writeReport, type Engine } from '@leerroutes/engine';
import type { ReportService } from './service.js';

export function engineService(engine: Engine): ReportService {
  return {
    report: (request) => engine.report(request),
    explainCell: (request, cell) => engine.explainCell(request, cell),
    learner: async (learnerId, options) => (await engine.learner(learnerId, options)) as object | null,
    checkpoint: () => engine.checkpoint(),
    version: () => engine.version(),
    head: () => engine.head(),
    cohorts: () => engine.cohorts(),
    reference: () => engine.reference(),
    ruleSets: () => Object.values(RULE_SETS).map((r) => ({ name: r.name, version: r.version })),
    importDirectory: (dir, options) => engine.importDirectory(dir, options),
    rebuild: () => engine.rebuild(),
    exportLearnerData: (request, options) => engine.exportLearnerData(request, options),
    writeReport: (report, options) => writeReport(report, options),
  };
}
