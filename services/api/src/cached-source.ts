/**
 * A PathwaySource that remembers, per checkpoint of the views, what every
 * report asks again: the cohorts' pathways, the reference data and the
 * covered reference dates (which the views source can only learn by reading
 * every pathway). When the checkpoint moves, everything is dropped, so an
 * answer is never older than the views it claims to come from.
 */
import { coveredDatesOf, type Pathway, type PathwaySource, type ReferenceData } from '@leerroutes/pathway';

export function cachedPathwaySource(inner: PathwaySource, options: { cohorts?: number } = {}): PathwaySource & { coveredReferenceDates(): Promise<string[]> } {
  const maxCohorts = options.cohorts ?? 12;
  let at: number | null = null;
  let cohorts = new Map<string, Promise<Pathway[]>>();
  let reference: Promise<ReferenceData> | null = null;
  let covered: Promise<string[]> | null = null;

  async function current(): Promise<void> {
    const checkpoint = await inner.checkpoint();
    if (checkpoint !== at) {
      at = checkpoint;
      cohorts = new Map();
      reference = null;
      covered = null;
    }
  }
  const forget = <T>(p: Promise<T>, drop: () => void): Promise<T> => { p.catch(drop); return p; };

  async function scanCovered(): Promise<string[]> {
    if (inner.coveredReferenceDates) return inner.coveredReferenceDates();
    const dates = new Set<string>();
    for await (const batch of inner.allPathways(2000)) for (const d of coveredDatesOf(batch)) dates.add(d);
    return [...dates].sort();
  }

  return {
    async cohortPathways(cohortType, rules, cohort) {
      await current();
      // Intake cohorts do not depend on the rule set: one entry serves both.
      const key = `${cohortType}|${cohortType === 'intake' ? '' : rules}|${cohort}`;
      let hit = cohorts.get(key);
      if (hit) { cohorts.delete(key); cohorts.set(key, hit); return hit; }
      const map = cohorts;
      hit = forget(inner.cohortPathways(cohortType, rules, cohort), () => map.delete(key));
      cohorts.set(key, hit);
      while (cohorts.size > maxCohorts) cohorts.delete(cohorts.keys().next().value!);
      return hit;
    },
    allPathways: (batchSize) => inner.allPathways(batchSize),
    pathway: (learnerId) => inner.pathway(learnerId),
    async referenceData() {
      await current();
      return (reference ??= forget(inner.referenceData(), () => { reference = null; }));
    },
    checkpoint: () => inner.checkpoint(),
    async coveredReferenceDates() {
      await current();
      return (covered ??= forget(scanCovered(), () => { covered = null; }));
    },
  };
}
