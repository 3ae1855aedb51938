/**
 * The definitions of packages/indicators/README.md on small hand-made logs,
 * one per question, with every expected number worked out in the comments
 * from the README (never by running the code): the cases SPEC's change of
 * definitions names, and each indicator and dimension that is new.
 */
import { describe, expect, it } from 'vitest';
import { TestLog } from '@leerroutes/pathway/testing';
import { oracleCell } from '../src/oracle/index.js';
import { cd, noStore, rowsFor, sourceOf } from './helpers.js';

const everyone = { cohort: null } as const;

describe('early-leavers: pro and vso outside the count, ages 12 to 22, by sector and level', () => {
  const log = new TestLog();
  // Complete counts on 2014-10-01 and 2015-10-01, as the import records them.
  log.covered('2014-10-01');
  log.covered('2015-10-01');
  const learner = (id: string, born: string, row: Parameters<ReturnType<TestLog['learner']>['row']>[1]) => {
    const l = log.learner(id);
    l.registered(born, 'f');
    l.row('2014-10-01', row);
    return l;
  };
  learner('E1', '2000-01', { institution: 'S3', level: 'pro', grade: 3 }); // a pro leaver: outside the count
  learner('E2', '2000-01', { institution: 'S3', level: 'vso', grade: 3 }); // a vso leaver: outside the count
  learner('E3', '2002-10', { institution: 'S3', level: 'vmbo-b', grade: 1 }); // 12 on 2014-10-01 (born 2002-10-01): counted, leaves
  learner('E4', '2002-11', { institution: 'S3', level: 'vmbo-b', grade: 1 }); // still 11: outside
  learner('E5', '1991-10', { sector: 'mbo', institution: 'ROC', level: 'mbo-2', grade: 1 }); // turns 23 that day: outside
  learner('E6', '1991-11', { sector: 'mbo', institution: 'ROC', level: 'mbo-2', grade: 1 }); // 22: counted, leaves
  learner('E7', '2000-01', { institution: 'S1', level: 'havo', grade: 3 }).row('2015-10-01', { institution: 'S1', level: 'havo', grade: 4 }); // stays
  learner('E8', '1996-01', { sector: 'mbo', institution: 'ROC', level: 'mbo-2', grade: 2 }).diploma('2015-06-30', 'mbo-2', 'ROC'); // leaves with a startkwalificatie
  learner('E9', '2000-01', { institution: 'S2', level: 'vmbo-k/t', grade: 3 }).diploma('2015-06-30', 'vmbo-k', 'S2'); // a vmbo diploma is none: leaves
  const source = sourceOf(log);

  it('per school year and sector', async () => {
    const rows = await rowsFor(source, { indicator: 'early-leavers', ...everyone });
    // vo 2014-2015: E3, E7, E9 (E1 pro, E2 vso, E4 aged 11 left out); E3 and E9 have no row in 2015.
    expect(cd(rows, { category: 'early-leaver', schoolYear: '2014-2015', group: { sector: 'vo' } })).toEqual([2, 3]);
    // mbo 2014-2015: E6, E8 (E5 is 23); E6 leaves, E8's mbo-2 diploma is a startkwalificatie.
    expect(cd(rows, { category: 'early-leaver', schoolYear: '2014-2015', group: { sector: 'mbo' } })).toEqual([1, 2]);
    // 2015-2016's next year is not covered.
    expect(rows.every((r) => r.schoolYear === '2014-2015')).toBe(true);
  });

  it('by level: the level on t, as registered', async () => {
    const rows = await rowsFor(source, { indicator: 'early-leavers', ...everyone, by: ['level'] });
    const el = (level: string, sector: string) => cd(rows, { category: 'early-leaver', schoolYear: '2014-2015', group: { level, sector } });
    expect(el('vmbo-b', 'vo')).toEqual([1, 1]); // E3
    expect(el('vmbo-k/t', 'vo')).toEqual([1, 1]); // E9
    expect(el('havo', 'vo')).toEqual([0, 1]); // E7
    expect(el('mbo-2', 'mbo')).toEqual([1, 2]); // E6, E8
    expect(rows.some((r) => r.group['level'] === 'pro' || r.group['level'] === 'vso')).toBe(false);
  });
});

describe('bovenbouwsucces: grade 3 or higher per afdeling; moving down a level is not success', () => {
  const log = new TestLog();
  const two = (id: string, a: [string, number, string?], b: [string, number, string?] | null) => {
    const l = log.learner(id);
    l.row('2014-10-01', { institution: a[2] ?? 'S1', level: a[0], grade: a[1] });
    if (b) l.row('2015-10-01', { sector: b[2] === 'mbo' ? 'mbo' : 'vo', institution: b[2] === 'mbo' ? 'ROC' : 'S1', level: b[0], grade: b[1] });
    return l;
  };
  two('B1', ['havo', 3], ['havo', 4]); // havo 3 counts: success
  two('B2', ['vwo', 4], ['havo', 5]); // higher grade, lower level: not success
  two('B3', ['vmbo-g', 3], ['vmbo-t', 4]); // vmbo-g and vmbo-t are one afdeling and one rank: success
  two('B4', ['pro', 3], ['pro', 4]); // outside
  two('B5', ['vso', 3], ['vso', 4]); // outside
  two('B6', ['havo/vwo', 3], ['vwo', 4]); // afdeling havo (the lower level); up a level: success
  two('B7', ['vmbo-t', 4], ['mbo-4', 1, 'mbo']).diploma('2015-06-30', 'vmbo-t', 'S1'); // a VO diploma in t: success
  two('B8', ['havo', 5], ['havo', 5]); // no diploma, same grade: not success
  two('B9', ['vwo', 2], ['vwo', 3]); // grade 2: outside
  const source = sourceOf(log);

  it('per afdeling', async () => {
    const rows = await rowsFor(source, { indicator: 'bovenbouwsucces', ...everyone });
    const bs = (afdeling: string) => cd(rows, { category: 'success', schoolYear: '2014-2015', group: { afdeling } });
    expect(bs('havo')).toEqual([2, 3]); // B1, B6 of B1, B6, B8
    expect(bs('vwo')).toEqual([0, 1]); // B2
    expect(bs('vmbo-gt')).toEqual([2, 2]); // B3, B7
    expect(rows.filter((r) => r.schoolYear === '2014-2015')).toHaveLength(3);
  });

  it('by level, with the afdeling it belongs to', async () => {
    const rows = await rowsFor(source, { indicator: 'bovenbouwsucces', ...everyone, by: ['level'] });
    expect(cd(rows, { category: 'success', schoolYear: '2014-2015', group: { level: 'havo', afdeling: 'havo' } })).toEqual([1, 2]); // B1, B8
    expect(cd(rows, { category: 'success', schoolYear: '2014-2015', group: { level: 'havo/vwo', afdeling: 'havo' } })).toEqual([1, 1]); // B6
  });
});

describe('streams: a repeat is a step within one level', () => {
  const log = new TestLog();
  const S1 = log.learner('S1'); // vwo 3 -> havo 3: afstroom, not a repeat
  S1.advice('2012-02-01', 'final', 'vwo');
  ['vwo', 'vwo', 'vwo', 'havo', 'havo'].forEach((level, i) => S1.row(`${2012 + i}-10-01`, { institution: 'V', level, grade: [1, 2, 3, 3, 4][i]! }));
  const S2 = log.learner('S2'); // havo 2 twice: a repeat
  S2.advice('2012-02-01', 'final', 'havo');
  [1, 2, 2, 3].forEach((grade, i) => S2.row(`${2012 + i}-10-01`, { institution: 'V', level: 'havo', grade }));
  const S3 = log.learner('S3'); // vmbo-t/havo 1 -> vmbo-t 1: half-afstroom under monitor, a repeat under inspectie (both collapse to vmbo-t)
  S3.advice('2012-02-01', 'final', 'vmbo-t/havo');
  S3.row('2012-10-01', { institution: 'V', level: 'vmbo-t/havo', grade: 1 });
  S3.row('2013-10-01', { institution: 'V', level: 'vmbo-t', grade: 1 });
  const source = sourceOf(log);

  it('monitor', async () => {
    const rows = await rowsFor(source, { indicator: 'streams' });
    // Offset 1 (2012 -> 2013): S1 vwo 1 -> 2, S2 havo 1 -> 2 gelijk; S3 half-afstroom, not a repeat.
    expect(cd(rows, { category: 'gelijk', offset: 1 })).toEqual([2, 3]);
    expect(cd(rows, { category: 'half-afstroom', offset: 1 })).toEqual([1, 3]);
    expect(cd(rows, { category: 'repeated', offset: 1 })).toEqual([0, 3]);
    // Offset 2: S1 vwo 2 -> 3, S2 havo 2 -> 2 (a repeat).
    expect(cd(rows, { category: 'repeated', offset: 2 })).toEqual([1, 2]);
    // Offset 3: S1 vwo 3 -> havo 3 (afstroom, same grade: not doubleren), S2 havo 2 -> 3.
    expect(cd(rows, { category: 'afstroom', offset: 3 })).toEqual([1, 2]);
    expect(cd(rows, { category: 'repeated', offset: 3 })).toEqual([0, 2]);
    expect(cd(rows, { category: 'gelijk', offset: 4 })).toEqual([1, 1]); // S1 havo 3 -> 4
  });

  it('inspectie: S3 stays in vmbo-t grade 1, a repeat', async () => {
    const rows = await rowsFor(source, { indicator: 'streams', rules: 'inspectie' });
    expect(cd(rows, { category: 'gelijk', offset: 1 })).toEqual([3, 3]);
    expect(cd(rows, { category: 'repeated', offset: 1 })).toEqual([1, 3]);
  });
});

describe('leerjaar3 cohorts', () => {
  const log = new TestLog();
  log.institution('S1', 'B1');
  log.institution('S2', 'B1');
  log.institution('S3', 'B2');
  const Y1 = log.learner('Y1'); // havo 1-2 at S1, havo 3 at S2 in 2014: gelijk, reported under S2
  Y1.advice('2012-02-01', 'final', 'havo');
  Y1.row('2012-10-01', { institution: 'S1', level: 'havo', grade: 1 });
  Y1.row('2013-10-01', { institution: 'S1', level: 'havo', grade: 2 });
  Y1.row('2014-10-01', { institution: 'S2', level: 'havo', grade: 3 });
  const Y2 = log.learner('Y2'); // enters in vmbo-t 3 without an advice: no-advice
  Y2.row('2014-10-01', { institution: 'S3', level: 'vmbo-t', grade: 3 });
  const Y3 = log.learner('Y3'); // year 3 in 2015: another cohort
  Y3.advice('2013-02-01', 'final', 'vwo');
  [1, 2, 3].forEach((grade) => Y3.row(`${2012 + grade}-10-01`, { institution: 'S1', level: 'vwo', grade }));
  const Y4 = log.learner('Y4'); // havo advice, vwo 3 in 2014 at S1: opstroom
  Y4.advice('2012-02-01', 'final', 'havo');
  Y4.row('2013-10-01', { institution: 'S1', level: 'vwo', grade: 2 });
  Y4.row('2014-10-01', { institution: 'S1', level: 'vwo', grade: 3 });
  const source = sourceOf(log);
  const lj3 = { cohortType: 'leerjaar3', cohort: '2014-2015' } as const;

  it('holds the learners whose earliest grade-3 row is that year', async () => {
    expect((await source.cohortPathways('leerjaar3', 'monitor', '2014-2015')).map((p) => p.learnerId).sort()).toEqual(['Y1', 'Y2', 'Y4']);
    expect((await source.cohortPathways('leerjaar3', 'inspectie', '2015-2016')).map((p) => p.learnerId)).toEqual(['Y3']);
  });

  it('advice-position: no-advice without a reference advice; vo_school is the school in year 3', async () => {
    const rows = await rowsFor(source, { indicator: 'advice-position', ...lj3 });
    expect(cd(rows, { category: 'gelijk' })).toEqual([1, 3]); // Y1
    expect(cd(rows, { category: 'opstroom' })).toEqual([1, 3]); // Y4
    expect(cd(rows, { category: 'no-advice' })).toEqual([1, 3]); // Y2
    const bySchool = await rowsFor(source, { indicator: 'advice-position', ...lj3, by: ['vo_school'] });
    expect(cd(bySchool, { category: 'gelijk', group: { vo_school: 'S2' } })).toEqual([1, 1]); // Y1 was at S1 in years 1-2
    expect(cd(bySchool, { category: 'no-advice', group: { vo_school: 'S3' } })).toEqual([1, 1]);
    expect(cd(bySchool, { category: 'opstroom', group: { vo_school: 'S1' } })).toEqual([1, 1]);
    const byBoard = await rowsFor(source, { indicator: 'advice-position', ...lj3, by: ['board'] });
    expect(cd(byBoard, { category: 'gelijk', group: { board: 'B1' } })).toEqual([1, 2]); // Y1 (S2), Y4 (S1)
  });

  it('offsets count from year 3: the distribution at offset 0 is the year-3 class', async () => {
    const rows = await rowsFor(source, { indicator: 'distribution', ...lj3 });
    expect(cd(rows, { category: 'vo:havo', offset: 0 })).toEqual([1, 3]);
    expect(cd(rows, { category: 'vo:vmbo-t', offset: 0 })).toEqual([1, 3]);
    expect(cd(rows, { category: 'vo:vwo', offset: 0 })).toEqual([1, 3]);
  });
});

describe('stacked-routes: attempts, their success, and routes', () => {
  const log = new TestLog();
  const learner = (id: string) => {
    const l = log.learner(id);
    l.advice('2009-02-01', 'final', 'vmbo-t');
    return l;
  };
  const A1 = learner('A1'); // vmbo-t diploma -> havo 4 on the next count, no havo diploma: a failed attempt
  A1.row('2013-10-01', { institution: 'V', level: 'vmbo-t', grade: 4 });
  A1.diploma('2014-06-30', 'vmbo-t', 'V');
  A1.row('2014-10-01', { institution: 'V', level: 'havo', grade: 4 });
  A1.row('2015-10-01', { institution: 'V', level: 'havo', grade: 5 });
  const A2 = learner('A2'); // havo diploma -> vwo 5 -> vwo diploma: a success
  A2.row('2013-10-01', { institution: 'V', level: 'havo', grade: 5 });
  A2.diploma('2014-06-30', 'havo', 'V');
  A2.row('2014-10-01', { institution: 'V', level: 'vwo', grade: 5 });
  A2.diploma('2015-06-30', 'vwo', 'V');
  const A3 = learner('A3'); // vmbo-t diploma, a year out, then havo 4: not on the next count, no attempt
  A3.row('2013-10-01', { institution: 'V', level: 'vmbo-t', grade: 4 });
  A3.diploma('2014-06-30', 'vmbo-t', 'V');
  A3.left('2014-10-01', false);
  A3.row('2015-10-01', { institution: 'V', level: 'havo', grade: 4 });
  const A4 = learner('A4'); // mbo-2 diploma -> mbo-3 -> mbo-3 diploma: a success
  A4.row('2013-10-01', { sector: 'mbo', institution: 'ROC', level: 'mbo-2', grade: 2 });
  A4.diploma('2014-06-30', 'mbo-2', 'ROC');
  A4.row('2014-10-01', { sector: 'mbo', institution: 'ROC', level: 'mbo-3', grade: 1 });
  A4.diploma('2015-06-30', 'mbo-3', 'ROC');
  const source = sourceOf(log);

  it('one row per attempt kind, success per attempt, and the route (an attempt kind and a route may share a name)', async () => {
    const rows = await rowsFor(source, { indicator: 'stacked-routes', cohort: '2008-2009' });
    // Attempts of the 4 cohort learners: A1 vmbo-t > havo, A2 havo > vwo, A4 mbo-2 > mbo-3.
    expect(cd(rows, { family: 'attempt', category: 'vmbo-t > havo' })).toEqual([1, 4]);
    expect(cd(rows, { family: 'attempt', category: 'havo > vwo' })).toEqual([1, 4]);
    expect(cd(rows, { family: 'attempt', category: 'mbo-2 > mbo-3' })).toEqual([1, 4]);
    expect(cd(rows, { category: 'vmbo-t > havo | success' })).toEqual([0, 1]);
    expect(cd(rows, { category: 'havo > vwo | success' })).toEqual([1, 1]);
    expect(cd(rows, { category: 'mbo-2 > mbo-3 | success' })).toEqual([1, 1]);
    // Routes: A1 vmbo-t diploma then havo (the last row, after it); A2 havo > vwo (diplomas; the vwo row is before the
    // vwo diploma); A4 mbo-2 > mbo-3; A3 made no attempt.
    expect(cd(rows, { family: 'route', category: 'vmbo-t > havo' })).toEqual([1, 4]);
    expect(cd(rows, { family: 'route', category: 'havo > vwo' })).toEqual([1, 4]);
    expect(cd(rows, { family: 'route', category: 'mbo-2 > mbo-3' })).toEqual([1, 4]);
    expect(cd(rows, { family: 'route', category: 'not-stacked' })).toEqual([1, 4]);
  });
});

describe('advice-test', () => {
  const log = new TestLog();
  const learner = (id: string, advice: string | null, score: number | null, indicated: string | null) => {
    const l = log.learner(id);
    if (score !== null) l.testScore('2012-01-15', score, indicated);
    if (advice) l.advice('2012-02-01', 'final', advice);
    l.row('2012-10-01', { institution: 'V', level: 'havo', grade: 1 });
  };
  learner('T1', 'havo', 538, 'havo'); // same
  learner('T2', 'vmbo-t', 541, 'havo/vwo'); // test above the advice: test-higher
  learner('T3', 'vwo', 530, 'vmbo-t'); // test-lower
  learner('T4', 'havo/vwo', 538, 'havo'); // monitor: [4,5] -> [4,4], half-afstroom: test-lower; inspectie: havo -> havo, same
  learner('T5', 'havo', null, null); // no-test
  learner('T6', 'havo', 560, null); // a score outside the bands: no-test
  learner('T7', 'vso', 538, 'havo'); // unranked advice: not-comparable
  learner('T8', null, 538, 'havo'); // in the intake cohort only: no-advice
  const source = sourceOf(log);

  it('monitor and inspectie', async () => {
    const monitor = await rowsFor(source, { indicator: 'advice-test' });
    expect([['same', 1], ['test-higher', 1], ['test-lower', 2], ['no-test', 2], ['not-comparable', 1], ['no-advice', 0]]
      .map(([c]) => cd(monitor, { category: c as string }))).toEqual([[1, 7], [1, 7], [2, 7], [2, 7], [1, 7], [0, 7]]);
    const inspectie = await rowsFor(source, { indicator: 'advice-test', rules: 'inspectie' });
    expect(cd(inspectie, { category: 'same' })).toEqual([2, 7]);
    expect(cd(inspectie, { category: 'test-lower' })).toEqual([1, 7]);
    const intake = await rowsFor(source, { indicator: 'advice-test', cohortType: 'intake', cohort: '2012-2013' });
    expect(cd(intake, { category: 'no-advice' })).toEqual([1, 8]);
  });
});

describe('advice-revisions', () => {
  const log = new TestLog();
  const R1 = log.learner('R1');
  R1.advice('2012-02-01', 'final', 'vmbo-t');
  R1.revised('2012-05-01', 'vmbo-t', 'havo'); // up
  const R2 = log.learner('R2');
  R2.advice('2012-02-01', 'final', 'havo/vwo');
  R2.revised('2012-05-01', 'havo/vwo', 'vwo'); // half-opstroom: up (inspectie: havo -> vwo)
  const R3 = log.learner('R3');
  R3.advice('2012-02-01', 'final', 'havo');
  R3.revised('2012-05-01', 'havo', 'vmbo-t'); // down (flagged)
  const R4 = log.learner('R4');
  R4.advice('2012-02-01', 'final', 'havo'); // no revision
  const R5 = log.learner('R5');
  R5.advice('2012-02-01', 'final', 'vmbo-k');
  R5.revised('2012-04-01', 'vmbo-k', 'vmbo-t'); // two revisions, both up
  R5.revised('2012-05-15', 'vmbo-t', 'havo');
  const source = sourceOf(log);

  it('learners revised, revisions by direction and as pairs', async () => {
    const rows = await rowsFor(source, { indicator: 'advice-revisions' });
    expect(cd(rows, { category: 'revised' })).toEqual([4, 5]); // R1 R2 R3 R5 of 5
    // 5 revisions (R1, R2, R3 one each, R5 two): up R1, R2, R5 twice; down R3.
    expect(cd(rows, { category: 'up' })).toEqual([4, 5]);
    expect(cd(rows, { category: 'down' })).toEqual([1, 5]);
    expect(cd(rows, { category: 'same' })).toEqual([0, 5]);
    expect(cd(rows, { category: 'vmbo-t -> havo' })).toEqual([2, 5]); // R1, R5's second
    expect(cd(rows, { category: 'havo/vwo -> vwo' })).toEqual([1, 5]);
    expect(cd(rows, { category: 'havo -> vmbo-t' })).toEqual([1, 5]);
    expect(cd(rows, { category: 'vmbo-k -> vmbo-t' })).toEqual([1, 5]);
    const pair = rows.find((r) => r.category === 'havo -> vmbo-t')!;
    expect([pair.family, pair.from, pair.to]).toEqual(['pair', 'havo', 'vmbo-t']);
    const inspectie = await rowsFor(source, { indicator: 'advice-revisions', rules: 'inspectie' });
    expect(cd(inspectie, { category: 'havo -> vwo' })).toEqual([1, 5]); // R2's codes collapse
    expect(cd(inspectie, { category: 'up' })).toEqual([4, 5]);
  });
});

describe('time-in-vo', () => {
  const log = new TestLog();
  const rows = (id: string, level: string, grades: number[]) => {
    const l = log.learner(id);
    grades.forEach((grade, i) => l.row(`${2012 + i}-10-01`, { institution: 'V', level, grade }));
    return l;
  };
  rows('V1', 'havo', [1, 2, 3, 4, 5]).diploma('2017-06-30', 'havo', 'V'); // diploma in 2016-2017: 2016 - 2012 + 1 = 5
  rows('V2', 'vmbo-t', [1, 2, 3, 4]).diploma('2016-06-30', 'vmbo-t', 'V'); // 2015 - 2012 + 1 = 4
  rows('V3', 'vmbo-b', [1, 2, 3]); // left VO after 2014-2015: 3
  rows('V4', 'vwo', [1, 2, 3, 4, 5, 6, 6]); // still in VO on the newest count (2018-10-01): no diploma yet
  rows('V5', 'vmbo-k', [1, 2, 3, 4]).row('2016-10-01', { sector: 'mbo', institution: 'ROC', level: 'mbo-2', grade: 1 }); // left VO for mbo after 2015-2016: 4
  const source = sourceOf(log);

  it('years from placement to the first VO diploma or to leaving, and how VO ended', async () => {
    const r = await rowsFor(source, { indicator: 'time-in-vo', cohortType: 'intake', cohort: '2012-2013' });
    expect(cd(r, { category: '3' })).toEqual([1, 5]); // V3
    expect(cd(r, { category: '4' })).toEqual([2, 5]); // V2, V5
    expect(cd(r, { category: '5' })).toEqual([1, 5]); // V1
    expect(cd(r, { category: 'no-vo-diploma-yet' })).toEqual([1, 5]); // V4
    expect(cd(r, { category: 'vo-diploma' })).toEqual([2, 5]);
    expect(cd(r, { category: 'left-vo' })).toEqual([2, 5]);
    expect(cd(r, { category: 'in-vo' })).toEqual([1, 5]);
    expect(r.filter((x) => x.family === 'years').map((x) => x.category)).toEqual(['3', '4', '5', 'no-vo-diploma-yet']);
  });
});

describe('after-mbo', () => {
  const log = new TestLog();
  const graduate = (id: string, level: string, on: string, next: { sector: 'mbo' | 'hbo'; level: string } | null) => {
    const l = log.learner(id);
    l.row(`${Number(on.slice(0, 4)) - 1}-10-01`, { sector: 'mbo', institution: 'ROC', level, grade: 2 });
    l.diploma(on, level, 'ROC');
    if (next) l.row(`${on.slice(0, 4)}-10-01`, { sector: next.sector, institution: next.sector === 'hbo' ? 'HS' : 'ROC', level: next.level, grade: 1 });
  };
  graduate('M1', 'mbo-2', '2015-06-30', { sector: 'mbo', level: 'mbo-3' }); // mbo-higher
  graduate('M2', 'mbo-4', '2015-06-30', { sector: 'hbo', level: 'hbo-ba' }); // hbo
  graduate('M3', 'mbo-2', '2015-06-30', null); // not-enrolled
  graduate('M4', 'mbo-3', '2015-06-30', { sector: 'mbo', level: 'mbo-2' }); // mbo-lower
  graduate('M5', 'mbo-1', '2015-06-30', { sector: 'mbo', level: 'mbo-1' }); // mbo-same
  graduate('M6', 'mbo-2', '2016-06-30', null); // 2016-10-01 is not covered: left out
  const source = sourceOf(log);

  it('the state on the first count after an mbo diploma, by its level', async () => {
    const rows = await rowsFor(source, { indicator: 'after-mbo', ...everyone });
    const am = (level: string, category: string) => cd(rows, { category, schoolYear: '2014-2015', group: { diploma_level: level } });
    expect(am('mbo-2', 'mbo-higher')).toEqual([1, 2]); // M1 of M1, M3
    expect(am('mbo-2', 'not-enrolled')).toEqual([1, 2]); // M3
    expect(am('mbo-4', 'hbo')).toEqual([1, 1]);
    expect(am('mbo-3', 'mbo-lower')).toEqual([1, 1]);
    expect(am('mbo-1', 'mbo-same')).toEqual([1, 1]);
    expect(rows.some((r) => r.schoolYear === '2015-2016')).toBe(false);
  });
});

describe('vmbo-mbo-loss', () => {
  const log = new TestLog();
  log.institution('S1', 'B1');
  log.institution('S3', 'B2');
  const K = (id: string, level: string, school: string, diplomaOn: string, next: 'mbo' | 'vo' | null) => {
    const l = log.learner(id);
    const year = Number(diplomaOn.slice(0, 4));
    l.row(`${year - 1}-10-01`, { institution: school, level, grade: 4 });
    l.diploma(diplomaOn, level, school);
    if (next === 'mbo') l.row(`${year}-10-01`, { sector: 'mbo', institution: 'ROC', level: 'mbo-2', grade: 1 });
    if (next === 'vo') l.row(`${year}-10-01`, { institution: school, level: 'havo', grade: 4 });
  };
  K('K1', 'vmbo-b', 'S3', '2015-06-30', 'mbo'); // on to mbo
  K('K2', 'vmbo-t', 'S1', '2015-06-30', null); // enrolled nowhere: lost
  K('K3', 'vmbo-k', 'S3', '2015-06-30', 'vo'); // on in VO
  K('K4', 'havo', 'S1', '2015-06-30', null); // not a vmbo diploma
  K('K5', 'vmbo-g', 'S1', '2016-06-30', null); // 2016-2017 not covered
  const source = sourceOf(log);

  it('per school year, by the school of the diploma and its board', async () => {
    expect(cd(await rowsFor(source, { indicator: 'vmbo-mbo-loss', ...everyone }), { category: 'lost', schoolYear: '2014-2015' })).toEqual([1, 3]);
    const bySchool = await rowsFor(source, { indicator: 'vmbo-mbo-loss', ...everyone, by: ['vo_school'] });
    expect(cd(bySchool, { category: 'lost', schoolYear: '2014-2015', group: { vo_school: 'S1' } })).toEqual([1, 1]);
    expect(cd(bySchool, { category: 'lost', schoolYear: '2014-2015', group: { vo_school: 'S3' } })).toEqual([0, 2]);
    const byBoard = await rowsFor(source, { indicator: 'vmbo-mbo-loss', ...everyone, by: ['board'] });
    expect(cd(byBoard, { category: 'lost', schoolYear: '2014-2015', group: { board: 'B2' } })).toEqual([0, 2]);
  });
});

describe('school-profile, school groups', () => {
  const log = new TestLog();
  log.institution('S1', 'B1');
  log.institution('S2', 'B1');
  log.schoolGroup('S1', 'pilot', '2013-08-01');
  log.schoolGroup('S2', 'comparison', '2012-08-01', '2014-07-31');
  log.schoolGroup('S2', 'alpha', '2013-01-01', '2013-12-31'); // S2 in two groups on 2013-08-01: the alphabetically first
  const steps = (id: string, rows: [string, string, number][]) => {
    const l = log.learner(id);
    rows.forEach(([school, level, grade], i) => l.row(`${2012 + i}-10-01`, { institution: school, level, grade }));
  };
  steps('P1', [['S1', 'havo', 1], ['S1', 'havo', 2], ['S1', 'havo', 3]]);
  steps('P2', [['S1', 'havo', 1], ['S1', 'havo', 1], ['S1', 'havo', 2]]);
  steps('P3', [['S1', 'havo', 1], ['S2', 'vmbo-t', 2], ['S2', 'vmbo-t', 3]]);
  steps('P4', [['S1', 'havo', 1], ['S1', 'vwo', 2], ['S1', 'vwo', 3]]);
  const source = sourceOf(log);

  it('yearly rows per school, and pooled rows with the spread of the yearly rates', async () => {
    const rows = await rowsFor(source, { indicator: 'school-profile', ...everyone });
    const sp = (school: string, schoolYear: string | null, category: string) => cd(rows, { category, schoolYear, group: { vo_school: school } });
    // S1, 2012-2013: P1 gelijk, P2 gelijk and repeated, P3 afstroom to S2 (switched), P4 opstroom: 4 steps.
    expect(sp('S1', '2012-2013', 'gelijk')).toEqual([2, 4]);
    expect(sp('S1', '2012-2013', 'repeated')).toEqual([1, 4]);
    expect(sp('S1', '2012-2013', 'switched-school')).toEqual([1, 4]);
    // S1, 2013-2014: P1, P2, P4 gelijk. S2, 2013-2014: P3 gelijk.
    expect(sp('S1', '2013-2014', 'gelijk')).toEqual([3, 3]);
    expect(sp('S2', '2013-2014', 'gelijk')).toEqual([1, 1]);
    // Pooled: S1 gelijk 5 of 7; yearly rates 50 and 100: mean 75, population sd 25.
    const pooled = rows.find((r) => r.group['vo_school'] === 'S1' && r.schoolYear === null && r.category === 'gelijk')!;
    expect([pooled.count, pooled.denominator, pooled.percent]).toEqual([5, 7, 71.4]);
    expect(pooled.spread).toEqual({ years: 2, min: 50, max: 100, sd: 25 });
    // repeated: 25 and 0, sd 12.5; S2 has one year.
    expect(rows.find((r) => r.group['vo_school'] === 'S1' && r.schoolYear === null && r.category === 'repeated')!.spread).toEqual({ years: 2, min: 0, max: 25, sd: 12.5 });
    expect(rows.find((r) => r.group['vo_school'] === 'S2' && r.schoolYear === null && r.category === 'gelijk')!.spread).toEqual({ years: 1, min: 100, max: 100, sd: 0 });
    // Yearly rows carry no spread; pooled rows come after a school's years.
    expect(rows.filter((r) => r.schoolYear !== null).every((r) => r.spread === undefined)).toBe(true);
  });

  it('explains a pooled cell by the learners of every year', async () => {
    const request = { indicator: 'school-profile', cohortType: 'advice', cohort: null, rules: 'monitor', by: [] } as const;
    const deps = { pathways: source, store: noStore };
    expect(await oracleCell(request, { group: { vo_school: 'S1' }, offset: null, schoolYear: null, category: 'gelijk' }, deps)).toEqual({ learnerIds: ['P1', 'P2', 'P4'] });
    expect(await oracleCell(request, { group: { vo_school: 'S1' }, offset: null, schoolYear: '2012-2013', category: 'afstroom' }, deps)).toEqual({ learnerIds: ['P3'] });
  });

  it('the school group valid on 1 August of each year', async () => {
    const rows = await rowsFor(source, { indicator: 'school-profile', ...everyone, by: ['school_group'] });
    // S1 joins the pilot on 2013-08-01: none in 2012-2013, pilot in 2013-2014.
    expect(cd(rows, { category: 'gelijk', schoolYear: '2012-2013', group: { school_group: 'none', vo_school: 'S1' } })).toEqual([2, 4]);
    expect(cd(rows, { category: 'gelijk', schoolYear: '2013-2014', group: { school_group: 'pilot', vo_school: 'S1' } })).toEqual([3, 3]);
    // S2 on 2013-08-01 is in comparison and alpha: alpha comes first.
    expect(cd(rows, { category: 'gelijk', schoolYear: '2013-2014', group: { school_group: 'alpha', vo_school: 'S2' } })).toEqual([1, 1]);
  });
});

describe('school_weight_group: terciles of the share of weighted learners', () => {
  const log = new TestLog();
  const pupil = (id: string, school: string, weight: 0 | 0.3 | 1.2 | null) => {
    const l = log.learner(id);
    l.background('2012-01-01', { pupilWeight: weight });
    l.row('2012-10-01', { institution: school, level: 'havo', grade: 1 });
  };
  // Shares with a known weight: A 0/2, B 1/2, C 2/2, E 1/1; D none known.
  pupil('A1', 'A', 0); pupil('A2', 'A', 0);
  pupil('B1', 'B', 0); pupil('B2', 'B', 1.2);
  pupil('C1', 'C', 0.3); pupil('C2', 'C', 0.3);
  pupil('E1', 'E', 1.2);
  pupil('D1', 'D', null);
  const source = sourceOf(log);

  it('ordered by share, ties by code, cut as ntile(3): low A B, middle C, high E; D unknown', async () => {
    const rows = await rowsFor(source, { indicator: 'distribution', cohortType: 'intake', cohort: '2012-2013', by: ['school_weight_group'] });
    const n = (g: string) => cd(rows, { category: 'vo:havo', offset: 0, group: { school_weight_group: g } })[0];
    expect([n('low'), n('middle'), n('high'), n('unknown')]).toEqual([4, 2, 1, 1]);
  });
});
