/**
 * Validation of a report request, shared by the CLI and the HTTP API so both
 * refuse the same input with the same words.
 */
import { ABSOLUTE_MIN_CELL, RULE_SETS, parseIsoDate, parseSchoolYear, ruleSetNamed, type RuleSet } from '@leerroutes/domain';
import * as E from 'fp-ts/lib/Either.js';
import { z } from 'zod';
import { COHORT_TYPES, DIMENSIONS, INDICATORS, PER_YEAR_INDICATORS, type Indicator, type ReportRequest } from './contract.js';

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

const toList = (v: unknown): unknown =>
  typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter((s) => s !== '') : v === undefined || v === null ? [] : v;

const toBool = (v: unknown): unknown => (v === 'true' || v === '1' || v === '' ? true : v === 'false' || v === '0' ? false : v);

const toNumber = (v: unknown): unknown => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v);

export const ReportRequestSchema = z
  .object({
    indicator: z.enum(INDICATORS, { message: `indicator must be one of ${INDICATORS.join(', ')}` }),
    cohortType: z.enum(COHORT_TYPES, { message: `cohort type must be one of ${COHORT_TYPES.join(', ')}` }).default('advice'),
    cohort: z
      .string()
      .nullable()
      .default(null)
      .refine((c) => c === null || E.isRight(parseSchoolYear(c)), { message: 'cohort must be a school year like 2011-2012' }),
    rules: z.string().default('monitor').refine((r) => ruleSetNamed(r) !== undefined, {
      message: `unknown rule set (known: ${Object.keys(RULE_SETS).join(', ')})`,
    }),
    by: z.preprocess(toList, z.array(z.string()).max(2, 'at most two breakdown dimensions'))
      .default([])
      .superRefine((dims, ctx) => {
        for (const d of dims) {
          const err = dimensionError(d);
          if (err) ctx.addIssue({ code: 'custom', message: err });
        }
        if (new Set(dims).size !== dims.length) ctx.addIssue({ code: 'custom', message: 'a breakdown dimension is repeated' });
      }),
    asKnownOn: z
      .string()
      .optional()
      .refine((d) => d === undefined || E.isRight(parseIsoDate(d)), { message: 'as-known-on must be a date like 2017-06-01' }),
    asOfSchoolYear: z
      .string()
      .optional()
      .refine((y) => y === undefined || E.isRight(parseSchoolYear(y)), { message: 'as-of must be a school year like 2016-2017' }),
    unsuppressed: z.preprocess(toBool, z.boolean()).optional(),
    minCell: z.preprocess(toNumber, z.number().int().min(ABSOLUTE_MIN_CELL, `min cell is never below ${ABSOLUTE_MIN_CELL}`)).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.cohort === null && !COHORT_OPTIONAL.includes(r.indicator)) {
      ctx.addIssue({ code: 'custom', path: ['cohort'], message: `${r.indicator} needs a cohort (a school year like 2011-2012)` });
    }
    const refused = breakdownError(r.indicator, r.by);
    if (refused) ctx.addIssue({ code: 'custom', path: ['by'], message: refused });
  });

const ALIASES: Readonly<Record<string, string>> = {
  'cohort-type': 'cohortType', cohort_type: 'cohortType', 'as-known-on': 'asKnownOn', as_known_on: 'asKnownOn',
  'min-cell': 'minCell', min_cell: 'minCell', 'as-of': 'asOfSchoolYear', as_of: 'asOfSchoolYear', asOf: 'asOfSchoolYear',
};

/** Validate raw input (CLI flags or query parameters; kebab-case keys accepted). */
export function parseReportRequest(input: Record<string, unknown>): E.Either<string[], ReportRequest> {
  const normalised: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) if (v !== undefined) normalised[ALIASES[k] ?? k] = v;
  const parsed = ReportRequestSchema.safeParse(normalised);
  if (!parsed.success) return E.left(parsed.error.issues.map((i) => (i.path.length && !i.message.includes(String(i.path[0])) ? `${i.path.join('.')}: ${i.message}` : i.message)));
  const r = parsed.data;
  const out: ReportRequest = {
    indicator: r.indicator, cohortType: r.cohortType, cohort: r.cohort, rules: r.rules, by: r.by,
    ...(r.asKnownOn !== undefined ? { asKnownOn: r.asKnownOn } : {}),
    ...(r.asOfSchoolYear !== undefined ? { asOfSchoolYear: r.asOfSchoolYear } : {}),
    ...(r.unsuppressed !== undefined ? { unsuppressed: r.unsuppressed } : {}),
    ...(r.minCell !== undefined ? { minCell: r.minCell } : {}),
  };
  return E.right(out);
}

/** Check a typed request once more (callers may build it by hand); throws ReportError. */
export function checkRequest(request: ReportRequest): RuleSet {
  if (!(INDICATORS as readonly string[]).includes(request.indicator)) throw new ReportError('not-found', `unknown indicator '${request.indicator}'`);
  const rules = ruleSetNamed(request.rules);
  if (!rules) throw new ReportError('not-found', `unknown rule set '${request.rules}'`);
  const parsed = parseReportRequest({ ...request, by: [...request.by] });
  if (E.isLeft(parsed)) throw new ReportError('bad-request', parsed.left.join('; '));
  return rules;
}
