/**
 * "As known on D": the pathways folded from the log's events with knownAt on
 * or before D, computed on demand without touching the live views.
 *
 * The log is read stream by stream (EventStore.readStreams) and each learner
 * is folded and let go at once. A replay keeps only the covered reference
 * dates and each cohort's learner ids; a cohort is read back by those ids and
 * handed out in batches. Memory stays at one batch plus a few bytes per
 * learner, never the whole log or every pathway.
 */
import {
  AREAS_STREAM, COVERAGE_STREAM, INSTITUTIONS_STREAM, SCHOOL_GROUPS_STREAM, fromStored, learnerIdOfStream, learnerStream,
} from '@leerroutes/domain';
import type { EventStore, RecordedEvent } from '@leerroutes/event-store';
import { knownOn, toInput } from '../log.js';
import {
  foldPathway, foldReferenceData, type CohortType, type Pathway, type PathwayInputEvent, type PathwaySource, type ReferenceData,
} from '@leerroutes/pathway';

export interface Replay {
  readonly source: ReplaySource;
  readonly head: number;
}

/** One cohort as PathwaySource.cohortPathways names it. */
export interface CohortRef {
  readonly cohortType: CohortType;
  readonly rules: string;
  readonly cohort: string;
}

/** Only advice cohorts depend on the rule set. */
const cohortKey = (c: CohortRef): string => (c.cohortType === 'advice' ? `advice|${c.rules}|${c.cohort}` : `${c.cohortType}|${c.cohort}`);

/** Every cohort a pathway is in: its intake and leerjaar-3 cohorts and its advice cohort under each rule set. */
function cohortKeysOf(p: Pathway): string[] {
  const keys: string[] = [];
  if (p.intakeCohort !== null) keys.push(cohortKey({ cohortType: 'intake', rules: '', cohort: p.intakeCohort }));
  if (p.leerjaar3Cohort !== null) keys.push(cohortKey({ cohortType: 'leerjaar3', rules: '', cohort: p.leerjaar3Cohort }));
  for (const [rules, cohort] of Object.entries(p.adviceCohort)) if (cohort !== null) keys.push(cohortKey({ cohortType: 'advice', rules, cohort }));
  return keys;
}

const STREAM_BATCH = 500;
const COHORT_BATCH = 1000;

interface Filter {
  readonly head: number;
  readonly date: string | null;
  readonly validUntil: string | null;
}

const counts = (f: Filter) => (e: RecordedEvent): boolean =>
  e.position <= f.head
  && (f.date === null || knownOn(e.knownAt, f.date))
  // Events without a valid time always count.
  // A correction is knowledge, not a fact of its own date: it applies as of any school year (README, "As known on, as of").
  && (f.validUntil === null || e.occurredOn === null || e.type === 'Retracted' || e.occurredOn <= f.validUntil);

function foldKnown(learnerId: string, events: readonly RecordedEvent[], keep: (e: RecordedEvent) => boolean): Pathway | null {
  const inputs: PathwayInputEvent[] = [];
  for (const e of events) if (keep(e)) inputs.push(toInput(e));
  // A learner none of whose events were known then did not exist yet.
  return inputs.length === 0 ? null : foldPathway(learnerId, inputs);
}

/** Every learner of the log folded as known then, batch by batch; nothing is kept between batches. */
async function* foldedLearners(store: EventStore, f: Filter, batchSize = STREAM_BATCH): AsyncIterable<Pathway[]> {
  const keep = counts(f);
  for await (const streams of store.readStreams({ category: 'learner', batchSize, until: f.head })) {
    const out: Pathway[] = [];
    for (const events of streams) {
      const id = learnerIdOfStream(events[0]!.stream);
      const p = id === null ? null : foldKnown(id, events, keep);
      if (p !== null) out.push(p);
    }
    if (out.length > 0) yield out;
  }
}

/**
 * What a replay keeps of the whole population: the covered reference dates
 * and, per cohort, its learners' ids (in log order) - a few bytes per learner
 * instead of a folded pathway each.
 */
interface PopulationIndex {
  readonly covered: string[];
  readonly members: ReadonlyMap<string, readonly string[]>;
}

/**
 * Covered reference dates: the import's record of complete counts
 * (ReferenceDateCovered) known then and valid by then.
 */
async function coverageOf(store: EventStore, f: Filter): Promise<string[]> {
  const keep = counts(f);
  const events = (await store.readStream(COVERAGE_STREAM)).filter((e) => e.type === 'ReferenceDateCovered');
  const dates = new Set<string>();
  for (const e of events.filter(keep)) {
    const data = fromStored('ReferenceDateCovered', e.schemaVersion, e.data as Record<string, unknown>).data as { referenceDate: string };
    dates.add(data.referenceDate);
  }
  return [...dates].sort();
}

async function indexPopulation(store: EventStore, f: Filter): Promise<PopulationIndex> {
  const covered = await coverageOf(store, f);
  const members = new Map<string, string[]>();
  for await (const batch of foldedLearners(store, f)) {
    for (const p of batch) {
      for (const key of cohortKeysOf(p)) {
        const ids = members.get(key);
        if (ids) ids.push(p.learnerId);
        else members.set(key, [p.learnerId]);
      }
    }
  }
  return { covered, members };
}

async function referenceDataOf(store: EventStore, f: Filter): Promise<ReferenceData> {
  const keep = counts(f);
  const events = [
    ...(await store.readStream(AREAS_STREAM)), ...(await store.readStream(INSTITUTIONS_STREAM)), ...(await store.readStream(SCHOOL_GROUPS_STREAM)),
  ];
  return foldReferenceData(events.filter(keep).map(toInput));
}

/** A replay's source: cohorts also come in batches, so a report over a large cohort never holds all its pathways. */
export interface ReplaySource extends PathwaySource {
  cohortBatches(cohortType: CohortType, rules: string, cohort: string, batchSize?: number): AsyncIterable<Pathway[]>;
  coveredReferenceDates(): Promise<string[]>;
}

export const isReplaySource = (s: PathwaySource): s is ReplaySource => typeof (s as Partial<ReplaySource>).cohortBatches === 'function';

/** A promise remembered until it fails, so a failed read is tried again next time. */
function remember<T>(get: () => Promise<T> | null, set: (p: Promise<T> | null) => void, make: () => Promise<T>): Promise<T> {
  const held = get();
  if (held !== null) return held;
  const made = make();
  set(made);
  made.catch(() => {
    if (get() === made) set(null);
  });
  return made;
}

class ReplayState {
  private index: Promise<PopulationIndex> | null = null;
  private reference: Promise<ReferenceData> | null = null;

  constructor(private readonly store: EventStore, readonly filter: Filter) {}

  population(): Promise<PopulationIndex> {
    return remember(() => this.index, (p) => (this.index = p), () => indexPopulation(this.store, this.filter));
  }

  referenceData(): Promise<ReferenceData> {
    return remember(() => this.reference, (p) => (this.reference = p), () => referenceDataOf(this.store, this.filter));
  }

  /** The cohort's learners read back stream by stream and folded again, a batch at a time. */
  async *cohortBatches(c: CohortRef, batchSize = COHORT_BATCH): AsyncIterable<Pathway[]> {
    const ids = (await this.population()).members.get(cohortKey(c)) ?? [];
    const keep = counts(this.filter);
    for (let i = 0; i < ids.length; i += batchSize) {
      const out: Pathway[] = [];
      for (const id of ids.slice(i, i + batchSize)) {
        const p = foldKnown(id, await this.store.readStream(learnerStream(id)), keep);
        if (p !== null) out.push(p);
      }
      if (out.length > 0) yield out;
    }
  }

  source(): ReplaySource {
    const { store, filter } = this;
    return {
      cohortBatches: (cohortType, rules, cohort, batchSize) => this.cohortBatches({ cohortType, rules, cohort }, batchSize),
      async cohortPathways(cohortType, rules, cohort) {
        const out: Pathway[] = [];
        for await (const batch of this.cohortBatches(cohortType, rules, cohort)) out.push(...batch);
        return out;
      },
      allPathways: (batchSize) => foldedLearners(store, filter, batchSize),
      async pathway(learnerId) {
        return foldKnown(learnerId, await store.readStream(learnerStream(learnerId)), counts(filter));
      },
      referenceData: () => this.referenceData(),
      checkpoint: async () => filter.head,
      coveredReferenceDates: async () => (await this.population()).covered,
    };
  }
}

/**
 * Replay the log with the events known on `date` (null: all) that occurred by
 * `validUntil` (null: any time; events without a valid time always count).
 * Nothing is kept between calls: a caller replaying several requests over one
 * state keeps the Replay.
 */
export async function replayAsKnownOn(store: EventStore, date: string | null, validUntil: string | null = null): Promise<Replay> {
  const head = await store.headPosition();
  return { source: new ReplayState(store, { head, date, validUntil }).source(), head };
}
