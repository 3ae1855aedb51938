/**
 * A PathwaySource that remembers, per checkpoint of the views, what every
 * report asks again: the cohorts' pathways (whole or their reporting part),
 * the reference data and the covered reference dates (which a source without
 * them can only learn by reading every pathway). When the checkpoint moves,
 * everything is dropped, so an answer is never older than the views it claims
 * to come from. Cohorts are bounded, least recently used going first, by
 * number and by learners: a national cohort of 200,000 learners is about a
 * GiB of reporting pathways on the heap (twice that whole).
 */
import { coveredDatesOf } from './memory-source.js';
import type { CohortType, Pathway, PathwaySource, ReferenceData, ReportingPathway } from './types.js';

export type CachedPathwaySource = PathwaySource & { coveredReferenceDates(): Promise<string[]> };

export interface CacheOptions {
  /** At most this many cohorts (default 12). */
  readonly cohorts?: number;
  /** At most this many learners over the cached cohorts (default 400,000); the newest cohort stays whatever its size. */
  readonly learners?: number;
}

export function cachedPathwaySource(inner: PathwaySource, options: CacheOptions = {}): CachedPathwaySource {
  const maxCohorts = options.cohorts ?? 12;
  const maxLearners = options.learners ?? 400_000;
  let at: number | null = null;
  let cohorts = new Map<string, Promise<Pathway[] | ReportingPathway[]>>();
  /** Learners per loaded entry (an entry still loading counts nothing yet). */
  let sizes = new Map<string, number>();
  let reference: Promise<ReferenceData> | null = null;
  let covered: Promise<string[]> | null = null;

  async function current(): Promise<void> {
    const checkpoint = await inner.checkpoint();
    if (checkpoint !== at) {
      at = checkpoint;
      cohorts = new Map();
      sizes = new Map();
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

  /** One entry per (kind, cohort); only advice cohorts depend on the rule set, so one entry serves both for the others. */
  async function cohortEntry<T extends Pathway[] | ReportingPathway[]>(kind: string, cohortType: CohortType, rules: string, cohort: string, load: () => Promise<T>): Promise<T> {
    await current();
    const key = `${kind}|${cohortType}|${cohortType === 'advice' ? rules : ''}|${cohort}`;
    let hit = cohorts.get(key) as Promise<T> | undefined;
    if (hit) { cohorts.delete(key); cohorts.set(key, hit); return hit; }
    const [map, sized] = [cohorts, sizes];
    hit = forget(load(), () => map.delete(key));
    cohorts.set(key, hit);
    evict(map, sized);
    const loaded = await hit;
    if (map.get(key) === hit) {
      sized.set(key, loaded.length);
      evict(map, sized);
    }
    return loaded;
  }

  /** Least recently used first, never the most recent entry. */
  function evict(map: Map<string, unknown>, sized: Map<string, number>): void {
    let learners = 0;
    for (const n of sized.values()) learners += n;
    while (map.size > 1 && (map.size > maxCohorts || learners > maxLearners)) {
      const oldest = map.keys().next().value!;
      map.delete(oldest);
      learners -= sized.get(oldest) ?? 0;
      sized.delete(oldest);
    }
  }

  const cached: CachedPathwaySource = {
    cohortPathways: (cohortType, rules, cohort) =>
      cohortEntry('whole', cohortType, rules, cohort, () => inner.cohortPathways(cohortType, rules, cohort)),
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
  if (inner.cohortReportingPathways) {
    const reporting = inner.cohortReportingPathways.bind(inner);
    cached.cohortReportingPathways = (cohortType, rules, cohort) =>
      cohortEntry('reporting', cohortType, rules, cohort, () => reporting(cohortType, rules, cohort));
  }
  return cached;
}
