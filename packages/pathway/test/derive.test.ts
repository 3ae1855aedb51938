/**
 * The pathway questions the new definitions rest on: cohort membership,
 * the first count after a date, stacking attempts by the domain's one rule,
 * repeats within a level, afdelingen, and school groups in the reference data.
 */
import { describe, expect, it } from 'vitest';
import { INSPECTIE, MONITOR } from '@leerroutes/domain';
import {
  afdelingOf, cohortOf, firstReferenceYearAfter, foldPathway, foldReferenceData, inOrder, isRepeat, rowAfter, schoolGroupOn, stackingAttempts, voSteps,
} from '../src/index.js';
import { TestLog, vo } from '../test-support/builder.js';

describe('cohorts', () => {
  it('advice by the rule set, intake only from grade 1, leerjaar3 by the earliest grade-3 row', () => {
    const log = new TestLog();
    const l = log.learner('C');
    l.advice('2011-03-01', 'final', 'vmbo-t');
    l.advice('2012-02-01', 'final', 'havo');
    l.row('2013-10-01', { institution: 'V', level: 'havo', grade: 2 });
    l.row('2014-10-01', { institution: 'V', level: 'havo', grade: 3 });
    l.row('2015-10-01', { institution: 'V', level: 'havo', grade: 3 });
    const p = foldPathway('C', log.eventsOf('C'));
    expect(cohortOf(p, 'advice', INSPECTIE)).toBe('2010-2011');
    expect(cohortOf(p, 'advice', MONITOR)).toBe('2011-2012');
    expect(cohortOf(p, 'intake', MONITOR)).toBeNull(); // first VO row in grade 2
    expect(cohortOf(p, 'leerjaar3', MONITOR)).toBe('2014-2015');
    expect([p.intakeCohort, p.leerjaar3Cohort]).toEqual([null, '2014-2015']);
  });
});

describe('the first count after a date', () => {
  it('is 1 October of the same year before it, of the next year from it on', () => {
    expect(firstReferenceYearAfter('2016-06-30')).toBe('2016-2017');
    expect(firstReferenceYearAfter('2016-09-30')).toBe('2016-2017');
    expect(firstReferenceYearAfter('2016-10-01')).toBe('2017-2018');
    expect(firstReferenceYearAfter('2016-12-15')).toBe('2017-2018');
  });

  it('a row a year later than that is not the row after', () => {
    const log = new TestLog();
    const l = log.learner('G');
    l.row('2015-10-01', { institution: 'V', level: 'vmbo-t', grade: 4 });
    l.diploma('2016-06-30', 'vmbo-t', 'V');
    l.row('2017-10-01', { institution: 'V', level: 'havo', grade: 4 });
    const p = foldPathway('G', log.eventsOf('G'));
    expect(rowAfter(p, '2016-06-30')).toBeNull();
    expect(stackingAttempts(p)).toEqual([]);
  });
});

describe('stacking attempts', () => {
  it('each diploma followed on the next count by a higher level, with its success', () => {
    const log = new TestLog();
    const l = log.learner('S');
    l.row('2013-10-01', { institution: 'V', level: 'vmbo-b', grade: 4 });
    l.diploma('2014-06-30', 'vmbo-b', 'V');
    l.row('2014-10-01', { institution: 'V', level: 'vmbo-k', grade: 4 }); // vmbo-b -> vmbo-k: a step up inside vmbo
    l.diploma('2015-06-30', 'vmbo-k', 'V');
    l.row('2015-10-01', { sector: 'mbo', institution: 'ROC', level: 'mbo-2', grade: 1 }); // a VO diploma then mbo: the usual next step
    l.diploma('2016-06-30', 'mbo-2', 'ROC');
    l.row('2016-10-01', { sector: 'mbo', institution: 'ROC', level: 'mbo-4', grade: 1 }); // mbo-2 -> mbo-4, no mbo-4 diploma
    const p = foldPathway('S', log.eventsOf('S'));
    expect(stackingAttempts(p).map((a) => [a.kind, a.success])).toEqual([['vmbo-b > vmbo-k', true], ['mbo-2 > mbo-4', false]]);
    expect([p.summary.stacked, p.summary.stackSuccess]).toEqual([true, false]);
  });

  it('an hbo propedeuse then wo is an attempt; hbo-p then hbo-ba is not', () => {
    const log = new TestLog();
    const a = log.learner('W');
    a.row('2015-10-01', { sector: 'hbo', institution: 'HS', level: 'hbo-ba', grade: 1 });
    a.diploma('2016-06-30', 'hbo-p', 'HS');
    a.row('2016-10-01', { sector: 'wo', institution: 'U', level: 'wo-ba', grade: 1 });
    const b = log.learner('H');
    b.row('2015-10-01', { sector: 'hbo', institution: 'HS', level: 'hbo-ba', grade: 1 });
    b.diploma('2016-06-30', 'hbo-p', 'HS');
    b.row('2016-10-01', { sector: 'hbo', institution: 'HS', level: 'hbo-ba', grade: 2 });
    expect(stackingAttempts(foldPathway('W', log.eventsOf('W'))).map((x) => x.kind)).toEqual(['hbo-p > wo']);
    expect(stackingAttempts(foldPathway('H', log.eventsOf('H')))).toEqual([]);
  });
});

describe('repeats', () => {
  it('a step to a lower level in the same grade is not a repeat; the rule set decides what the same level is', () => {
    const log = new TestLog();
    const l = log.learner('R');
    l.row('2012-10-01', { institution: 'V', level: 'vwo', grade: 3 });
    l.row('2013-10-01', { institution: 'V', level: 'havo', grade: 3 });
    l.row('2014-10-01', { institution: 'V', level: 'havo/vwo', grade: 3 });
    const [down, mixed] = voSteps(foldPathway('R', log.eventsOf('R')));
    expect([isRepeat(MONITOR, down!), isRepeat(INSPECTIE, down!)]).toEqual([false, false]);
    // havo 3 -> havo/vwo 3: half-opstroom under monitor, havo -> havo (a repeat) under inspectie.
    expect([isRepeat(MONITOR, mixed!), isRepeat(INSPECTIE, mixed!)]).toEqual([false, true]);
  });
});

describe('afdelingen', () => {
  it('the lower level of the span; none for pro and unranked levels', () => {
    expect(['vmbo-b', 'vmbo-k/t', 'vmbo-g', 'vmbo-t/havo', 'havo/vwo', 'vwo', 'pro', 'vso'].map((c) => afdelingOf(vo(c))))
      .toEqual(['vmbo-b', 'vmbo-k', 'vmbo-gt', 'vmbo-gt', 'havo', 'vwo', null, null]);
  });
});

describe('school groups', () => {
  it('fold by institution, group and valid-from (the latest wins); valid on a date, the alphabetically first', () => {
    const log = new TestLog();
    log.schoolGroup('V1', 'pilot', '2014-08-01', '2015-07-31');
    log.schoolGroup('V1', 'pilot', '2014-08-01', '2016-07-31'); // the same membership, extended
    log.schoolGroup('V1', 'comparison', '2016-01-01');
    const ref = foldReferenceData(log.referenceEvents());
    expect(ref.schoolGroups?.get('V1')).toHaveLength(2);
    expect(['2014-07-31', '2014-08-01', '2016-01-01', '2016-07-31', '2016-08-01'].map((d) => schoolGroupOn(ref, 'V1', d)))
      .toEqual(['none', 'pilot', 'comparison', 'comparison', 'comparison']);
    expect(schoolGroupOn(ref, 'V2', '2016-01-01')).toBe('none');
  });
});

describe('inOrder', () => {
  const byDay = (a: { day: string }, b: { day: string }) => a.day.localeCompare(b.day);
  it('gives the array itself when it is in order, equal neighbours included', () => {
    const items = [{ day: '2016-06-01', n: 1 }, { day: '2016-06-01', n: 2 }, { day: '2017-06-01', n: 3 }];
    expect(inOrder(items, byDay)).toBe(items);
    expect(inOrder([], byDay)).toEqual([]);
  });
  it('gives a stably sorted copy otherwise, leaving the array as it was', () => {
    const items = [{ day: '2018-06-01', n: 1 }, { day: '2016-06-01', n: 2 }, { day: '2016-06-01', n: 3 }];
    const sorted = inOrder(items, byDay);
    expect(sorted).not.toBe(items);
    expect(sorted.map((i) => i.n)).toEqual([2, 3, 1]);
    expect(items.map((i) => i.n)).toEqual([1, 2, 3]);
  });
});
