/**
 * The zod schemas the handlers validate with. The OpenAPI document is
 * generated from these same objects, so the documentation cannot drift from
 * what the server accepts.
 */
import { z } from 'zod';
import { EXPORT_FORMATS, LEARNER_EXPORTS } from '@leerroutes/engine/exports';
import { INDICATORS, PeriodParamsSchema, ReportParamsSchema, ReportRowSchema, ReportSchema } from '@leerroutes/indicators';

export { ReportRowSchema, ReportSchema };

export const IndicatorNameSchema = z.enum(INDICATORS).describe('Indicator (SPEC section 6)');

const FormatSchema = z.enum(['json', 'csv']).optional().describe('Overrides the Accept header (application/json or text/csv)');
const RULES = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a rule set name like monitor or inspectie');

/** Query parameters of every indicator endpoint: the request parameters `pathways report` takes too (one schema, in @leerroutes/indicators). */
export const ReportQuerySchema = ReportParamsSchema.extend({ format: FormatSchema });
export type ReportQuery = z.infer<typeof ReportQuerySchema>;

/** A compare request names two rule sets instead of one. */
export const CompareQuerySchema = ReportParamsSchema.omit({ rules: true }).extend({
  rulesA: RULES.default('monitor').describe('Left rule set'),
  rulesB: RULES.default('inspectie').describe('Right rule set'),
});
export type CompareQuery = z.infer<typeof CompareQuerySchema>;

/** A cell is addressed by the report parameters plus its row coordinates. */
export const ExplainQuerySchema = ReportParamsSchema.omit({ unsuppressed: true, minCell: true }).extend({
  category: z.string().min(1).max(200).describe('Row category (for edges: "from -> to")'),
  family: z.string().min(1).max(100).optional().describe('Row family, where two families share a category name (stacked-routes)'),
  offset: z.coerce.number().int().min(-20).max(40).optional().describe('Row offset, where the indicator has one'),
  schoolYear: z.string().regex(/^\d{4}-\d{4}$/).optional().describe('Row school year, where the indicator has one'),
  group: z.string().max(500).optional()
    .describe('Row group as dimension=value pairs joined by ";" (e.g. gender=f;area:2=GM0599)'),
});
export type ExplainQuery = z.infer<typeof ExplainQuerySchema>;

const ExportFormatSchema = z.enum(EXPORT_FORMATS).default('parquet').describe('parquet (default) or csv');

/** A learner-level export: events, person-period or spells. */
export const ExportParamsSchema = z.strictObject({
  what: z.enum(LEARNER_EXPORTS).describe('events (one row per event), person-period (one row per cohort member and reference date) or spells (runs of one state)'),
});
/** Which learners and which edition (person-period, spells; events take asKnownOn only): the report request's parameters less breakdowns and suppression. */
export const ExportQuerySchema = PeriodParamsSchema.extend({ format: ExportFormatSchema });
export type ExportQuery = z.infer<typeof ExportQuerySchema>;
/** A report as a file: the report request, and the file format. */
export const ReportExportQuerySchema = ReportParamsSchema.extend({ format: ExportFormatSchema });

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

const CompareSideSchema = z.object({
  count: z.number().nullable(), denominator: z.number().nullable(), percent: z.number().nullable(), suppressed: z.boolean(),
  suppression: z.enum(['primary', 'complementary']).nullable().describe('why the count is hidden, as on the report row'),
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
    family: z.string(),
    category: z.string(),
    a: CompareSideSchema,
    b: CompareSideSchema,
  })),
  notes: ReportSchema.shape.notes.describe("the two reports' notes, each once (a cohort the views do not hold under either rule set)"),
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
    advice: z.record(z.string(), z.array(z.string())).describe('advice cohorts per rule set (its reference advice decides the cohort)'),
    intake: z.array(z.string()),
    leerjaar3: z.array(z.string()),
  }),
  schoolYears: z.array(z.string()).describe('covered school years (complete counts), ascending: what asOf can name'),
  names: z.object({
    area: z.record(z.string(), z.string()).describe('area code -> name, from the reference data'),
    institution: z.record(z.string(), z.string()).describe('institution code (po_school, vo_school) -> name, from the reference data'),
  }).describe('names for the codes in group values; a code without a name is shown as the code'),
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
