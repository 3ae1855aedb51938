/** The ReportService on the real engine: indicators from @leerroutes/indicators over the engine's views and log. */
import { RULE_SETS } from '@leerroutes/domain';
import type { Engine } from '@leerroutes/engine';
import { explainCell, explainLearner, runReport } from '@leerroutes/indicators';
import { rebuild } from '@leerroutes/projection-runtime';
import { defaultProjections } from '@leerroutes/projections';
import { cachedPathwaySource } from './cached-source.js';
import type { CohortList, ReportService } from './service.js';

export function engineService(engine: Engine): ReportService {
  const pathways = cachedPathwaySource(engine.pathways);
  const deps = { pathways, store: engine.store };
  return {
    report: (request) => runReport(request, deps),
    explainCell: (request, cell) => explainCell(request, cell, deps),
    learner: async (learnerId, options) => (await explainLearner(learnerId, deps, options)) as object | null,
    checkpoint: () => pathways.checkpoint(),
    head: () => engine.store.headPosition(),
    async cohorts(): Promise<CohortList> {
      const advice = new Map<string, Set<string>>(Object.keys(RULE_SETS).map((r) => [r, new Set()]));
      const intake = new Set<string>();
      for await (const batch of pathways.allPathways(2000)) {
        for (const p of batch) {
          for (const [rules, cohort] of Object.entries(p.adviceCohort)) if (cohort) (advice.get(rules) ?? advice.set(rules, new Set()).get(rules)!).add(cohort);
          if (p.intakeCohort) intake.add(p.intakeCohort);
        }
      }
      return { advice: Object.fromEntries([...advice].map(([r, s]) => [r, [...s].sort()])), intake: [...intake].sort() };
    },
    ruleSets: () => Object.values(RULE_SETS).map((r) => ({ name: r.name, version: r.version })),
    importDirectory: (dir, options) => engine.importDirectory(dir, options),
    rebuild: () => rebuild({ store: engine.store, views: engine.views, projections: defaultProjections() }),
  };
}
