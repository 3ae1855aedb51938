import { describe, expect, it } from 'vitest';
import { MONITOR } from '@leerroutes/domain';
import { foldPathway, foldRecords, isRepeat, stateOn, routeOf, voSteps } from '../src/index.js';
import { TestLog } from '../test-support/builder.js';

describe('foldPathway', () => {
  it('is JSON-serialisable and folds registration, background, advice and rows', () => {
    const log = new TestLog();
    const l = log.learner('A');
    l.registered('2000-03', 'f');
    l.background('2011-08-01', { pupilWeight: 0.3, parentalEducation: 'low', area: 'ZUID', areaParents: ['RDAM', 'NL'] });
    l.background('2014-08-01', { pupilWeight: 0, parentalEducation: 'low', area: 'NOORD' });
    l.testScore('2012-04-15', 538, 'havo');
    l.advice('2011-11-01', 'provisional', 'havo');
    const final = l.advice('2012-02-01', 'final', 'havo/vwo');
    const rev = l.revised('2012-05-20', 'havo/vwo', 'vwo');
    l.row('2012-10-01', { institution: 'VO1', level: 'havo/vwo', grade: 1 });
    const step = l.row('2013-10-01', { institution: 'VO2', level: 'havo', grade: 2 });
    const p = foldPathway('A', log.eventsOf('A'));
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
    expect(p.registration?.birthMonth).toBe('2000-03');
    expect(p.background.map((b) => b.validFrom)).toEqual(['2011-08-01', '2014-08-01']);
    expect(p.testScore?.score).toBe(538);
    // inspectie: the first final advice as given; monitor: the latest after revision.
    expect(p.referenceAdvice['inspectie']?.eventId).toBe(final);
    expect(p.referenceAdvice['monitor']?.eventId).toBe(rev);
    expect(p.referenceAdvice['monitor']?.level.code).toBe('vwo');
    expect(p.adviceCohort).toEqual({ monitor: '2011-2012', inspectie: '2011-2012' });
    expect(p.intakeCohort).toBe('2012-2013');
    expect(p.timeline).toHaveLength(2);
    // switch + level change + promotion: three events, one row.
    expect(step).toHaveLength(3);
    expect(p.timeline[1]!.events.map((e) => e.eventId)).toEqual(step);
    expect(p.timeline[1]!.institution).toBe('VO2');
    const { learnerId, registration, background, testScore, advices, timeline, diplomas, left, reEntered, lastPosition } = p;
    expect(foldRecords('A', log.eventsOf('A'))).toEqual({ learnerId, registration, background, testScore, advices, timeline, diplomas, left, reEntered, lastPosition });
  });

  it('applies Retracted only when the retraction itself is in the input', () => {
    const log = new TestLog();
    const l = log.learner('B');
    l.advice('2012-02-01', 'final', 'havo');
    log.knownAt = '2013-01-01';
    const [wrong] = l.row('2012-10-01', { institution: 'VO1', level: 'vmbo-t', grade: 1 });
    log.knownAt = '2014-06-01';
    l.retract('2012-10-01', [wrong!]);
    l.resetState();
    l.row('2012-10-01', { institution: 'VO1', level: 'havo', grade: 1 });
    const before = foldPathway('B', log.eventsOf('B', '2013-12-31'));
    const after = foldPathway('B', log.eventsOf('B', '2014-06-01'));
    expect(before.timeline.map((r) => r.level.code)).toEqual(['vmbo-t']);
    expect(after.timeline.map((r) => r.level.code)).toEqual(['havo']);
    expect(after.retractedEventIds).toEqual([wrong]);
  });

  it('a retracted retraction restores its targets', () => {
    const log = new TestLog();
    const l = log.learner('B2');
    const d = l.diploma('2016-06-30', 'havo', 'VO1');
    const r = l.retract('2016-06-30', [d]);
    expect(foldPathway('B2', log.eventsOf('B2')).diplomas).toHaveLength(0);
    l.retract('2016-06-30', [r]);
    expect(foldPathway('B2', log.eventsOf('B2')).diplomas).toHaveLength(1);
  });

  it('folds in valid-time order, not append order: a late correction lands in its own year', () => {
    const log = new TestLog();
    const l = log.learner('C');
    l.advice('2012-02-01', 'final', 'havo');
    const first = l.advice('2013-02-01', 'final', 'vwo');
    // Appended later, valid earlier: the 2011 final advice is the first final one.
    const early = l.advice('2011-03-01', 'final', 'vmbo-t');
    const p = foldPathway('C', [...log.eventsOf('C')].reverse());
    expect(p.referenceAdvice['inspectie']?.eventId).toBe(early);
    expect(p.referenceAdvice['monitor']?.eventId).toBe(first);
    expect(p.adviceCohort['inspectie']).toBe('2010-2011');
  });

  it('has no intake cohort when the first VO row is not grade 1, and no advice cohort from a provisional advice', () => {
    const log = new TestLog();
    const l = log.learner('D');
    l.advice('2011-11-01', 'provisional', 'havo');
    l.row('2013-10-01', { institution: 'VO1', level: 'havo', grade: 2 });
    l.row('2014-10-01', { institution: 'VO1', level: 'havo', grade: 1 });
    const p = foldPathway('D', log.eventsOf('D'));
    expect(p.intakeCohort).toBeNull();
    expect(p.adviceCohort).toEqual({ monitor: null, inspectie: null });
  });

  it('stacking learner: vmbo-t diploma -> havo 4 -> havo diploma -> hbo', () => {
    const log = new TestLog();
    const l = log.learner('S');
    l.row('2012-10-01', { institution: 'VO1', level: 'vmbo-t', grade: 1 });
    l.row('2013-10-01', { institution: 'VO1', level: 'vmbo-t', grade: 2 });
    l.row('2014-10-01', { institution: 'VO1', level: 'vmbo-t', grade: 3 });
    l.row('2015-10-01', { institution: 'VO1', level: 'vmbo-t', grade: 4 });
    l.diploma('2016-06-30', 'vmbo-t', 'VO1');
    l.row('2016-10-01', { institution: 'VO2', level: 'havo', grade: 4 });
    l.row('2017-10-01', { institution: 'VO2', level: 'havo', grade: 5 });
    l.diploma('2018-06-30', 'havo', 'VO2');
    l.row('2018-10-01', { sector: 'hbo', institution: 'HS1', level: 'hbo-ba', grade: 1 });
    const p = foldPathway('S', log.eventsOf('S'));
    expect(p.summary.route).toBe('vmbo-t > havo > hbo');
    expect(p.summary.stacked).toBe(true);
    expect(p.summary.stackSuccess).toBe(true);
    expect(p.summary.startkwalificatie).toBe(true);
    expect(p.summary.currentStatus).toBe('hbo');
    const steps = voSteps(p);
    // 2015 -> 2016 follows the vmbo-t diploma of 2015-2016: stacked, neither repeated nor switched.
    const stacked = steps.find((s) => s.from.referenceDate === '2015-10-01')!;
    expect(stacked.stackedOn?.level).toBe('vmbo-t');
    // Grade 4 again, but the class is stacked, never a repeat.
    expect(stacked.gradeNotHigher).toBe(true);
    expect(isRepeat(MONITOR, stacked)).toBe(false);
    expect(stacked.switchedSchool).toBe(false);
    expect(routeOf(p).attempts.map((a) => [a.kind, a.success])).toEqual([['vmbo-t > havo', true]]);
    expect(stateOn(p, '2011-10-01', '2019-10-01')).toBe('po');
    expect(stateOn(p, '2019-10-01', '2019-10-01')).toBe('left-with-startkwalificatie');
    expect(stateOn(p, '2020-10-01', '2019-10-01')).toBe('unknown');
  });

  it('early leaver and re-entry', () => {
    const log = new TestLog();
    const l = log.learner('E');
    l.row('2012-10-01', { institution: 'VO1', level: 'vmbo-b', grade: 3 });
    l.left('2013-10-01', false);
    expect(foldPathway('E', log.eventsOf('E')).summary.earlyLeaver).toBe(true);
    const re = l.row('2014-10-01', { sector: 'mbo', institution: 'ROC', level: 'mbo-2', grade: 1, track: 'bbl' });
    const p = foldPathway('E', log.eventsOf('E'));
    expect(re.length).toBe(1);
    expect(p.reEntered.map((r) => r.eventId)).toEqual(re);
    expect(p.summary.earlyLeaver).toBe(false);
    expect(p.summary.currentStatus).toBe('mbo-2');
  });
});

describe('classification with and without words', () => {
  it('gives the same categories (indicators skip the words, explain keeps them)', async () => {
    const { RULE_SETS } = await import('@leerroutes/domain');
    const { advicePositionOf, outcomeOf } = await import('../src/index.js');
    const log = new TestLog();
    const a = log.learner('A');
    a.advice('2012-02-01', 'final', 'havo/vwo');
    a.row('2012-10-01', { institution: 'V', level: 'havo', grade: 1 });
    a.row('2014-10-01', { institution: 'V', level: 'vso', grade: 3 });
    a.diploma('2016-06-30', 'havo', 'V');
    const b = log.learner('B');
    b.row('2014-10-01', { institution: 'V', level: 'vmbo-t', grade: 3 });
    const c = log.learner('C');
    c.advice('2012-02-01', 'final', 'vwo');
    c.row('2014-10-01', { institution: 'V', level: 'havo/vwo', grade: 3 });
    const seen = new Set<string>();
    for (const id of ['A', 'B', 'C']) {
      const p = foldPathway(id, log.eventsOf(id));
      for (const rules of Object.values(RULE_SETS)) {
        expect(advicePositionOf(p, rules, false)?.category).toBe(advicePositionOf(p, rules)?.category);
        expect(outcomeOf(p, rules, false).category).toBe(outcomeOf(p, rules).category);
        seen.add(advicePositionOf(p, rules)!.category).add(outcomeOf(p, rules).category);
      }
    }
    // The cases cover an unranked position (A: vso 3), a year-3 position without an advice (B: no-advice), half steps
    // (C under monitor), collapsed steps (C under inspectie: vwo -> havo) and no diploma.
    expect([...seen].sort()).toEqual(['afstroom', 'gelijk', 'half-afstroom', 'no-advice', 'no-vo-diploma', 'not-comparable']);
  });
});

describe('fold properties', () => {
  it('the input order does not matter (valid time, then store position)', async () => {
    const fc = (await import('fast-check')).default;
    const log = new TestLog();
    const l = log.learner('P');
    l.registered('2000-01', 'm');
    l.background('2011-08-01', { pupilWeight: 1.2, area: 'Z' });
    l.advice('2012-02-01', 'final', 'vmbo-t/havo');
    l.revised('2012-05-01', 'vmbo-t/havo', 'havo');
    l.row('2012-10-01', { institution: 'A', level: 'vmbo-t/havo', grade: 1 });
    l.row('2013-10-01', { institution: 'B', level: 'vmbo-t', grade: 2 });
    l.row('2014-10-01', { institution: 'B', level: 'vmbo-t', grade: 2 });
    l.correctRow('2014-10-01', { institution: 'B', level: 'vmbo-t', grade: 3 });
    l.diploma('2016-06-30', 'vmbo-t', 'B');
    l.left('2016-10-01', false);
    const events = log.eventsOf('P');
    const expected = foldPathway('P', events);
    expect(expected.timeline.map((r) => r.grade)).toEqual([1, 2, 3]);
    fc.assert(fc.property(fc.array(fc.double({ noNaN: true }), { minLength: events.length, maxLength: events.length }), (keys) => {
      const shuffled = events.map((e, i) => [keys[i]!, e] as const).sort((a, b) => a[0] - b[0]).map(([, e]) => e);
      expect(foldPathway('P', shuffled)).toEqual(expected);
    }), { numRuns: 100 });
  });
});
