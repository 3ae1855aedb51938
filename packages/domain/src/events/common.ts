import { z } from 'zod';

export const IsoDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date like 2016-10-01');
export const SchoolYearSchema = z.string().regex(/^\d{4}-\d{4}$/, 'a school year like 2016-2017');
export const LearnerIdSchema = z.string().min(1).max(64);

/** Where a fact came from: a file and line for imports, a caller for the API. */
export const SourceSchema = z.object({
  system: z.string(),
  file: z.string().optional(),
  line: z.number().int().optional(),
  caller: z.string().optional(),
});
export type Source = z.infer<typeof SourceSchema>;

export const SpanSchema = z.object({ low: z.number().int(), high: z.number().int() });
export const LevelRefSchema = z.object({ code: z.string(), span: SpanSchema.nullable() });

export const SectorSchema = z.enum(['po', 'vo', 'mbo', 'hbo', 'wo']);

/**
 * A learner's enrolment on one reference date: the state an enrolment event
 * results in, carried whole so one event is readable on its own.
 */
export const EnrolmentSchema = z.object({
  referenceDate: IsoDateSchema,
  sector: SectorSchema,
  institution: z.string(),
  branch: z.string().nullable(),
  level: LevelRefSchema,
  grade: z.number().int().nullable(),
  programme: z.string().nullable(),
  track: z.enum(['bol', 'bbl']).nullable(),
});
export type Enrolment = z.infer<typeof EnrolmentSchema>;

/** Fields every learner event carries. */
export const LearnerEventBase = {
  learnerId: LearnerIdSchema,
  occurredOn: IsoDateSchema,
  schoolYear: SchoolYearSchema,
  source: SourceSchema,
};
