/**
 * The zod schemas the handlers validate with. The OpenAPI document is
 * generated from these same objects, so the documentation cannot drift from
 * what the server accepts.
 */
import { z } from 'zod';
import { COHORT_TYPES, DIMENSIONS, INDICATORS } from '@leerroutes/indicators';

const dimensionPattern = `(?:${DIMENSIONS.filter((d) => d !== 'area').join('|')}|area(?::\\d{1,2})?)`;
const byPattern = new RegExp(`^${dimensionPattern}(?:,${dimensionPattern})?$`);

export const IndicatorNameSchema = z.enum(INDICATORS).describe('Indicator (SPEC section 6)');

/** Query parameters of every indicator endpoint: the same options as `pathways report`. */
export const ReportQuerySchema = z.strictObject({
  cohortType: z.enum(COHORT_TYPES).default('advice')
    .describe('Cohort kind: advice cohort (school year of the reference advice), intake cohort (first VO grade 1) or leerjaar3 cohort (first VO grade 3)'),
  cohort: z.string().regex(/^\d{4}-\d{4}$/, 'a school year like 2012-2013').optional()
    .describe('School year naming the cohort; optional only for early-leavers'),
  rules: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a rule set name like monitor or inspectie').default('monitor')
    .describe('Rule set: monitor or inspectie'),
  by: z.string().regex(byPattern, `one or two comma-separated dimensions of ${DIMENSIONS.join(', ')} (area may name a depth: area:2)`).optional()
    .describe('Breakdown: zero, one or two dimensions, comma separated (e.g. area:2,gender)'),
  asKnownOn: z.iso.date().optional()
    .describe('Replay the log as known on this date instead of reading the live views'),
  minCell: z.coerce.number().int().min(5).max(1000).optional()
    .describe('Smallest shown cell (never below 5; the dashboard role cannot go below the server threshold)'),
  unsuppressed: z.enum(['true', 'false']).optional()
    .describe('Engineer role only: show cells under the threshold'),
  format: z.enum(['json', 'csv']).optional()
    .describe('Overrides the Accept header (application/json or text/csv)'),
});
export type ReportQuery = z.infer<typeof ReportQuerySchema>;

/** A compare request names two rule sets instead of one. */
export const CompareQuerySchema = ReportQuerySchema.omit({ rules: true }).extend({
  rulesA: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/).default('monitor').describe('Left rule set'),
  rulesB: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/).default('inspectie').describe('Right rule set'),
});
export type CompareQuery = z.infer<typeof CompareQuerySchema>;

/** A cell is addressed by the report parameters plus its row coordinates. */
export const ExplainQuerySchema = ReportQuerySchema.omit({ format: true, unsuppressed: true, minCell: true }).extend({
  category: z.string().min(1).max(200).describe('Row category (for edges: "from -> to")'),
  offset: z.coerce.number().int().min(-20).max(40).optional().describe('Row offset, where the indicator has one'),
  schoolYear: z.string().regex(/^\d{4}-\d{4}$/).optional().describe('Row school year, where the indicator has one'),
  group: z.string().max(500).optional()
    .describe('Row group as dimension=value pairs joined by ";" (e.g. gender=f;area:2=GM0599)'),
});
export type ExplainQuery = z.infer<typeof ExplainQuerySchema>;

export const LearnerParamsSchema = z.strictObject({
  learnerId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a pseudonym of 1-64 characters [A-Za-z0-9_-]'),
});
export const LearnerQuerySchema = z.strictObject({ asKnownOn: z.iso.date().optional() });

export const ImportBodySchema = z.strictObject({
  dir: z.string().min(1).describe('Directory on the server holding the registration CSVs'),
  knownAt: z.iso.date().optional().describe('When the source delivered these files (default: now)'),
});
export const AuditQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  learnerId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
});

export const ReportRowSchema = z.object({
  group: z.record(z.string(), z.string()),
  offset: z.number().int().nullable(),
  schoolYear: z.string().nullable(),
  from: z.string().optional(),
  to: z.string().optional(),
  family: z.string(),
  category: z.string(),
  count: z.number().int().nullable(),
  denominator: z.number().int().nullable(),
  percent: z.number().nullable(),
  suppressed: z.boolean(),
  suppression: z.enum(['primary', 'complementary']).nullable(),
  spread: z.object({ years: z.number().int(), min: z.number().nullable(), max: z.number().nullable(), sd: z.number().nullable() }).optional(),
});

export const ReportSchema = z.object({
  request: z.object({
    indicator: IndicatorNameSchema,
    cohortType: z.enum(COHORT_TYPES),
    cohort: z.string().nullable(),
    rules: z.string(),
    by: z.array(z.string()),
    asKnownOn: z.string().optional(),
    unsuppressed: z.boolean().optional(),
    minCell: z.number().optional(),
  }),
  ruleSet: z.object({ name: z.string(), version: z.number() }),
  rows: z.array(ReportRowSchema),
  source: z.union([
    z.object({ kind: z.literal('views'), checkpoint: z.number() }),
    z.object({ kind: z.literal('log'), asKnownOn: z.string(), head: z.number() }),
  ]),
  minCell: z.number(),
  suppressed: z.boolean(),
});

const CompareSideSchema = z.object({
  count: z.number().nullable(), denominator: z.number().nullable(), percent: z.number().nullable(), suppressed: z.boolean(),
}).nullable();
export const CompareSchema = z.object({
  indicator: IndicatorNameSchema,
  rulesA: z.object({ name: z.string(), version: z.number() }),
  rulesB: z.object({ name: z.string(), version: z.number() }),
  minCell: z.number(),
  rows: z.array(z.object({
    group: z.record(z.string(), z.string()),
    offset: z.number().nullable(),
    schoolYear: z.string().nullable(),
    category: z.string(),
    a: CompareSideSchema,
    b: CompareSideSchema,
  })),
});

export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  errors: z.array(z.object({ location: z.enum(['query', 'path', 'body', 'header']), pointer: z.string(), detail: z.string() })).optional(),
}).describe('RFC 9457 problem details');

export const MetaSchema = z.object({
  indicators: z.array(z.string()),
  dimensions: z.array(z.string()),
  ruleSets: z.array(z.object({ name: z.string(), version: z.number() })),
  cohorts: z.object({
    advice: z.record(z.string(), z.array(z.string())),
    intake: z.array(z.string()),
  }),
  minCell: z.number(),
  checkpoint: z.number(),
});

export const WhoAmISchema = z.object({ name: z.string(), role: z.enum(['dashboard', 'analyst', 'engineer']) });
export const HealthSchema = z.object({ status: z.literal('ok') });
export const ReadySchema = z.object({ ready: z.boolean(), checkpoint: z.number().nullable(), head: z.number().nullable(), detail: z.string().optional() });
export const ExplainSchema = z.object({ cell: z.record(z.string(), z.unknown()), learnerIds: z.array(z.string()) });
export const AuditSchema = z.object({
  entries: z.array(z.object({
    id: z.number(), at: z.string(), keyName: z.string(), role: z.string(), action: z.string(),
    learnerId: z.string().nullable(), detail: z.string().nullable(),
  })),
});
