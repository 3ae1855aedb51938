/**
 * CONTRACT STUB (to be implemented): the pure fold of one learner's events into
 * the learner's pathway. Pure: no I/O, no clock.
 */
import type { DomainEvent } from '@leerroutes/domain';

/** A stored event as the fold needs it (a subset of the store's RecordedEvent). */
export interface PathwayInputEvent {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  /** Global store position: breaks ties in valid-time order. */
  readonly position: number;
  readonly occurredOn: string | null;
  readonly knownAt: string;
  readonly data: unknown;
}

/** JSON-serialisable; the full shape is defined by the implementation. */
export interface Pathway {
  readonly learnerId: string;
  /** Advice cohort per rule set name (school year of the reference advice), null if none. */
  readonly adviceCohort: Readonly<Record<string, string | null>>;
  /** Intake cohort: school year of the first VO row with grade 1, null if none. */
  readonly intakeCohort: string | null;
  readonly [key: string]: unknown;
}

/** Fold a learner's events (any order) into the pathway: Retracted applied, valid-time order, ties by position. */
export function foldPathway(learnerId: string, events: readonly PathwayInputEvent[]): Pathway {
  void learnerId; void events;
  throw new Error('foldPathway: not implemented yet');
}

/** Reference data: the area hierarchy and institutions with their board. */
export interface AreaInfo { readonly name: string; readonly parent: string | null }
export interface InstitutionInfo { readonly name: string; readonly board: string | null; readonly municipality: string | null; readonly kind: string | null }
export interface ReferenceData {
  readonly areas: ReadonlyMap<string, AreaInfo>;
  readonly institutions: ReadonlyMap<string, InstitutionInfo>;
}

/**
 * Read access to projected pathways, implemented by the learner-pathway
 * projection's views (and by in-memory sources in tests and as-known-on replays).
 */
export interface PathwaySource {
  /** Learners of one cohort: `advice` cohorts depend on the rule set, `intake` cohorts do not. */
  cohortPathways(cohortType: 'advice' | 'intake', rules: string, cohort: string): Promise<Pathway[]>;
  /** Every learner, in batches (bounded memory). */
  allPathways(batchSize?: number): AsyncIterable<Pathway[]>;
  pathway(learnerId: string): Promise<Pathway | null>;
  referenceData(): Promise<ReferenceData>;
  /** Store position the views reflect. */
  checkpoint(): Promise<number>;
}

export type { DomainEvent };
