/**
 * The report request contract: the parameters every client sends (one zod
 * schema: the CLI's flags, the API's query and its OpenAPI document, the
 * dashboard), and their validation, so all refuse the same input with the
 * same words.
 */
import { ABSOLUTE_MIN_CELL, DEFAULT_MIN_CELL, RULE_SETS, parseIsoDate, parseSchoolYear, ruleSetNamed, type RuleSet } from '@leerroutes/domain';
import * as E from 'fp-ts/lib/Either.js';
import { z } from 'zod';
import { COHORT_TYPES, DIMENSIONS, INDICATORS, PER_YEAR_INDICATORS, type Indicator, type ReportRequest } from './contract.js';

/** The largest threshold a request may ask for (four digits, as the parameter always allowed). */
const MAX_MIN_CELL = 9999;
const WHOLE_NUMBER = /^-?\d+$/;

export class ReportError extends Error {
  constructor(readonly code: 'bad-request' | 'not-found', message: string) {
    super(message);
    this.name = 'ReportError';
  }
}

/** Indicators that may run without a cohort (over everyone): those per school year. */
export const COHORT_OPTIONAL: readonly Indicator[] = PER_YEAR_INDICATORS;

const DIMENSION = /^([a-z_]+)(?::(\d{1,2}))?$/;

export function dimensionError(dim: string): string | null {
  const m = DIMENSION.exec(dim);
  if (!m || !(DIMENSIONS as readonly string[]).includes(m[1]!)) {
    return `unknown dimension '${dim}' (known: ${DIMENSIONS.join(', ')}, and area:N for a level of the area hierarchy)`;
  }
  if (m[2] !== undefined && m[1] !== 'area') return `only area takes a hierarchy depth, got '${dim}'`;
  return null;
}

/** What an indicator refuses of an otherwise valid breakdown, or null. */
export function breakdownError(indicator: Indicator, dims: readonly string[]): string | null {
  if (dims.includes('level') && !PER_YEAR_INDICATORS.includes(indicator)) {
    return `level is a breakdown of the per-school-year indicators only (${PER_YEAR_INDICATORS.join(', ')}), not of ${indicator}`;
  }
  if (dims.filter((d) => d.split(':')[0] === 'area').length > 1) return 'at most one area breakdown (area or area:N)';
  return null;
}

const SCHOOL_YEAR = /^\d{4}-\d{4}$/;
const schoolYear = (what: string) =>
  z.string().refine((y) => SCHOOL_YEAR.test(y) && E.isRight(parseSchoolYear(y)), { message: `${what} must be a school year like 2011-2012` });

/**
 * The parameters of a report request as every client sends them: query
 * parameters of `GET /api/indicators/{indicator}` (and the OpenAPI document
 * made from this schema), the flags of `pathways report` (kebab-case:
 * `cohortType` is `--cohort-type`), the dashboard's requests. All strings on
 * the wire; parseReportRequest turns them into a ReportRequest.
 */
export const ReportParamsSchema = z.strictObject({
  cohortType: z.enum(COHORT_TYPES, { message: `cohort type must be one of ${COHORT_TYPES.join(', ')}` }).optional()
    .describe('cohorts by the school year of the advice (default), of the intake in VO (leerjaar 1) or of VO leerjaar 3'),
  cohort: schoolYear('cohort').optional()
    .describe(`the cohort, by school year (2011-2012); ${COHORT_OPTIONAL.join(', ')} run over everyone without it`),
  rules: z.string().optional().describe(`rule set: ${Object.keys(RULE_SETS).join(', ')} (default monitor)`),
  by: z.string().optional()
    .describe(`up to two breakdowns, comma separated: ${DIMENSIONS.join(', ')}; area:N for depth N of the area hierarchy`),
  asKnownOn: z.string().refine((d) => E.isRight(parseIsoDate(d)), { message: 'as-known-on must be a date like 2017-06-01' }).optional()
    .describe('the edition as known on this date: only what the log knew by then (transaction time)'),
  asOf: schoolYear('as-of').optional()
    .describe('valid time: only facts that occurred by the end of this school year (31 July); combines with asKnownOn'),
  // One message per mistake: '-1' is a whole number below the floor, 'ten' is not a number at all.
  minCell: z.string().regex(WHOLE_NUMBER, 'min cell must be a whole number')
    .refine((n) => !WHOLE_NUMBER.test(n) || Number(n) >= ABSOLUTE_MIN_CELL, { message: `min cell is never below ${ABSOLUTE_MIN_CELL}` })
    .refine((n) => !WHOLE_NUMBER.test(n) || Number(n) <= MAX_MIN_CELL, { message: `min cell is at most ${MAX_MIN_CELL}` }).optional()
    .describe(`suppress cells of fewer than N learners (default ${DEFAULT_MIN_CELL}, never below ${ABSOLUTE_MIN_CELL})`),
  unsuppressed: z.enum(['true', 'false']).optional().describe('show the cells under the threshold too (local operator, or the engineer role)'),
});
export type ReportParams = z.infer<typeof ReportParamsSchema>;

/** The request a client may also send as code: lists and numbers as well as their wire strings. */
export const ReportRequestSchema = ReportParamsSchema.extend({
  indicator: z.enum(INDICATORS, { message: `indicator must be one of ${INDICATORS.join(', ')}` }),
}).superRefine((r, ctx) => {
  const rules = r.rules ?? 'monitor';
  if (!ruleSetNamed(rules)) ctx.addIssue({ code: 'custom', path: ['rules'], message: `unknown rule set '${rules}' (known: ${Object.keys(RULE_SETS).join(', ')})` });
  const dims = byList(r.by);
  if (dims.length > 2) ctx.addIssue({ code: 'custom', path: ['by'], message: 'at most two breakdown dimensions' });
  for (const d of dims) {
    const err = dimensionError(d);
    if (err) ctx.addIssue({ code: 'custom', path: ['by'], message: err });
  }
  if (new Set(dims).size !== dims.length) ctx.addIssue({ code: 'custom', path: ['by'], message: 'a breakdown dimension is repeated' });
  if (r.cohort === undefined && !COHORT_OPTIONAL.includes(r.indicator)) {
    ctx.addIssue({ code: 'custom', path: ['cohort'], message: `${r.indicator} needs a cohort (a school year like 2011-2012)` });
  }
  const refused = breakdownError(r.indicator, dims);
  if (refused) ctx.addIssue({ code: 'custom', path: ['by'], message: refused });
});

const byList = (by: string | undefined): string[] => (by ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');

/** Older spellings accepted from code and tests: kebab-case and snake_case keys, asOfSchoolYear. */
const ALIASES: Readonly<Record<string, string>> = {
  'cohort-type': 'cohortType', cohort_type: 'cohortType', 'as-known-on': 'asKnownOn', as_known_on: 'asKnownOn',
  'min-cell': 'minCell', min_cell: 'minCell', 'as-of': 'asOf', as_of: 'asOf', asOfSchoolYear: 'asOf',
};

/** A value as it goes on the wire: lists comma separated, numbers and booleans as text. */
const wire = (v: unknown): unknown =>
  Array.isArray(v) ? v.join(',') : typeof v === 'number' || typeof v === 'boolean' ? String(v) : v === null ? undefined : v;

/** One reason a request was refused, with the parameter it concerns (null: the request as a whole, such as an unknown parameter). */
export class RequestIssue {
  constructor(readonly field: string | null, readonly message: string) {}
  /** The reason as the CLI prints it. */
  toString(): string {
    return this.field !== null && !this.message.includes(this.field) ? `${this.field}: ${this.message}` : this.message;
  }
}

/** Validate a request (wire parameters plus the indicator; kebab-case keys, lists and numbers accepted), every reason at once. */
export function parseReportRequest(input: Record<string, unknown>): E.Either<RequestIssue[], ReportRequest> {
  const normalised: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) if (v !== undefined) normalised[ALIASES[k] ?? k] = wire(v);
  if (normalised['unsuppressed'] === '') normalised['unsuppressed'] = 'true';
  const parsed = ReportRequestSchema.safeParse(normalised);
  if (!parsed.success) return E.left(parsed.error.issues.map((i) => new RequestIssue(i.path.length ? i.path.join('.') : null, i.message)));
  const r = parsed.data;
  const out: ReportRequest = {
    indicator: r.indicator, cohortType: r.cohortType ?? 'advice', cohort: r.cohort ?? null, rules: r.rules ?? 'monitor', by: byList(r.by),
    ...(r.asKnownOn !== undefined ? { asKnownOn: r.asKnownOn } : {}),
    ...(r.asOf !== undefined ? { asOfSchoolYear: r.asOf } : {}),
    ...(r.unsuppressed !== undefined ? { unsuppressed: r.unsuppressed === 'true' } : {}),
    ...(r.minCell !== undefined ? { minCell: Number(r.minCell) } : {}),
  };
  return E.right(out);
}

/**
 * Which learners and which edition a learner-level export (person-period,
 * spells) covers: the members of the cohorts of one type under a rule set
 * (one cohort, or every cohort of the type without `cohort`), as known on a
 * date and as of a school year. The same parameters, words and checks as a
 * report request, less those only an aggregate has (breakdowns, suppression).
 */
export const PeriodParamsSchema = ReportParamsSchema.pick({ cohortType: true, cohort: true, rules: true, asKnownOn: true, asOf: true });
export type PeriodParams = z.infer<typeof PeriodParamsSchema>;

export interface PeriodRequest {
  readonly cohortType: ReportRequest['cohortType'];
  /** One cohort (a school year); null: every cohort of the type. */
  readonly cohort: string | null;
  readonly rules: string;
  readonly asKnownOn?: string;
  readonly asOfSchoolYear?: string;
}

/** Validate a period request (wire parameters; kebab-case keys accepted), every reason at once. */
export function parsePeriodRequest(input: Record<string, unknown>): E.Either<RequestIssue[], PeriodRequest> {
  const normalised: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) if (v !== undefined) normalised[ALIASES[k] ?? k] = wire(v);
  const parsed = PeriodParamsSchema.safeParse(normalised);
  const issues = parsed.success ? [] : parsed.error.issues.map((i) => new RequestIssue(i.path.length ? i.path.join('.') : null, i.message));
  const rules = typeof normalised['rules'] === 'string' ? normalised['rules'] : 'monitor';
  if (!ruleSetNamed(rules)) issues.push(new RequestIssue('rules', `unknown rule set '${rules}' (known: ${Object.keys(RULE_SETS).join(', ')})`));
  if (!parsed.success || issues.length > 0) return E.left(issues);
  const r = parsed.data;
  return E.right({
    cohortType: r.cohortType ?? 'advice', cohort: r.cohort ?? null, rules,
    ...(r.asKnownOn !== undefined ? { asKnownOn: r.asKnownOn } : {}),
    ...(r.asOf !== undefined ? { asOfSchoolYear: r.asOf } : {}),
  });
}

/** A request as wire parameters (the inverse of parseReportRequest, for links and for checking a typed request). */
export function paramsOf(request: ReportRequest): ReportParams & { indicator: string } {
  return {
    indicator: request.indicator, cohortType: request.cohortType, rules: request.rules,
    ...(request.cohort !== null ? { cohort: request.cohort } : {}),
    ...(request.by.length > 0 ? { by: request.by.join(',') } : {}),
    ...(request.asKnownOn !== undefined ? { asKnownOn: request.asKnownOn } : {}),
    ...(request.asOfSchoolYear !== undefined ? { asOf: request.asOfSchoolYear } : {}),
    ...(request.minCell !== undefined ? { minCell: String(request.minCell) } : {}),
    ...(request.unsuppressed !== undefined ? { unsuppressed: String(request.unsuppressed) as 'true' | 'false' } : {}),
  };
}

/** Check a typed request once more (callers may build it by hand); throws ReportError. */
export function checkRequest(request: ReportRequest): RuleSet {
  if (!(INDICATORS as readonly string[]).includes(request.indicator)) throw new ReportError('not-found', `unknown indicator '${request.indicator}'`);
  const rules = ruleSetNamed(request.rules);
  if (!rules) throw new ReportError('not-found', `unknown rule set '${request.rules}'`);
  const parsed = parseReportRequest(paramsOf(request));
  if (E.isLeft(parsed)) throw new ReportError('bad-request', parsed.left.join('; '));
  return rules;
}
