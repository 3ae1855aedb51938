import type { Enrolment, LevelRef, Sector } from '@leerroutes/domain';

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

/** An event behind a fact, so every classification can name its evidence. */
export interface EventRef {
  readonly eventId: string;
  readonly type: string;
  readonly occurredOn: string;
}

/** The learner's enrolment on one reference date (one row of the yearly count). */
export interface TimelineRow extends Enrolment {
  readonly schoolYear: string;
  /** Every enrolment event of that yearly step (a switch, a level change and a promotion may come together). */
  readonly events: readonly EventRef[];
}

export interface BackgroundRecord {
  readonly validFrom: string;
  readonly pupilWeight: number | null;
  readonly parentalEducation: string | null;
  readonly migrationBackground: string | null;
  readonly area: { readonly code: string; readonly parents: readonly string[] } | null;
  readonly eventId: string;
}

export interface AdviceRecord {
  readonly eventId: string;
  readonly type: 'AdviceGiven' | 'AdviceRevised';
  readonly kind: 'provisional' | 'final' | 'revised';
  /** The advised level (for a revision: the level revised to). */
  readonly level: LevelRef;
  /** For a revision: the level revised from. */
  readonly from: LevelRef | null;
  /** A revision downward: accepted but flagged (by law revisions only go up). */
  readonly downward: boolean;
  readonly reason: string | null;
  readonly poSchool: string;
  readonly occurredOn: string;
  readonly schoolYear: string;
}

export interface DiplomaRecord {
  readonly eventId: string;
  readonly level: string;
  readonly institution: string;
  readonly programme: string | null;
  readonly occurredOn: string;
  readonly schoolYear: string;
}

export interface LeftRecord {
  readonly eventId: string;
  readonly occurredOn: string;
  readonly schoolYear: string;
  readonly withStartkwalificatie: boolean;
}

/** One classified fact under one rule set, with the rule in words and the events behind it. */
export interface ClassificationRecord {
  readonly subject: 'advice-position' | 'outcome' | 'step';
  readonly category: string;
  /** Reference date of the (earlier) row, for steps and the year-3 position. */
  readonly referenceDate: string | null;
  /** The rule in words; left out of the stored pathway (explain derives it again) to keep the views small. */
  readonly rule?: string;
  readonly eventIds: readonly string[];
}

export interface PathwaySummary {
  /** Diploma levels then the final enrolment, e.g. `vmbo-t > havo > hbo`; `none` without either. */
  readonly route: string;
  /** The learner made at least one stacking attempt (a diploma followed by enrolment at a higher level). */
  readonly stacked: boolean;
  /** For a stacked route: the last stacking attempt succeeded (a diploma at the stacked level). */
  readonly stackSuccess: boolean | null;
  /** Number of reference dates with a VO row. */
  readonly yearsInVo: number;
  /** VO steps that are repeats under the default rule set (monitor): later grade not higher, level class gelijk, outside stacking. */
  readonly repetitions: number;
  /** Steps (consecutive rows, any sector) with a different institution. */
  readonly switches: number;
  /** State on the newest own row: `vo:<level>`, `mbo-n`, `hbo`, `wo`, `po`, or `left-...` after LeftEducation. */
  readonly currentStatus: string;
  readonly startkwalificatie: boolean;
  /** The latest LeftEducation is without a startkwalificatie and no row follows it. */
  readonly earlyLeaver: boolean;
}

/** JSON-serialisable; the projection stores it whole per learner. */
export interface Pathway {
  readonly learnerId: string;
  /** Advice cohort per rule set name (school year of the reference advice), null if none. */
  readonly adviceCohort: Readonly<Record<string, string | null>>;
  /** Intake cohort: school year of the first VO row, when that row has grade 1; null otherwise. */
  readonly intakeCohort: string | null;
  /** Leerjaar-3 cohort: school year of the earliest VO row in grade 3; null without one. */
  readonly leerjaar3Cohort: string | null;
  readonly registration: { readonly birthMonth: string; readonly gender: string; readonly eventId: string } | null;
  /** Background values by valid-from date, ascending; each record is the full state from that date. */
  readonly background: readonly BackgroundRecord[];
  readonly testScore: { readonly score: number; readonly indicatedLevel: LevelRef | null; readonly eventId: string; readonly occurredOn: string } | null;
  /** Advices and revisions in valid-time order. */
  readonly advices: readonly AdviceRecord[];
  /** Reference advice per rule set name. */
  readonly referenceAdvice: Readonly<Record<string, AdviceRecord | null>>;
  /** One row per reference date, ascending. */
  readonly timeline: readonly TimelineRow[];
  readonly diplomas: readonly DiplomaRecord[];
  readonly left: readonly LeftRecord[];
  readonly reEntered: readonly EventRef[];
  readonly summary: PathwaySummary;
  /** Classifications per rule set name (advice-position, outcome, every VO step), with their event ids; without words. */
  readonly classifications: Readonly<Record<string, readonly ClassificationRecord[]>>;
  /** Highest store position folded in (0 without events). */
  readonly lastPosition: number;
  /** Event ids retracted by a correction in the input (kept for audit; their facts are gone). */
  readonly retractedEventIds: readonly string[];
}

/**
 * What the indicators and their breakdowns read of a pathway: the same values
 * as the whole pathway, without the stored summary, classifications, audit
 * trail and cohort keys. The views keep it apart so a report parses less than
 * half of every learner's pathway.
 */
export type ReportingPathway = Pick<Pathway, 'learnerId' | 'registration' | 'background' | 'advices' | 'timeline' | 'diplomas'>
  /** The end-of-primary test (advice-test); absent in reporting parts stored before it was added, read as no test. */
  & { readonly testScore?: Pathway['testScore'] };

/** The kinds of cohort (SPEC 6): by the reference advice's school year, by intake in VO grade 1, by the first year in VO grade 3. */
export const COHORT_TYPES = ['advice', 'intake', 'leerjaar3'] as const;
export type CohortType = (typeof COHORT_TYPES)[number];

/** Reference data: the area hierarchy, institutions with their board, and named groups of schools. */
export interface AreaInfo { readonly name: string; readonly parent: string | null }
export interface InstitutionInfo { readonly name: string; readonly board: string | null; readonly municipality: string | null; readonly kind: string | null }
/** One institution's membership of a named group (school_groups.csv), valid from..to inclusive (to null: open). */
export interface SchoolGroupMembership { readonly group: string; readonly validFrom: string; readonly validTo: string | null }
export interface ReferenceData {
  readonly areas: ReadonlyMap<string, AreaInfo>;
  readonly institutions: ReadonlyMap<string, InstitutionInfo>;
  /**
   * Memberships by institution. Optional: a source that does not project
   * school groups (yet) has none, and every school is then in no group.
   */
  readonly schoolGroups?: ReadonlyMap<string, readonly SchoolGroupMembership[]>;
}

/**
 * Pathways to count over, for the fold-based oracle of the indicators: an
 * in-memory population in tests, or a replay of the log as known on a date.
 */
export interface PathwaySource {
  /** Learners of one cohort: `advice` cohorts depend on the rule set, `intake` and `leerjaar3` cohorts do not. */
  cohortPathways(cohortType: CohortType, rules: string, cohort: string): Promise<Pathway[]>;
  /**
   * The reporting part of a cohort's pathways (same learners, same order as
   * cohortPathways). Optional: without it the indicators read whole pathways.
   */
  cohortReportingPathways?(cohortType: CohortType, rules: string, cohort: string): Promise<ReportingPathway[]>;
  /** Every learner, in batches (bounded memory). */
  allPathways(batchSize?: number): AsyncIterable<Pathway[]>;
  pathway(learnerId: string): Promise<Pathway | null>;
  referenceData(): Promise<ReferenceData>;
  /** Store position the views reflect. */
  checkpoint(): Promise<number>;
  /**
   * Reference dates on which any learner of the whole population has a row,
   * ascending. Optional: without it the indicators scan allPathways().
   */
  coveredReferenceDates?(): Promise<string[]>;
}
