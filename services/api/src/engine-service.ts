/** The ReportService on the real engine: indicators from @leerroutes/indicators over the engine's views and log. */
import { RULE_SETS } from '@leerroutes/domain';
import type { Engine } from '@leerroutes/engine';
import { explainCell, explainLearner, runReport } from '@leerroutes/indicators';
import { LEARNER_COHORT } from '@leerroutes/projection-learner-pathway';
import type { CohortList, ReportService } from './service.js';
import type { ReportPool } from './worker-pool.js';

/** With a pool, reports and cell explanations are computed in worker threads; everything else stays here. */
export function engineService(engine: Engine, options: { pool?: ReportPool } = {}): ReportService {
  const { pool } = options;
  // The engine's source already remembers cohorts per checkpoint.
  const pathways = engine.pathways;
  const deps = { pathways, store: engine.store };
  return {
    report: (request) => pool ? pool.report(request) : runReport(request, deps),
    explainCell: (request, cell) => pool ? pool.explainCell(request, cell) : explainCell(request, cell, deps),
    learner: async (learnerId, options) => (await explainLearner(learnerId, deps, options)) as object | null,
    checkpoint: () => pathways.checkpoint(),
    head: () => engine.store.headPosition(),
    async cohorts(): Promise<CohortList> {
      const advice = new Map<string, Set<string>>(Object.keys(RULE_SETS).map((r) => [r, new Set()]));
      const intake = new Set<string>();
      const add = (type: string, rules: string, cohort: string) => {
        if (type === 'intake') intake.add(cohort);
        else (advice.get(rules) ?? advice.set(rules, new Set()).get(rules)!).add(cohort);
      };
      try {
        // The cohort index of the learner-pathway view answers from its primary key, without reading a pathway.
        const rows = await engine.views.reader.db.selectFrom(LEARNER_COHORT).select(['cohort_type', 'rules', 'cohort']).distinct().execute() as { cohort_type: string; rules: string; cohort: string }[];
        for (const r of rows) add(r.cohort_type, r.rules, r.cohort);
      } catch {
        for await (const batch of pathways.allPathways(2000)) {
          for (const p of batch) {
            for (const [rules, cohort] of Object.entries(p.adviceCohort)) if (cohort) add('advice', rules, cohort);
            if (p.intakeCohort) add('intake', '', p.intakeCohort);
          }
        }
      }
      return { advice: Object.fromEntries([...advice].map(([r, s]) => [r, [...s].sort()])), intake: [...intake].sort() };
    },
    ruleSets: () => Object.values(RULE_SETS).map((r) => ({ name: r.name, version: r.version })),
    importDirectory: (dir, options) => engine.importDirectory(dir, options),
    rebuild: () => engine.rebuild(),
  };
}
