/**
 * The report contract shared by the CLI, the HTTP API and the dashboard:
 * long format, one row per group, offset or school year, and category.
 */
import { COHORT_TYPES, type CohortType } from '@leerroutes/pathway';

export { COHORT_TYPES, type CohortType };

export const INDICATORS = [
  'advice-position', 'outcome', 'streams', 'distribution', 'transitions',
  'onderbouwsnelheid', 'bovenbouwsucces', 'early-leavers', 'stacked-routes', 'flows',
  'advice-test', 'advice-revisions', 'time-in-vo', 'after-mbo', 'vmbo-mbo-loss', 'school-profile',
] as const;
export type Indicator = (typeof INDICATORS)[number];

/**
 * Indicators per school year t: they may run without a cohort (over
 * everyone) and may be broken down by `level` (the level of the row on t).
 */
export const PER_YEAR_INDICATORS: readonly Indicator[] = [
  'onderbouwsnelheid', 'bovenbouwsucces', 'early-leavers', 'after-mbo', 'vmbo-mbo-loss', 'school-profile',
];

/** Breakdown dimensions. `area` may name a hierarchy depth: `area:0` is the root, plain `area` the learner's own area. */
export const DIMENSIONS = [
  'pupil_weight', 'parental_education', 'gender', 'migration_background', 'area',
  'po_school', 'vo_school', 'board', 'advice', 'school_group', 'school_weight_group', 'level',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface ReportRequest {
  readonly indicator: Indicator;
  readonly cohortType: CohortType;
  /** School year naming the cohort (2011-2012); null only for the per-school-year indicators over everyone. */
  readonly cohort: string | null;
  /** Rule set name (`monitor`, `inspectie`). */
  readonly rules: string;
  /** Zero, one or two breakdowns, e.g. ['area:2', 'gender']. */
  readonly by: readonly string[];
  /** Replay the log as known on this date (events with knownAt <= date) instead of reading the views. */
  readonly asKnownOn?: string;
  /**
   * Valid time: only facts that occurred by the end of this school year (31 July),
   * e.g. `2016-2017`. Also a replay of the log; combines with asKnownOn.
   */
  readonly asOfSchoolYear?: string;
  /** Local operator only: show cells under the threshold. */
  readonly unsuppressed?: boolean;
  /** Smallest shown cell; never below 5, default 10. */
  readonly minCell?: number;
}

/** How erratic a school's yearly rate is (school-profile's pooled rows): over the published yearly percentages. */
export interface Spread {
  /** The number of yearly percentages published; min, max and sd are null when there are none. */
  readonly years: number;
  readonly min: number | null;
  readonly max: number | null;
  /** Population standard deviation, one decimal. */
  readonly sd: number | null;
}

export interface ReportRow {
  /** Breakdown values by dimension name as requested (e.g. { 'area:2': 'GM0599', gender: 'f' }), then the indicator's fixed keys; {} without either. */
  readonly group: Readonly<Record<string, string>>;
  /** Offset from the cohort's start year, where the indicator has one. */
  readonly offset: number | null;
  /** School year, for the indicators per school year; null on school-profile's pooled rows. */
  readonly schoolYear: string | null;
  /** For transitions, flows edges and revision pairs: the edge's ends; category is then `${from} -> ${to}`. */
  readonly from?: string;
  readonly to?: string;
  /**
   * The family the category belongs to (`outcome`, `class`, `repeated`,
   * `node lj3`, `attempt`, `route`, ...): categories of one exclusive family
   * add up to the denominator, and two families may share a category name
   * (stacked-routes: an attempt kind and a route).
   */
  readonly family: string;
  readonly category: string;
  /** null when suppressed. */
  readonly count: number | null;
  readonly denominator: number | null;
  /** 0..100 with one decimal; null when suppressed or the denominator is not above the threshold. */
  readonly percent: number | null;
  readonly suppressed: boolean;
  /** Why the count is hidden: `primary` (1 to minCell-1) or `complementary` (to protect another cell); null when shown. */
  readonly suppression: 'primary' | 'complementary' | null;
  /** school-profile's pooled rows (schoolYear null): the spread of the yearly percentages. */
  readonly spread?: Spread;
}

export interface Report {
  readonly request: ReportRequest;
  readonly ruleSet: { readonly name: string; readonly version: number };
  readonly rows: readonly ReportRow[];
  /**
   * Where the numbers came from: the views at a log position (as known on a
   * date and as of a school year are filters on them), or - the test oracle
   * only - a replay of the log.
   */
  readonly source:
    | { readonly kind: 'views'; readonly checkpoint: number; readonly asKnownOn?: string; readonly asOfSchoolYear?: string }
    /** asKnownOn is `latest` when only asOfSchoolYear was asked. */
    | { readonly kind: 'log'; readonly asKnownOn: string; readonly head: number; readonly asOfSchoolYear?: string };
  readonly minCell: number;
  readonly suppressed: boolean;
}
