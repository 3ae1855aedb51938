import * as E from 'fp-ts/lib/Either.js';
import { memoizeText } from '../text-memo.js';

/**
 * A Dutch school year runs 1 August to 31 July; its reference date (teldatum) is
 * 1 October, the day the yearly registration describes.
 */
export type SchoolYear = `${number}-${number}`;
export type IsoDate = string; // YYYY-MM-DD

export interface TimeError {
  readonly kind: 'InvalidSchoolYear' | 'InvalidDate';
  readonly input: string;
  readonly message: string;
}

const SCHOOL_YEAR = /^(\d{4})-(\d{4})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export const parseSchoolYear = memoizeText((input: string): E.Either<TimeError, SchoolYear> => {
  const m = SCHOOL_YEAR.exec(input.trim());
  if (!m || Number(m[2]) !== Number(m[1]) + 1) {
    return E.left({ kind: 'InvalidSchoolYear', input, message: `not a school year like 2016-2017: '${input}'` });
  }
  return E.right(`${m[1]}-${m[2]}` as SchoolYear);
});

export const parseIsoDate = memoizeText((input: string): E.Either<TimeError, IsoDate> => {
  const s = input.trim();
  const m = ISO_DATE.exec(s);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const dt = new Date(Date.UTC(y, mo - 1, d));
    if (dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d) return E.right(s);
  }
  return E.left({ kind: 'InvalidDate', input, message: `not a date like 2016-10-01: '${input}'` });
});

export const startYear = (sy: SchoolYear): number => Number(sy.slice(0, 4));
export const schoolYearStarting = (year: number): SchoolYear => `${year}-${year + 1}` as SchoolYear;
export const referenceDateOf = (sy: SchoolYear): IsoDate => `${startYear(sy)}-10-01`;
export const nextSchoolYear = (sy: SchoolYear): SchoolYear => schoolYearStarting(startYear(sy) + 1);

/** The school year a date falls in (1 August starts a new one). */
export function schoolYearOf(date: IsoDate): SchoolYear {
  const y = Number(date.slice(0, 4));
  const md = date.slice(5);
  return schoolYearStarting(md >= '08-01' ? y : y - 1);
}

export const isWithinSchoolYear = (date: IsoDate, sy: SchoolYear): boolean => schoolYearOf(date) === sy;

/** Offset k of a date's school year relative to a cohort's school year. */
export const offsetOf = (cohort: SchoolYear, date: IsoDate): number => startYear(schoolYearOf(date)) - startYear(cohort);

/** Whole years of age on a date, for someone born on the first day of birthMonth (YYYY-MM). */
export function ageOn(birthMonth: string, date: IsoDate): number {
  const by = Number(birthMonth.slice(0, 4));
  const bm = Number(birthMonth.slice(5, 7));
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  return y - by - (m < bm ? 1 : 0);
}
