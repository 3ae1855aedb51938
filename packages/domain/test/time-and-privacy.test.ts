import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { ageOn, looksLikeBsn, offsetOf, parseIsoDate, parseSchoolYear, referenceDateOf, schoolYearOf } from '../src/index.js';

describe('school years', () => {
  it('runs from 1 August to 31 July with its reference date on 1 October', () => {
    expect(schoolYearOf('2016-08-01')).toBe('2016-2017');
    expect(schoolYearOf('2017-07-31')).toBe('2016-2017');
    expect(schoolYearOf('2016-07-31')).toBe('2015-2016');
    expect(referenceDateOf('2016-2017')).toBe('2016-10-01');
  });

  it('counts offsets from the cohort start year (SPEC section 6 examples)', () => {
    expect(offsetOf('2011-2012', '2012-10-01')).toBe(1);
    expect(offsetOf('2012-2013', '2012-10-01')).toBe(0);
  });

  it('refuses malformed years and impossible dates', () => {
    expect(E.isLeft(parseSchoolYear('2016-2018'))).toBe(true);
    expect(E.isLeft(parseIsoDate('2017-02-30'))).toBe(true);
    expect(parseIsoDate('2016-02-29')).toEqual(E.right('2016-02-29'));
  });

  it('takes age from the birth month, born on its first day', () => {
    expect(ageOn('2000-10', '2023-10-01')).toBe(23);
    expect(ageOn('2000-11', '2023-10-01')).toBe(22);
  });
});

describe('citizen service numbers', () => {
  it('recognises nine digits passing the eleven-test', () => {
    // 9*1+8*1+7*1+6*2+5*2+4*2+3*3+2*3 - 3 = 66 = 6*11
    expect(looksLikeBsn('111222333')).toBe(true);
    expect(looksLikeBsn('123456782')).toBe(true);
    expect(looksLikeBsn('111222334')).toBe(false);
    expect(looksLikeBsn('11122233')).toBe(false);
    expect(looksLikeBsn('L00000001')).toBe(false);
    expect(looksLikeBsn('000000000')).toBe(false);
  });
});
