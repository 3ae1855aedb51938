import { ruleSetNamed } from '@leerroutes/domain';
import { cohortOf } from './derive.js';
import type { Pathway, PathwaySource, ReferenceData } from './types.js';
import { emptyReferenceData } from './reference-data.js';

/** The covered reference dates of a population: every date on which some learner has a row. */
export function coveredDatesOf(pathways: Iterable<Pick<Pathway, 'timeline'>>): string[] {
  const dates = new Set<string>();
  for (const p of pathways) for (const r of p.timeline) dates.add(r.referenceDate);
  return [...dates].sort();
}

/** A PathwaySource over pathways in memory: tests, and as-known-on replays of the log. */
export function createMemoryPathwaySource(
  pathways: readonly Pathway[],
  options: { referenceData?: ReferenceData; checkpoint?: number; coveredReferenceDates?: readonly string[] } = {},
): PathwaySource {
  const byId = new Map(pathways.map((p) => [p.learnerId, p]));
  const covered = options.coveredReferenceDates ? [...options.coveredReferenceDates].sort() : coveredDatesOf(pathways);
  return {
    async cohortPathways(cohortType, rules, cohort) {
      const ruleSet = ruleSetNamed(rules);
      return ruleSet ? pathways.filter((p) => cohortOf(p, cohortType, ruleSet) === cohort) : [];
    },
    async *allPathways(batchSize = 1000) {
      for (let i = 0; i < pathways.length; i += batchSize) yield pathways.slice(i, i + batchSize);
    },
    async pathway(learnerId) {
      return byId.get(learnerId) ?? null;
    },
    async referenceData() {
      return options.referenceData ?? emptyReferenceData();
    },
    async checkpoint() {
      return options.checkpoint ?? Math.max(0, ...pathways.map((p) => p.lastPosition));
    },
    async coveredReferenceDates() {
      return covered;
    },
  };
}
