/**
 * The report contract shared by the CLI, the HTTP API and the dashboard:
 * long format, one row per group, offset or school year, and category.
 */
export const INDICATORS = [
  'advice-position', 'outcome', 'streams', 'distribution', 'transitions',
  'onderbouwsnelheid', 'bovenbouwsucces', 'early-leavers', 'stacked-routes', 'flows',
] as const;
export type Indicator = (typeof INDICATORS)[number];

/** Breakdown dimensions. `area` may name a hierarchy depth: `area:0` is the root, plain `area` the learner's own area. */
export const DIMENSIONS = [
  'pupil_weight', 'parental_education', 'gender', 'migration_background', 'area',
  'po_school', 'vo_school', 'board', 'advice',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface ReportRequest {
  readonly indicator: Indicator;
  readonly cohortType: 'advice' | 'intake';
  /** School year naming the cohort (2011-2012); null only for early-leavers over everyone. */
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

export interface ReportRow {
  /** Breakdown values by dimension name as requested (e.g. { 'area:2': 'GM0599', gender: 'f' }); {} without breakdown. */
  readonly group: Readonly<Record<string, string>>;
  /** Offset from the cohort's start year, where the indicator has one. */
  readonly offset: number | null;
  /** School year, for indicators per school year (onderbouwsnelheid, bovenbouwsucces, early-leavers). */
  readonly schoolYear: string | null;
  /** For transitions and flows: the edge's ends; category is then `${from} -> ${to}`. */
  readonly from?: string;
  readonly to?: string;
  readonly category: string;
  /** null when suppressed. */
  readonly count: number | null;
  readonly denominator: number | null;
  /** 0..100 with one decimal; null when suppressed or the denominator is not above the threshold. */
  readonly percent: number | null;
  readonly suppressed: boolean;
}

export interface Report {
  readonly request: ReportRequest;
  readonly ruleSet: { readonly name: string; readonly version: number };
  readonly rows: readonly ReportRow[];
  /** Where the numbers came from: the live views at a checkpoint, or a replay of the log. */
  readonly source:
    | { readonly kind: 'views'; readonly checkpoint: number }
    /** asKnownOn is `latest` when only asOfSchoolYear was asked. */
    | { readonly kind: 'log'; readonly asKnownOn: string; readonly head: number; readonly asOfSchoolYear?: string };
  readonly minCell: number;
  readonly suppressed: boolean;
}
