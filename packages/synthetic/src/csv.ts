import type { AreaRow } from './geography.js';
import type { Institution } from './institutions.js';
import type { AdviceRecord, DiplomaRecord, EnrolmentRecord, LearnerRowRecord } from './records.js';

/** Column order of SPEC section 7 / docs/file-formats.md. */
export const HEADERS = {
  enrollments: ['learner_id', 'school_year', 'reference_date', 'sector', 'institution', 'branch', 'level', 'grade', 'programme', 'track'],
  advice: ['learner_id', 'school_year', 'issued_on', 'po_school', 'kind', 'level', 'test_score'],
  diplomas: ['learner_id', 'school_year', 'awarded_on', 'institution', 'level', 'programme'],
  learners: ['learner_id', 'birth_month', 'gender', 'valid_from', 'pupil_weight', 'parental_education', 'migration_background', 'area'],
  areas: ['area', 'name', 'parent_area'],
  institutions: ['institution', 'name', 'board', 'municipality', 'kind'],
} as const;

export type FileName = keyof typeof HEADERS;

/** Codes never need quoting; names might (a comma or quote in a school name). */
export const csvField = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export const line = (fields: readonly string[]): string => fields.join(',') + '\n';

const sy = (y: number) => `${y}-${y + 1}`;

export const enrolmentFields = (id: string, e: EnrolmentRecord): string[] =>
  [id, sy(e.year), `${e.year}-10-01`, e.sector, e.institution, e.branch, e.level, String(e.grade), e.programme, e.track];

export const adviceFields = (id: string, a: AdviceRecord): string[] =>
  [id, sy(a.year), a.issuedOn, a.poSchool, a.kind, a.level, a.testScore === null ? '' : String(a.testScore)];

export const diplomaFields = (id: string, d: DiplomaRecord): string[] => [id, sy(d.year), d.awardedOn, d.institution, d.level, d.programme];

export const learnerFields = (id: string, l: LearnerRowRecord): string[] =>
  [id, l.birthMonth, l.gender, l.validFrom, l.pupilWeight, l.parental, l.migration, l.area];

/** The same rows as one line each, without building field arrays (the hot path). */
export const enrolmentLine = (id: string, e: EnrolmentRecord): string =>
  `${id},${e.year}-${e.year + 1},${e.year}-10-01,${e.sector},${e.institution},${e.branch},${e.level},${e.grade},${e.programme},${e.track}\n`;

export const adviceLine = (id: string, a: AdviceRecord): string =>
  `${id},${a.year}-${a.year + 1},${a.issuedOn},${a.poSchool},${a.kind},${a.level},${a.testScore === null ? '' : a.testScore}\n`;

export const diplomaLine = (id: string, d: DiplomaRecord): string =>
  `${id},${d.year}-${d.year + 1},${d.awardedOn},${d.institution},${d.level},${d.programme}\n`;

export const learnerLine = (id: string, l: LearnerRowRecord): string =>
  `${id},${l.birthMonth},${l.gender},${l.validFrom},${l.pupilWeight},${l.parental},${l.migration},${l.area}\n`;

export const areaLine = (a: AreaRow): string => line([a.area, csvField(a.name), a.parent]);

export const institutionLine = (i: Institution): string => line([i.code, csvField(i.name), i.board, i.municipality.code, i.kind]);
