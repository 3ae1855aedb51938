/**
 * The report contract shared by the CLI, the HTTP API (and its OpenAPI
 * document) and the dashboard: what can be asked, and the report in long
 * format, one row per group, offset or school year, and category. The zod
 * schemas are the definition; the types are read off them.
 */
import { z } from 'zod';
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

/** Dimensions that follow from the VO school: a table by vo_school holds the tables by these. */
export const SCHOOL_DERIVED = ['board', 'school_group', 'school_weight_group'] as const;

/** How erratic a school's yearly rate is (school-profile's pooled rows): over the published yearly percentages. */
export const SpreadSchema = z.object({
  years: z.number().int().describe('the number of yearly percentages published; min, max and sd are null when there are none'),
  min: z.number().nullable(),
  max: z.number().nullable(),
  sd: z.number().nullable().describe('population standard deviation, one decimal'),
});
export type Spread = z.infer<typeof SpreadSchema>;

/** One row of a report in long format: one group, offset or school year, and category. */
export const ReportRowSchema = z.object({
  group: z.record(z.string(), z.string())
    .describe("breakdown values by dimension name as requested (e.g. { 'area:2': 'GM0599', gender: 'f' }), then the indicator's fixed keys; {} without either"),
  offset: z.number().int().nullable().describe("offset from the cohort's start year, where the indicator has one"),
  schoolYear: z.string().nullable().describe("school year, for the indicators per school year; null on school-profile's pooled rows"),
  from: z.string().optional().describe("for transitions, flows edges and revision pairs: the edge's ends; category is then `from -> to`"),
  to: z.string().optional(),
  family: z.string().describe('the family the category belongs to (outcome, class, repeated, node lj3, attempt, route, ...): categories of one exclusive family add up to the denominator, and two families may share a category name'),
  category: z.string(),
  count: z.number().int().nullable().describe('null when suppressed'),
  denominator: z.number().int().nullable(),
  percent: z.number().nullable().describe('0..100 with one decimal; null when suppressed or the denominator is not above the threshold'),
  suppressed: z.boolean(),
  suppression: z.enum(['primary', 'complementary']).nullable()
    .describe('why the count is hidden: primary (1 to minCell-1) or complementary (to protect another cell); null when shown'),
  spread: SpreadSchema.optional().describe("school-profile's pooled rows (schoolYear null): the spread of the yearly percentages"),
});
export type ReportRow = z.infer<typeof ReportRowSchema>;

/** The request as a report echoes it (parsed: lists as lists, numbers as numbers). */
export const ReportRequestEchoSchema = z.object({
  indicator: z.enum(INDICATORS),
  cohortType: z.enum(COHORT_TYPES),
  cohort: z.string().nullable().describe('school year naming the cohort; null only for the per-school-year indicators over everyone'),
  rules: z.string().describe('rule set name (monitor, inspectie)'),
  by: z.array(z.string()).readonly().describe("zero, one or two breakdowns, e.g. ['area:2', 'gender']"),
  asKnownOn: z.string().optional().describe('the edition as known on this date (transaction time)'),
  asOfSchoolYear: z.string().optional().describe('valid time: only facts that occurred by the end of this school year (31 July)'),
  unsuppressed: z.boolean().optional().describe('local operator only: show cells under the threshold'),
  minCell: z.number().int().optional().describe('smallest shown cell; never below 5, default 10'),
}).readonly();
export type ReportRequest = z.infer<typeof ReportRequestEchoSchema>;

export const ReportSchema = z.object({
  request: ReportRequestEchoSchema,
  ruleSet: z.object({ name: z.string(), version: z.number().int() }),
  rows: z.array(ReportRowSchema),
  source: z.union([
    z.object({
      kind: z.literal('views'),
      checkpoint: z.number().int().describe('the log position the views reflected when the report was read'),
      asKnownOn: z.string().optional(),
      asOfSchoolYear: z.string().optional(),
    }).describe('the statistics views at a log position; as known on a date and as of a school year are filters on them'),
    z.object({
      kind: z.literal('log'),
      asKnownOn: z.string().describe('a date, or latest when only asOfSchoolYear was asked'),
      head: z.number().int(),
      asOfSchoolYear: z.string().optional(),
    }).describe('the fold-based test oracle: a replay of the log (never served)'),
  ]).describe('where the numbers came from'),
  minCell: z.number().int(),
  suppressed: z.boolean(),
  unprotected: z.number().int().optional()
    .describe('suppressed reports: small hidden cells (1 to minCell-1 learners) a reader can still work out from this table and the coarser tables it shares margins with (see the indicators README, "The limit"); 0 when every hidden cell is protected'),
  notes: z.array(z.string()).optional()
    .describe('what a reader of the answer should know, such as a cohort the views do not hold (then the rows are empty) with the cohorts they do hold; absent when there is nothing to say'),
});
export type Report = z.infer<typeof ReportSchema>;
