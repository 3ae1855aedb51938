/**
 * "As known on D": the pathways folded from the log's events with knownAt on
 * or before D, computed on demand without touching the live views.
 *
 * The log is read stream by stream (EventStore.readStreams), each learner is
 * folded and let go at once: memory holds one batch of streams, the covered
 * reference dates and the pathways of the cohorts asked for, never the whole
 * log or every pathway, so a national log replays in bounded memory.
 */
import { AREAS_STREAM, INSTITUTIONS_STREAM, learnerIdOfStream, learnerStream } from '@leerroutes/domain';
import type { EventStore, RecordedEvent } from '@leerroutes/event-store';
import { foldPathway, foldReferenceData, type Pathway, type PathwayInputEvent, type PathwaySource, type ReferenceData } from '@leerroutes/pathway';

/** knownAt is an ISO timestamp (or date); known on D means on or before the end of day D. */
export const knownOn = (knownAt: string, date: string): boolean => knownAt.slice(0, 10) <= date;

export const toInput = (e: RecordedEvent): PathwayInputEvent => ({
  eventId: e.eventId, type: e.type, schemaVersion: e.schemaVersion, position: e.position, occurredOn: e.occurredOn, knownAt: e.knownAt, data: e.data,
});

export interface Replay {
  readonly source: PathwaySource;
  readonly head: number;
}

/** One cohort as PathwaySource.cohortPathways names it. */
export interface CohortRef {
  readonly cohortType: 'advice' | 'intake';
  readonly rules: string;
  readonly cohort: string;
}

const cohortKey = (c: CohortRef): string => (c.cohortType === 'intake' ? `intake|${c.cohort}` : `advice|${c.rules}|${c.cohort}`);

const inCohort = (p: Pathway, c: CohortRef): boolean =>
  c.cohortType === 'intake' ? p.intakeCohort === c.cohort : p.adviceCohort[c.rules] === c.cohort;

const STREAM_BATCH = 500;
/** Cohorts kept per replay: a report and a rule-set comparison ask for one or two. */
const COHORTS_KEPT = 2;
/** Replays kept per store while the log does not move: a few dates at most. */
const REPLAYS_KEPT = 3;

interface Filter {
  readonly head: number;
  readonly date: string | null;
  readonly validUntil: string | null;
}

const counts = (f: Filter) => (e: RecordedEvent): boolean =>
  e.position <= f.head
  && (f.date === null || knownOn(e.knownAt, f.date))
  // Events without a valid time always count.
  && (f.validUntil === null || e.occurredOn === null || e.occurredOn <= f.validUntil);

/** Every learner of the log folded as known then, batch by batch; nothing is kept between batches. */
async function* foldedLearners(store: EventStore, f: Filter, batchSize = STREAM_BATCH): AsyncIterable<Pathway[]> {
  const keep = counts(f);
  for await (const streams of store.readStreams({ category: 'learner', batchSize, until: f.head })) {
    const out: Pathway[] = [];
    for (const events of streams) {
      const id = learnerIdOfStream(events[0]!.stream);
      if (id === null) continue;
      const inputs: PathwayInputEvent[] = [];
      for (const e of events) if (keep(e)) inputs.push(toInput(e));
      // A learner none of whose events were known then did not exist yet.
      if (inputs.length > 0) out.push(foldPathway(id, inputs));
    }
    if (out.length > 0) yield out;
  }
}

interface PassResult {
  readonly covered: string[];
  readonly cohorts: Map<string, Pathway[]>;
}

/** One pass over the log: the covered reference dates of everyone, and the pathways of the cohorts asked for. */
async function pass(store: EventStore, f: Filter, wanted: readonly CohortRef[]): Promise<PassResult> {
  const dates = new Set<string>();
  const cohorts = new Map<string, Pathway[]>(wanted.map((c) => [cohortKey(c), []]));
  for await (const batch of foldedLearners(store, f)) {
    for (const p of batch) {
      for (const r of p.timeline) dates.add(r.referenceDate);
      for (const c of wanted) if (inCohort(p, c)) cohorts.get(cohortKey(c))!.push(p);
    }
  }
  return { covered: [...dates].sort(), cohorts };
}

async function referenceDataOf(store: EventStore, f: Filter): Promise<ReferenceData> {
  const keep = counts(f);
  const events = [...(await store.readStream(AREAS_STREAM)), ...(await store.readStream(INSTITUTIONS_STREAM))];
  return foldReferenceData(events.filter(keep).map(toInput));
}

class ReplayState {
  private covered: Promise<string[]> | null = null;
  private reference: Promise<ReferenceData> | null = null;
  private readonly cohorts = new Map<string, Promise<Pathway[]>>();

  constructor(private readonly store: EventStore, readonly filter: Filter) {}

  /** Runs one pass for the cohorts not held yet; the same pass gives the covered dates. */
  prefetch(wanted: readonly CohortRef[]): void {
    const missing = wanted.filter((c, i) => !this.cohorts.has(cohortKey(c)) && wanted.findIndex((d) => cohortKey(d) === cohortKey(c)) === i);
    if (missing.length === 0 && this.covered !== null) return;
    const result = pass(this.store, this.filter, missing);
    const covered = result.then((r) => r.covered);
    this.covered ??= covered;
    const held = new Map<string, Promise<Pathway[]>>();
    for (const c of missing) {
      const key = cohortKey(c);
      const p = result.then((r) => r.cohorts.get(key)!);
      // Whoever asks sees a failure; nobody asking is not an unhandled rejection.
      p.catch(() => undefined);
      held.set(key, p);
      this.cohorts.set(key, p);
      while (this.cohorts.size > Math.max(COHORTS_KEPT, missing.length)) this.cohorts.delete(this.cohorts.keys().next().value!);
    }
    // A failed pass is not remembered, so the next request reads the log again.
    result.catch(() => {
      if (this.covered === covered) this.covered = null;
      for (const [key, p] of held) if (this.cohorts.get(key) === p) this.cohorts.delete(key);
    });
  }

  async cohortPathways(c: CohortRef): Promise<Pathway[]> {
    const key = cohortKey(c);
    if (!this.cohorts.has(key)) this.prefetch([c]);
    return [...(await this.cohorts.get(key)!)];
  }

  async coveredReferenceDates(): Promise<string[]> {
    if (this.covered === null) this.prefetch([]);
    return this.covered!;
  }

  referenceData(): Promise<ReferenceData> {
    if (this.reference === null) {
      const reference = referenceDataOf(this.store, this.filter);
      this.reference = reference;
      reference.catch(() => {
        if (this.reference === reference) this.reference = null;
      });
    }
    return this.reference;
  }

  source(): PathwaySource {
    const { store, filter } = this;
    return {
      cohortPathways: (cohortType, rules, cohort) => this.cohortPathways({ cohortType, rules, cohort }),
      allPathways: (batchSize) => foldedLearners(store, filter, batchSize),
      async pathway(learnerId) {
        const events = (await store.readStream(learnerStream(learnerId))).filter(counts(filter));
        return events.length === 0 ? null : foldPathway(learnerId, events.map(toInput));
      },
      referenceData: () => this.referenceData(),
      checkpoint: async () => filter.head,
      coveredReferenceDates: () => this.coveredReferenceDates(),
    };
  }
}

const cache = new WeakMap<EventStore, Map<string, ReplayState>>();

/**
 * Replay the log with the events known on `date` (null: all) that occurred by
 * `validUntil` (null: any time; events without a valid time always count).
 * `cohorts` names the cohorts the caller is about to ask for, so the first
 * pass over the log folds them along with the covered dates.
 */
export async function replayAsKnownOn(
  store: EventStore, date: string | null, validUntil: string | null = null, cohorts: readonly CohortRef[] = [],
): Promise<Replay> {
  const head = await store.headPosition();
  const perStore = cache.get(store) ?? new Map<string, ReplayState>();
  cache.set(store, perStore);
  const key = `${date ?? ''}|${validUntil ?? ''}`;
  let state = perStore.get(key);
  if (state === undefined || state.filter.head !== head) {
    state = new ReplayState(store, { head, date, validUntil });
    perStore.delete(key);
    if (perStore.size >= REPLAYS_KEPT) perStore.delete(perStore.keys().next().value!);
    perStore.set(key, state);
  }
  state.prefetch(cohorts);
  return { source: state.source(), head };
}
