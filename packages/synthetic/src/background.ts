import { districtAt, type District, type Geography } from './geography.js';
import type { Parameters } from './parameters.js';
import type { Rng } from './random.js';

export type ParentalEducation = 'low' | 'middle' | 'high' | '';
export type PupilWeight = '0' | '0.3' | '1.2' | '';

export interface Background {
  readonly gender: 'm' | 'f' | 'x';
  readonly birthYear: number;
  /** 1..12 */
  readonly birthMonth: number;
  readonly parental: ParentalEducation;
  readonly pupilWeight: PupilWeight;
  readonly migration: 'none' | 'western' | 'non-western';
  readonly district: District;
  /** Pupil weight 0.3 or 1.2: the group SPEC section 8 says moves down more, up less, repeats more. */
  readonly weighted: boolean;
}

/**
 * A learner's background at the start. The district comes first, because its
 * social mix sets the chances of parental education and migration background;
 * pupil weight follows parental education as the weighting scheme does.
 */
export function drawBackground(rng: Rng, geo: Geography, params: Parameters, intakeYear: number): Background {
  const b = params.background;
  const district = districtAt(geo, rng.float());
  const prof = district.profile;
  const u = rng.float();
  const drawn = u < prof.low ? 'low' : u < prof.low + prof.high ? 'high' : 'middle';
  let parental: ParentalEducation = drawn;
  let pupilWeight: PupilWeight = rng.choose(b.pupilWeight[drawn]);
  if (rng.chance(b.unknownBackground)) {
    parental = '';
    pupilWeight = '';
  }
  const weighted = pupilWeight === '0.3' || pupilWeight === '1.2';
  const m = rng.float();
  const nonWestern = Math.min(0.95, prof.nonWestern * (parental === 'low' ? b.nonWesternIfLow : 1));
  const migration = m < nonWestern ? 'non-western' : m < nonWestern + b.westernMigration ? 'western' : 'none';
  const gender = rng.choose(b.gender);

  let age = Number(rng.choose(b.ageAtIntake));
  if (weighted && age < 14 && rng.chance(b.olderIfWeighted)) age++;
  // Born on the first of the month: age on 1 October of the intake year is `age`
  // for months Nov (year-age-1) .. Oct (year-age).
  const birthMonth = rng.int(1, 12);
  const birthYear = birthMonth >= 11 ? intakeYear - age - 1 : intakeYear - age;
  return { gender, birthYear, birthMonth, parental, pupilWeight, migration, district, weighted };
}

/** Whole years of age on 1 October of `year` (the domain's ageOn, without building strings). */
export const ageOnReferenceDate = (bg: Background, year: number): number => year - bg.birthYear - (bg.birthMonth > 10 ? 1 : 0);
