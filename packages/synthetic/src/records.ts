/**
 * The rows of one learner, as plain records in the column order of SPEC
 * section 7. Years are school-year start years; csv.ts writes them out.
 */
export interface LearnerRowRecord {
  readonly birthMonth: string;
  readonly gender: string;
  readonly validFrom: string;
  readonly pupilWeight: string;
  readonly parental: string;
  readonly migration: string;
  readonly area: string;
}

export interface AdviceRecord {
  readonly year: number;
  readonly issuedOn: string;
  readonly poSchool: string;
  readonly kind: 'provisional' | 'final' | 'revised';
  readonly level: string;
  readonly testScore: number | null;
}

export type SectorCode = 'po' | 'vo' | 'mbo' | 'hbo' | 'wo';

export interface EnrolmentRecord {
  readonly year: number;
  readonly sector: SectorCode;
  readonly institution: string;
  readonly branch: string;
  readonly level: string;
  readonly grade: number;
  readonly programme: string;
  readonly track: '' | 'bol' | 'bbl';
}

export interface DiplomaRecord {
  readonly year: number;
  readonly awardedOn: string;
  readonly institution: string;
  readonly level: string;
  readonly programme: string;
}

export interface LearnerRecord {
  readonly id: string;
  readonly index: number;
  readonly intakeYear: number;
  readonly learners: readonly LearnerRowRecord[];
  readonly advice: readonly AdviceRecord[];
  readonly enrolments: readonly EnrolmentRecord[];
  readonly diplomas: readonly DiplomaRecord[];
}

/** Pseudonymous ids: a letter and at least seven digits, so never nine bare digits. */
export const learnerId = (index: number): string => 'L' + String(index + 1).padStart(7, '0');
