/**
 * Every indicator on the hand-computed cohort of fixture.ts, under both rule
 * sets. Expected numbers come from SPEC 6 applied by hand (reasoning in the
 * comments), never from running the code.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { PathwaySource } from '@leerroutes/pathway';
import { buildFixture } from './fixture.js';
import { cd, cell, rowsFor, sourceOf } from './helpers.js';

let source: PathwaySource;
beforeAll(() => {
  source = sourceOf(buildFixture());
});

describe('cohorts', () => {
  it('advice cohort 2011-2012 has L1-L7 and L11 under both rule sets; intake 2012-2013 has L1-L8', async () => {
    for (const rules of ['monitor', 'inspectie']) {
      const ids = (await source.cohortPathways('advice', rules, '2011-2012')).map((p) => p.learnerId).sort();
      expect(ids).toEqual(['L1', 'L11', 'L2', 'L3', 'L4', 'L5', 'L6', 'L7']);
    }
    // L11's first VO row is grade 2: no intake cohort; L9 enters a year later.
    const intake = (await source.cohortPathways('intake', 'monitor', '2012-2013')).map((p) => p.learnerId).sort();
    expect(intake).toEqual(['L1', 'L2', 'L3', 'L4', 'L5', 'L6', 'L7', 'L8']);
  });
});

describe('advice-position', () => {
  // Year-3 rows: L1 havo 3, L2 vmbo-k 3 (2015, after repeating), L3 vmbo-t 3, L4 vmbo-t 3,
  // L5 havo 3, L6 vmbo-b 3, L7 vwo 3, L11 havo 3. All 8 have one: denominator 8.
  it('monitor: 6 gelijk, L4 afstroom (vwo -> vmbo-t), L7 half-opstroom (havo/vwo -> vwo)', async () => {
    const rows = await rowsFor(source, { indicator: 'advice-position' });
    expect(cd(rows, { category: 'gelijk' })).toEqual([6, 8]);
    expect(cd(rows, { category: 'afstroom' })).toEqual([1, 8]);
    expect(cd(rows, { category: 'half-opstroom' })).toEqual([1, 8]);
    expect(cd(rows, { category: 'opstroom' })).toEqual([0, 8]);
    expect(cd(rows, { category: 'half-afstroom' })).toEqual([0, 8]);
    expect(cd(rows, { category: 'not-comparable' })).toEqual([0, 8]);
    expect(cell(rows, { category: 'gelijk' }).percent).toBe(75);
  });

  it('inspectie: L5 (first final vmbo-t/havo -> vmbo-t, year 3 havo) and L7 (havo/vwo -> havo, year 3 vwo) are opstroom', async () => {
    const rows = await rowsFor(source, { indicator: 'advice-position', rules: 'inspectie' });
    expect(cd(rows, { category: 'gelijk' })).toEqual([5, 8]);
    expect(cd(rows, { category: 'opstroom' })).toEqual([2, 8]);
    expect(cd(rows, { category: 'afstroom' })).toEqual([1, 8]);
    expect(cd(rows, { category: 'half-opstroom' })).toEqual([0, 8]);
  });

  it('intake cohort: L8 has a year-3 position but no advice -> no-advice', async () => {
    // L1-L8: gelijk L1 L2 L3 L5 L6; afstroom L4; half-opstroom L7; no-advice L8 (vmbo-b 3 is ranked, so not not-comparable).
    const rows = await rowsFor(source, { indicator: 'advice-position', cohortType: 'intake', cohort: '2012-2013' });
    expect(cd(rows, { category: 'gelijk' })).toEqual([5, 8]);
    expect(cd(rows, { category: 'no-advice' })).toEqual([1, 8]);
    expect(cd(rows, { category: 'not-comparable' })).toEqual([0, 8]);
  });

  it('by pupil_weight: the value valid at the cohort start (L1: 0 on 2011-08-01, 0.3 from 2012-01-01)', async () => {
    // Advice cohort starts 2011-08-01: weight 0 = L1 L4 L7 L11; 0.3 = L3 L5; 1.2 = L2 L6.
    const advice = await rowsFor(source, { indicator: 'advice-position', by: ['pupil_weight'] });
    expect(cd(advice, { category: 'gelijk', group: { pupil_weight: '0' } })).toEqual([2, 4]);
    expect(cd(advice, { category: 'afstroom', group: { pupil_weight: '0' } })).toEqual([1, 4]);
    expect(cd(advice, { category: 'gelijk', group: { pupil_weight: '0.3' } })).toEqual([2, 2]);
    expect(cd(advice, { category: 'gelijk', group: { pupil_weight: '1.2' } })).toEqual([2, 2]);
    // Intake cohort starts 2012-08-01: L1 now 0.3 -> 0.3 = L1 L3 L5; 0 = L4 L7; 1.2 = L2 L6 L8.
    const intake = await rowsFor(source, { indicator: 'advice-position', cohortType: 'intake', cohort: '2012-2013', by: ['pupil_weight'] });
    expect(cd(intake, { category: 'gelijk', group: { pupil_weight: '0.3' } })).toEqual([3, 3]);
    expect(cd(intake, { category: 'afstroom', group: { pupil_weight: '0' } })).toEqual([1, 2]);
    expect(cd(intake, { category: 'no-advice', group: { pupil_weight: '1.2' } })).toEqual([1, 3]);
  });

  it('by board (of the school at intake) and by advice under inspectie', async () => {
    // First VO rows: VO1 (BOARD-A) L1 L4 L7 L11; VO2 (BOARD-A) L2 L3 L5; VO3 (BOARD-B) L6.
    const byBoard = await rowsFor(source, { indicator: 'advice-position', by: ['board'] });
    expect(cd(byBoard, { category: 'gelijk', group: { board: 'BOARD-A' } })).toEqual([5, 7]);
    expect(cd(byBoard, { category: 'gelijk', group: { board: 'BOARD-B' } })).toEqual([1, 1]);
    // inspectie advice codes collapse: L7 havo/vwo -> havo, L5 vmbo-t/havo -> vmbo-t.
    const byAdvice = await rowsFor(source, { indicator: 'advice-position', rules: 'inspectie', by: ['advice'] });
    expect(cd(byAdvice, { category: 'opstroom', group: { advice: 'havo' } })).toEqual([1, 3]); // L7 of L1 L7 L11
    expect(cd(byAdvice, { category: 'opstroom', group: { advice: 'vmbo-t' } })).toEqual([1, 2]); // L5 of L3 L5
    expect(cd(byAdvice, { category: 'afstroom', group: { advice: 'vwo' } })).toEqual([1, 1]);
  });

  it('two dimensions: gender x area:1 (RDAM holds NOORD and ZUID; UTR its own)', async () => {
    // f: L1 (NOORD) L3 L5 (ZUID) L7 (NOORD) -> all RDAM; m: L2 L6 (ZUID -> RDAM) L4 (UTR) L11 (NOORD -> RDAM).
    const rows = await rowsFor(source, { indicator: 'advice-position', by: ['gender', 'area:1'] });
    expect(cd(rows, { category: 'gelijk', group: { gender: 'f', 'area:1': 'RDAM' } })).toEqual([3, 4]);
    expect(cd(rows, { category: 'gelijk', group: { gender: 'm', 'area:1': 'RDAM' } })).toEqual([3, 3]);
    expect(cd(rows, { category: 'afstroom', group: { gender: 'm', 'area:1': 'UTR' } })).toEqual([1, 1]);
  });
});

describe('outcome', () => {
  // Highest VO diplomas: L1 havo, L2 vmbo-k, L3 havo (over vmbo-t), L4 vmbo-t, L5 havo, L6 none, L7 vwo, L11 havo.
  it('monitor: gelijk L1 L2 L5 L11, opstroom L3, afstroom L4, half-opstroom L7, no-vo-diploma L6', async () => {
    const rows = await rowsFor(source, { indicator: 'outcome' });
    expect(cd(rows, { category: 'gelijk' })).toEqual([4, 8]);
    expect(cd(rows, { category: 'opstroom' })).toEqual([1, 8]);
    expect(cd(rows, { category: 'afstroom' })).toEqual([1, 8]);
    expect(cd(rows, { category: 'half-opstroom' })).toEqual([1, 8]);
    expect(cd(rows, { category: 'no-vo-diploma' })).toEqual([1, 8]);
  });

  it('inspectie: L5 (vmbo-t -> havo) and L7 (havo -> vwo) join L3 in opstroom', async () => {
    const rows = await rowsFor(source, { indicator: 'outcome', rules: 'inspectie' });
    expect(cd(rows, { category: 'gelijk' })).toEqual([3, 8]);
    expect(cd(rows, { category: 'opstroom' })).toEqual([3, 8]);
    expect(cd(rows, { category: 'half-opstroom' })).toEqual([0, 8]);
  });

  it('by area:1 and area:2 (a learner above the requested depth is unknown)', async () => {
    const rows = await rowsFor(source, { indicator: 'outcome', by: ['area:1'] });
    expect(cd(rows, { category: 'afstroom', group: { 'area:1': 'UTR' } })).toEqual([1, 1]);
    expect(cd(rows, { category: 'gelijk', group: { 'area:1': 'RDAM' } })).toEqual([4, 7]);
    const deep = await rowsFor(source, { indicator: 'outcome', by: ['area:2'] });
    expect(cd(deep, { category: 'afstroom', group: { 'area:2': 'unknown' } })).toEqual([1, 1]);
    // ZUID: L2 L3 L5 L6 (gelijk L2 L5); NOORD: L1 L7 L11.
    expect(cd(deep, { category: 'gelijk', group: { 'area:2': 'ZUID' } })).toEqual([2, 4]);
    expect(cd(deep, { category: 'gelijk', group: { 'area:2': 'NOORD' } })).toEqual([2, 3]);
  });
});

describe('streams', () => {
  // Steps (consecutive VO rows), offset = earlier date's school year - 2011:
  // off1: L1 L2 L3 L4 L5 L6 L7 = 7; off2: + L11 = 8; off3: L6 has no 2015 row -> 7;
  // off4: L1 L2 L3 L5 L7 L11 = 6 (L4 went to mbo); off5: L3 L5 L7 = 3.
  it('monitor: classes, stacked, repeated and switched per offset', async () => {
    const rows = await rowsFor(source, { indicator: 'streams' });
    // off1: gelijk L1 L2 L3 L6; afstroom L4 (vwo -> vmbo-t); half-opstroom L5 (vmbo-t/havo -> havo), L7 (havo/vwo -> vwo).
    expect(cd(rows, { category: 'gelijk', offset: 1 })).toEqual([4, 7]);
    expect(cd(rows, { category: 'afstroom', offset: 1 })).toEqual([1, 7]);
    expect(cd(rows, { category: 'half-opstroom', offset: 1 })).toEqual([2, 7]);
    expect(cd(rows, { category: 'switched-school', offset: 1 })).toEqual([1, 7]); // L4 VO1 -> VO2
    // off2: all 8 gelijk; L2 repeats grade 2.
    expect(cd(rows, { category: 'gelijk', offset: 2 })).toEqual([8, 8]);
    expect(cd(rows, { category: 'repeated', offset: 2 })).toEqual([1, 8]);
    expect(cd(rows, { category: 'gelijk', offset: 3 })).toEqual([7, 7]);
    // off4: L3's vmbo-t 4 -> havo 4 follows the vmbo-t diploma of 2015-2016: stacked only,
    // not repeated (grade 4 -> 4) and not switched (VO2 -> VO1).
    expect(cd(rows, { category: 'stacked', offset: 4 })).toEqual([1, 6]);
    expect(cd(rows, { category: 'gelijk', offset: 4 })).toEqual([5, 6]);
    expect(cd(rows, { category: 'repeated', offset: 4 })).toEqual([0, 6]);
    expect(cd(rows, { category: 'switched-school', offset: 4 })).toEqual([0, 6]);
    // off5: L3 havo 4 -> 5, L5 havo 5 -> 5 (repeated), L7 vwo 5 -> 6.
    expect(cd(rows, { category: 'gelijk', offset: 5 })).toEqual([3, 3]);
    expect(cd(rows, { category: 'repeated', offset: 5 })).toEqual([1, 3]);
    expect(rows.some((r) => r.offset === 6)).toBe(false);
  });

  it('inspectie: the off1 half steps become opstroom', async () => {
    const rows = await rowsFor(source, { indicator: 'streams', rules: 'inspectie' });
    expect(cd(rows, { category: 'opstroom', offset: 1 })).toEqual([2, 7]);
    expect(cd(rows, { category: 'half-opstroom', offset: 1 })).toEqual([0, 7]);
    expect(cd(rows, { category: 'afstroom', offset: 1 })).toEqual([1, 7]);
  });
});

describe('distribution and transitions', () => {
  // Covered: 2012-10-01 .. 2018-10-01, so offsets 0..7 for the 2011-2012 advice cohort.
  it('states per offset', async () => {
    const rows = await rowsFor(source, { indicator: 'distribution' });
    expect(Math.max(...rows.map((r) => r.offset!))).toBe(7);
    // off0 (2011-10-01): nobody has a row yet -> po.
    expect(cd(rows, { category: 'po', offset: 0 })).toEqual([8, 8]);
    // off1: L11 enters VO only in 2013 -> po; L5 in its combined class.
    expect(cd(rows, { category: 'po', offset: 1 })).toEqual([1, 8]);
    expect(cd(rows, { category: 'vo:vmbo-t/havo', offset: 1 })).toEqual([1, 8]);
    // off4 (2015): L6 has no row after rows before, no diploma -> left without startkwalificatie.
    expect(cd(rows, { category: 'left-without-startkwalificatie', offset: 4 })).toEqual([1, 8]);
    expect(cd(rows, { category: 'vo:havo', offset: 4 })).toEqual([3, 8]); // L1 L5 L11
    // off5 (2016): vo:havo L1 L3 L5 L11; mbo-4 L4; mbo-1 L6 (re-entered); vo:vmbo-k L2; vo:vwo L7.
    expect(cd(rows, { category: 'vo:havo', offset: 5 })).toEqual([4, 8]);
    expect(cd(rows, { category: 'mbo-1', offset: 5 })).toEqual([1, 8]);
    // off7 (2018): hbo L1 L3 L4 L11; mbo-3 L2; wo L7; L5 left with its havo diploma; L6 left without.
    expect(cd(rows, { category: 'hbo', offset: 7 })).toEqual([4, 8]);
    expect(cd(rows, { category: 'left-with-startkwalificatie', offset: 7 })).toEqual([1, 8]);
    expect(cd(rows, { category: 'left-without-startkwalificatie', offset: 7 })).toEqual([1, 8]);
    expect(cd(rows, { category: 'wo', offset: 7 })).toEqual([1, 8]);
    // Each offset's states partition the cohort.
    for (let k = 0; k <= 7; k++) expect(rows.filter((r) => r.offset === k).reduce((n, r) => n + r.count!, 0)).toBe(8);
  });

  it('transitions between consecutive offsets', async () => {
    const rows = await rowsFor(source, { indicator: 'transitions' });
    const t = (offset: number, from: string, to: string) => cd(rows, { category: `${from} -> ${to}`, offset });
    expect(t(0, 'po', 'po')).toEqual([1, 8]); // L11
    expect(t(0, 'po', 'vo:havo')).toEqual([1, 8]); // L1
    expect(t(3, 'vo:vmbo-b', 'left-without-startkwalificatie')).toEqual([1, 8]); // L6 2014 -> 2015
    expect(t(4, 'left-without-startkwalificatie', 'mbo-1')).toEqual([1, 8]); // L6 re-enters
    expect(t(4, 'vo:vmbo-t', 'vo:havo')).toEqual([1, 8]); // L3 stacks
    expect(t(4, 'vo:vmbo-t', 'mbo-4')).toEqual([1, 8]); // L4
    const edge = cell(rows, { category: 'vo:vmbo-t -> mbo-4', offset: 4 });
    expect([edge.from, edge.to]).toEqual(['vo:vmbo-t', 'mbo-4']);
    expect(rows.some((r) => r.offset === 7)).toBe(false);
  });
});

describe('onderbouwsnelheid', () => {
  it('per school year: grade 1-2 with a VO row a year later; promoted when the grade is higher', async () => {
    const rows = await rowsFor(source, { indicator: 'onderbouwsnelheid' });
    // 2012-2013: grade 1 L1-L7, all in grade 2 next year (L4 vwo 1 -> vmbo-t 2 too).
    expect(cd(rows, { category: 'promoted', schoolYear: '2012-2013' })).toEqual([7, 7]);
    // 2013-2014: grade 2 L1-L7 and L11; L2 repeats.
    expect(cd(rows, { category: 'promoted', schoolYear: '2013-2014' })).toEqual([7, 8]);
    // 2014-2015: only L2 still in grade 2, promoted to 3.
    expect(cd(rows, { category: 'promoted', schoolYear: '2014-2015' })).toEqual([1, 1]);
    expect(rows).toHaveLength(3);
  });

  it('by vo_school is the institution on t', async () => {
    const rows = await rowsFor(source, { indicator: 'onderbouwsnelheid', by: ['vo_school'] });
    // 2013-2014: VO1 L1 L7 L11 (3/3); VO2 L2 L3 L4 L5 (L2 repeats: 3/4) — L4 counts under VO2, where it is on t.
    expect(cd(rows, { category: 'promoted', schoolYear: '2013-2014', group: { vo_school: 'VO1' } })).toEqual([3, 3]);
    expect(cd(rows, { category: 'promoted', schoolYear: '2013-2014', group: { vo_school: 'VO2' } })).toEqual([3, 4]);
    expect(cd(rows, { category: 'promoted', schoolYear: '2012-2013', group: { vo_school: 'VO1' } })).toEqual([3, 3]); // L1 L4 L7
  });
});

describe('bovenbouwsucces', () => {
  it('per school year and afdeling: grade 3 or higher; success = a higher grade, not lower in level, next year or a VO diploma in t', async () => {
    const rows = await rowsFor(source, { indicator: 'bovenbouwsucces' });
    const bs = (schoolYear: string, afdeling: string) => cd(rows, { category: 'success', schoolYear, group: { afdeling } });
    // 2014-2015, grade 3: havo L1 L5 L11 (all to havo 4); vmbo-gt L3 L4 (t3 -> t4); vwo L7 (-> vwo 4);
    // vmbo-b L6 leaves without a diploma. L2 is still in k2 (repeating).
    expect(bs('2014-2015', 'havo')).toEqual([3, 3]);
    expect(bs('2014-2015', 'vmbo-gt')).toEqual([2, 2]);
    expect(bs('2014-2015', 'vwo')).toEqual([1, 1]);
    expect(bs('2014-2015', 'vmbo-b')).toEqual([0, 1]);
    // 2015-2016: havo L1 L5 L11 (h4 -> h5); vmbo-k L2 (k3 -> k4); vmbo-gt L3 L4 (diplomas); vwo L7.
    expect(bs('2015-2016', 'havo')).toEqual([3, 3]);
    expect(bs('2015-2016', 'vmbo-k')).toEqual([1, 1]);
    expect(bs('2015-2016', 'vmbo-gt')).toEqual([2, 2]);
    // 2016-2017: havo L1 L11 (diplomas), L3 (havo 4 -> 5 after stacking), L5 (h5 again, no diploma yet): 3 of 4;
    // vmbo-k L2 (diploma); vwo L7 (vwo 5 -> 6).
    expect(bs('2016-2017', 'havo')).toEqual([3, 4]);
    expect(bs('2016-2017', 'vmbo-k')).toEqual([1, 1]);
    expect(bs('2016-2017', 'vwo')).toEqual([1, 1]);
    // 2017-2018: havo L3 L5 (diplomas), vwo L7 (diploma).
    expect(bs('2017-2018', 'havo')).toEqual([2, 2]);
    expect(bs('2017-2018', 'vwo')).toEqual([1, 1]);
    // 2018-2019 is the newest covered year: its t+1 is not covered, so it is left out.
    expect([...new Set(rows.map((r) => r.schoolYear))]).toEqual(['2014-2015', '2015-2016', '2016-2017', '2017-2018']);
    expect(rows.every((r) => r.group['afdeling'] !== undefined)).toBe(true);
  });
});

describe('early-leavers', () => {
  it('everyone, per school year and sector; only years whose t+1 is covered; 23 and older excluded', async () => {
    const rows = await rowsFor(source, { indicator: 'early-leavers', cohort: null });
    const el = (schoolYear: string, sector: string) => cd(rows, { category: 'early-leaver', schoolYear, group: { sector } });
    // vo 2012-2013: L1-L8 = 8. 2013-2014: + L9 L11 = 10. 2014-2015: 10, L6 leaves (no row 2015, no diploma).
    expect(el('2012-2013', 'vo')).toEqual([0, 8]);
    expect(el('2013-2014', 'vo')).toEqual([0, 10]);
    expect(el('2014-2015', 'vo')).toEqual([1, 10]);
    // 2015-2016: without L6: 9. 2016-2017: L1 L2 L3 L5 L7 L9 L11 = 7.
    expect(el('2015-2016', 'vo')).toEqual([0, 9]);
    expect(el('2016-2017', 'vo')).toEqual([0, 7]);
    // 2017-2018: L3 L5 L7 L9; L5 has no 2018 row but its havo diploma (2018-06-30) is a startkwalificatie.
    expect(el('2017-2018', 'vo')).toEqual([0, 4]);
    // mbo 2016-2017: L4 L6 L8. 2017-2018: L2 L4 L6 L8; L6 leaves again; L8's mbo-2 diploma counts.
    expect(el('2016-2017', 'mbo')).toEqual([0, 3]);
    expect(el('2017-2018', 'mbo')).toEqual([1, 4]);
    // L12 (born 1990-01) is 23 on 2013-10-01: no mbo 2013-2014 row at all.
    expect(rows.some((r) => r.schoolYear === '2013-2014' && r.group['sector'] === 'mbo')).toBe(false);
    expect(rows.some((r) => r.schoolYear === '2018-2019')).toBe(false);
  });

  it('with a cohort: that cohort only', async () => {
    const rows = await rowsFor(source, { indicator: 'early-leavers' });
    const el = (schoolYear: string, sector: string) => cd(rows, { category: 'early-leaver', schoolYear, group: { sector } });
    expect(el('2014-2015', 'vo')).toEqual([1, 8]); // L1-L7, L11
    expect(el('2012-2013', 'vo')).toEqual([0, 7]); // L11 not yet in VO
    expect(el('2017-2018', 'mbo')).toEqual([1, 3]); // L2 L4 L6
  });
});

describe('stacked-routes', () => {
  it('stacking attempts with their success, and the routes', async () => {
    const rows = await rowsFor(source, { indicator: 'stacked-routes' });
    // Attempts: L3 vmbo-t diploma 2016 -> havo 4 on 2016-10-01, havo diploma 2018: a success;
    // L4 mbo-4 diploma 2018 -> hbo on 2018-10-01, no hbo diploma yet: a failed (or not yet) attempt.
    // L4's vmbo-t -> mbo-4 and everyone's havo/vwo -> hbo/wo are the usual next step, not stacking.
    expect(cd(rows, { family: 'attempt', category: 'vmbo-t > havo' })).toEqual([1, 8]);
    expect(cd(rows, { family: 'attempt', category: 'mbo-4 > hbo' })).toEqual([1, 8]);
    expect(cd(rows, { category: 'vmbo-t > havo | success' })).toEqual([1, 1]);
    expect(cd(rows, { category: 'mbo-4 > hbo | success' })).toEqual([0, 1]);
    expect(rows.filter((r) => r.family === 'attempt')).toHaveLength(2);
    // Routes: L3 vmbo-t > havo > hbo; L4 vmbo-t > mbo-4 > hbo; the six others made no attempt.
    expect(cd(rows, { family: 'route', category: 'vmbo-t > havo > hbo' })).toEqual([1, 8]);
    expect(cd(rows, { family: 'route', category: 'vmbo-t > mbo-4 > hbo' })).toEqual([1, 8]);
    expect(cd(rows, { category: 'not-stacked' })).toEqual([6, 8]);
  });
});

describe('flows', () => {
  it('advice -> leerjaar 1 -> leerjaar 3 -> highest VO diploma -> first post-VO enrolment', async () => {
    const rows = await rowsFor(source, { indicator: 'flows' });
    expect(cd(rows, { category: 'advice:havo -> lj1:havo' })).toEqual([1, 8]); // L1
    expect(cd(rows, { category: 'advice:havo -> lj1:vmbo-t/havo' })).toEqual([1, 8]); // L5 (revised advice)
    expect(cd(rows, { category: 'advice:havo -> lj1:none' })).toEqual([1, 8]); // L11 entered in grade 2
    expect(cd(rows, { category: 'diploma:havo -> next:hbo' })).toEqual([3, 8]); // L1 L3 L11
    expect(cd(rows, { category: 'diploma:havo -> next:none' })).toEqual([1, 8]); // L5
    expect(cd(rows, { category: 'diploma:none -> next:mbo-1' })).toEqual([1, 8]); // L6
    // Node totals: year 3 havo L1 L5 L11, vmbo-t L3 L4, vmbo-k L2, vmbo-b L6, vwo L7; highest diploma havo L1 L3 L5 L11.
    expect(cd(rows, { family: 'node lj3', category: 'lj3:havo' })).toEqual([3, 8]);
    expect(cd(rows, { family: 'node lj3', category: 'lj3:vmbo-t' })).toEqual([2, 8]);
    expect(cd(rows, { family: 'node diploma', category: 'diploma:havo' })).toEqual([4, 8]);
    expect(cd(rows, { family: 'node next', category: 'next:none' })).toEqual([1, 8]); // L5 (left with a diploma, no next row)
    // diploma:havo = the edges into it (lj3:havo 3: L1 L5 L11; lj3:vmbo-t 1: L3) = the edges out of it (next:hbo 3, next:none 1).
    expect(cd(rows, { category: 'lj3:havo -> diploma:havo' })).toEqual([3, 8]);
    expect(cd(rows, { category: 'lj3:vmbo-t -> diploma:havo' })).toEqual([1, 8]);
    expect(rows.filter((r) => r.family.startsWith('node ')).every((r) => r.from === undefined)).toBe(true);
    const inspectie = await rowsFor(source, { indicator: 'flows', rules: 'inspectie' });
    expect(cd(inspectie, { category: 'advice:havo -> lj1:havo' })).toEqual([2, 8]); // L1, L7 (havo/vwo collapsed)
    expect(cd(inspectie, { category: 'advice:vmbo-t -> lj1:vmbo-t' })).toEqual([2, 8]); // L3, L5
  });
});
