import { z } from 'zod';
import { EnrolmentSchema, IsoDateSchema, LearnerEventBase, LevelRefSchema, SourceSchema } from './common.js';

export const LearnerRegistered = z.object({
  ...LearnerEventBase,
  birthMonth: z.string().regex(/^\d{4}-\d{2}$/),
  gender: z.enum(['m', 'f', 'x', 'unknown']),
});

export const AreaRefSchema = z.object({ code: z.string(), parents: z.array(z.string()) });

export const BackgroundRecorded = z.object({
  ...LearnerEventBase,
  pupilWeight: z.union([z.literal(0), z.literal(0.3), z.literal(1.2)]).nullable(),
  parentalEducation: z.enum(['low', 'middle', 'high', 'unknown']).nullable(),
  migrationBackground: z.string().nullable(),
  area: AreaRefSchema.nullable(),
});

export const TestScoreRecorded = z.object({
  ...LearnerEventBase,
  score: z.number(),
  indicatedLevel: LevelRefSchema.nullable(),
});

export const AdviceGiven = z.object({
  ...LearnerEventBase,
  kind: z.enum(['provisional', 'final']),
  level: LevelRefSchema,
  poSchool: z.string(),
});

export const AdviceRevised = z.object({
  ...LearnerEventBase,
  from: LevelRefSchema,
  to: LevelRefSchema,
  reason: z.string(),
  /** By law a revision only goes up; a downward one is accepted but flagged. */
  downward: z.boolean(),
  poSchool: z.string(),
});

const EnrolmentEvent = { ...LearnerEventBase, enrolment: EnrolmentSchema };

export const Placed = z.object({ ...EnrolmentEvent });
export const Promoted = z.object({ ...EnrolmentEvent, fromGrade: z.number().int().nullable() });
export const Repeated = z.object({ ...EnrolmentEvent, fromGrade: z.number().int().nullable() });
export const LevelChanged = z.object({ ...EnrolmentEvent, from: LevelRefSchema });
export const SchoolSwitched = z.object({ ...EnrolmentEvent, fromInstitution: z.string() });

export const DiplomaAwarded = z.object({
  ...LearnerEventBase,
  level: z.string(),
  institution: z.string(),
  programme: z.string().nullable(),
});

export const NextEducationStarted = z.object({
  ...EnrolmentEvent,
  /** The diploma this enrolment stacks on, if any (e.g. vmbo-t -> havo 4). */
  afterDiploma: z.string().nullable(),
});

export const LeftEducation = z.object({
  ...LearnerEventBase,
  lastEnrolment: EnrolmentSchema,
  withStartkwalificatie: z.boolean(),
});

export const ReEntered = z.object({ ...EnrolmentEvent });

export const Retracted = z.object({
  ...LearnerEventBase,
  retracted: z.array(z.string()).min(1),
  reason: z.string(),
});

/** Reference data, in its own streams: areas with their hierarchy, institutions with their board. */
export const AreaDefined = z.object({
  area: z.string(),
  name: z.string(),
  parent: z.string().nullable(),
  source: SourceSchema,
});

export const InstitutionDefined = z.object({
  institution: z.string(),
  name: z.string(),
  board: z.string().nullable(),
  municipality: z.string().nullable(),
  kind: z.string().nullable(),
  source: SourceSchema,
});

/** A named group of schools (a pilot and its comparison schools), valid between two dates (`validTo` inclusive, null: open). */
export const SchoolGroupDefined = z.object({
  institution: z.string(),
  group: z.string(),
  validFrom: IsoDateSchema,
  validTo: IsoDateSchema.nullable(),
  source: SourceSchema,
});

/**
 * A delivery contained reference date D: from now on it is the complete count
 * for D (SPEC 7). Appended once per date, the first time it is delivered; the
 * event's knownAt says since when the count was known.
 */
export const ReferenceDateCovered = z.object({
  referenceDate: IsoDateSchema,
  schoolYear: z.string(),
  delivery: z.number().int(),
  occurredOn: IsoDateSchema,
  source: SourceSchema,
});

/** Erasure audit record: no personal data, only that an erasure happened and why. */
export const LearnerErased = z.object({
  erasureId: z.string(),
  reason: z.string(),
  eventsRemoved: z.number().int(),
  occurredOn: IsoDateSchema,
  source: SourceSchema,
});

export const EVENT_SCHEMAS = {
  LearnerRegistered, BackgroundRecorded, TestScoreRecorded, AdviceGiven, AdviceRevised,
  Placed, Promoted, Repeated, LevelChanged, SchoolSwitched, DiplomaAwarded,
  NextEducationStarted, LeftEducation, ReEntered, Retracted,
  AreaDefined, InstitutionDefined, SchoolGroupDefined, ReferenceDateCovered, LearnerErased,
} as const;

export type EventType = keyof typeof EVENT_SCHEMAS;
export type EventData<T extends EventType> = z.infer<(typeof EVENT_SCHEMAS)[T]>;

/** A domain event: its type and its validated payload. */
export type DomainEvent = { [T in EventType]: { readonly type: T; readonly data: EventData<T> } }[EventType];
export type LearnerEvent = Exclude<DomainEvent, { type: 'AreaDefined' | 'InstitutionDefined' | 'SchoolGroupDefined' | 'ReferenceDateCovered' | 'LearnerErased' }>;

export const EVENT_TYPES = Object.keys(EVENT_SCHEMAS) as EventType[];

/** The current schema version of each event type; older versions are upcast on read. */
export const CURRENT_SCHEMA_VERSION: Readonly<Record<EventType, number>> = {
  LearnerRegistered: 1, BackgroundRecorded: 1, TestScoreRecorded: 1, AdviceGiven: 2, AdviceRevised: 1,
  Placed: 1, Promoted: 1, Repeated: 1, LevelChanged: 1, SchoolSwitched: 1, DiplomaAwarded: 1,
  NextEducationStarted: 1, LeftEducation: 1, ReEntered: 1, Retracted: 1,
  AreaDefined: 1, InstitutionDefined: 1, SchoolGroupDefined: 1, ReferenceDateCovered: 1, LearnerErased: 1,
};

export const isEventType = (t: string): t is EventType => Object.prototype.hasOwnProperty.call(EVENT_SCHEMAS, t);

/** Event types that carry a learner's enrolment on a reference date. */
export const ENROLMENT_EVENT_TYPES = ['Placed', 'Promoted', 'Repeated', 'LevelChanged', 'SchoolSwitched', 'NextEducationStarted', 'ReEntered'] as const;
