/**
 * As-known-on replays of the log (a correction delivered later changes the
 * indicator from its knownAt on), and explanations of cells and learners.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '@leerroutes/event-store';
import { TestLog } from '@leerroutes/pathway/testing';
import { explainLearner, type ReportRequest } from '../src/index.js';
import { oracleCompare, oracleCell, oracleReport, type OracleDeps } from '../src/oracle/index.js';
import { buildFixture } from './fixture.js';
import { cd, sourceOf, storeOf } from './helpers.js';

/**
 * K1: advice vwo; vwo 1 (2012), vwo 2 (2013), vwo 3 (2014, delivered 2015-01-15).
 * On 2016-02-01 the 2014 delivery is corrected: K1 was in havo 3 (vwo -> havo: afstroom).
 * K2: advice havo; havo 1-3, never corrected (gelijk).
 */
function correctionLog(): { log: TestLog; retraction: string; replacement: string[]; adviceK1: string } {
  const log = new TestLog();
  log.knownAt = '2012-03-01';
  const k1 = log.learner('K1');
  const k2 = log.learner('K2');
  const adviceK1 = k1.advice('2012-02-01', 'final', 'vwo');
  k2.advice('2012-02-01', 'final', 'havo');
  for (let g = 1; g <= 3; g++) {
    log.knownAt = `${2012 + g}-01-15`;
    k1.row(`${2011 + g}-10-01`, { institution: 'VO1', level: 'vwo', grade: g });
    k2.row(`${2011 + g}-10-01`, { institution: 'VO1', level: 'havo', grade: g });
  }
  log.knownAt = '2016-02-01';
  const { retraction, replacement } = k1.correctRow('2014-10-01', { institution: 'VO1', level: 'havo', grade: 3 });
  return { log, retraction, replacement, adviceK1 };
}

const AP: ReportRequest = { indicator: 'advice-position', cohortType: 'advice', cohort: '2011-2012', rules: 'monitor', by: [], unsuppressed: true };

describe('as known on', () => {
  let store: EventStore;
  let deps: OracleDeps;
  const fixture = correctionLog();
  beforeAll(async () => {
    store = await storeOf(fixture.log);
    deps = { pathways: sourceOf(fixture.log), store };
  });
  afterAll(async () => store.close());

  it('before any year-3 row is known there is nothing to report', async () => {
    const r = await oracleReport({ ...AP, asKnownOn: '2014-06-01' }, deps);
    expect(r.rows).toHaveLength(0);
    expect(r.source).toEqual({ kind: 'log', asKnownOn: '2014-06-01', head: await store.headPosition() });
  });

  it('as known on 2015-06-01: both gelijk; as known on 2016-06-01: K1 afstroom after the correction', async () => {
    const before = (await oracleReport({ ...AP, asKnownOn: '2015-06-01' }, deps)).rows;
    expect(cd(before, { category: 'gelijk' })).toEqual([2, 2]);
    expect(cd(before, { category: 'afstroom' })).toEqual([0, 2]);
    const after = (await oracleReport({ ...AP, asKnownOn: '2016-06-01' }, deps)).rows;
    expect(cd(after, { category: 'gelijk' })).toEqual([1, 2]);
    expect(cd(after, { category: 'afstroom' })).toEqual([1, 2]);
    // The correction's own day counts: known on 2016-02-01 includes it.
    expect(cd((await oracleReport({ ...AP, asKnownOn: '2016-02-01' }, deps)).rows, { category: 'afstroom' })).toEqual([1, 2]);
    // The live views agree with the newest replay.
    const live = await oracleReport(AP, deps);
    expect(live.source.kind).toBe('views');
    expect(cd(live.rows, { category: 'afstroom' })).toEqual([1, 2]);
  });

  it('as of a school year (valid time), alone and together with as known on', async () => {
    // Up to 2013-2014 no grade-3 row is valid yet (the year-3 rows are dated 2014-10-01).
    expect((await oracleReport({ ...AP, asOfSchoolYear: '2013-2014' }, deps)).rows).toHaveLength(0);
    // Up to 2014-2015 with everything known today: the correction (valid 2014-10-01) applies.
    const latest = await oracleReport({ ...AP, asOfSchoolYear: '2014-2015' }, deps);
    expect(cd(latest.rows, { category: 'afstroom' })).toEqual([1, 2]);
    expect(latest.source).toEqual({ kind: 'log', asKnownOn: 'latest', asOfSchoolYear: '2014-2015', head: await store.headPosition() });
    // Both at once: up to 2014-2015 as known on 2015-06-01, before the correction was delivered.
    const then = await oracleReport({ ...AP, asOfSchoolYear: '2014-2015', asKnownOn: '2015-06-01' }, deps);
    expect(cd(then.rows, { category: 'gelijk' })).toEqual([2, 2]);
  });

  it('explains the learner as known on each date, with the retracted events marked', async () => {
    const then = await explainLearner('K1', deps, { asKnownOn: '2015-06-01' });
    expect(then!.events.some((e) => e.retracted)).toBe(false);
    const ap = (c: NonNullable<typeof then>) => c.ruleSets.find((r) => r.name === 'monitor')!.classifications.find((x) => x.subject === 'advice-position')!;
    expect(ap(then!).category).toBe('gelijk');

    const now = await explainLearner('K1', deps, { asKnownOn: '2016-06-01' });
    const retracted = now!.events.filter((e) => e.retracted).map((e) => e.eventId);
    expect(retracted.length).toBeGreaterThan(0);
    expect(now!.events.find((e) => e.eventId === fixture.retraction)?.type).toBe('Retracted');
    const c = ap(now!);
    expect(c.category).toBe('afstroom');
    expect(c.eventIds).toEqual([fixture.adviceK1, ...fixture.replacement]);
    expect(c.rule).toContain(`afstroom: reference advice vwo`);
    expect(c.rule).toContain(`from event ${fixture.adviceK1} (AdviceGiven final 2012-02-01)`);
    expect(c.rule).toContain(`year-3 position havo`);
    expect(c.rule).toContain(fixture.replacement[0]!);
    for (const id of retracted) expect(c.eventIds).not.toContain(id);
    expect(await explainLearner('nobody', deps)).toBeNull();
  });
});

describe('explain a cell, compare rule sets', () => {
  let store: EventStore;
  let deps: OracleDeps;
  const log = buildFixture();
  beforeAll(async () => {
    store = await storeOf(log);
    deps = { pathways: sourceOf(log), store };
  });
  afterAll(async () => store.close());

  it('names the learners behind a cell', async () => {
    expect(await oracleCell(AP, { group: {}, offset: null, schoolYear: null, category: 'afstroom' }, deps)).toEqual({ learnerIds: ['L4'] });
    const byWeight = { ...AP, by: ['pupil_weight'] };
    expect(await oracleCell(byWeight, { group: { pupil_weight: '0' }, offset: null, schoolYear: null, category: 'gelijk' }, deps)).toEqual({ learnerIds: ['L1', 'L11'] });
    const streams = { ...AP, indicator: 'streams' as const };
    expect((await oracleCell(streams, { group: {}, offset: 2, schoolYear: null, category: 'repeated' }, deps)).learnerIds).toEqual(['L2']);
    expect((await oracleCell(streams, { group: {}, offset: 4, schoolYear: null, category: 'stacked' }, deps)).learnerIds).toEqual(['L3']);
    const vsv = { ...AP, indicator: 'early-leavers' as const, cohort: null };
    expect((await oracleCell(vsv, { group: { sector: 'mbo' }, offset: null, schoolYear: '2017-2018', category: 'early-leaver' }, deps)).learnerIds).toEqual(['L6']);
    // The same from a replay of the log.
    expect(await oracleCell({ ...AP, asKnownOn: '2030-01-01' }, { group: {}, offset: null, schoolYear: null, category: 'half-opstroom' }, deps)).toEqual({ learnerIds: ['L7'] });
  });

  it('compares two rule sets side by side with the learners whose classification differs', async () => {
    const cmp = await oracleCompare(AP, 'monitor', 'inspectie', deps);
    expect(cmp.a.ruleSet.name).toBe('monitor');
    expect(cmp.b.ruleSet.name).toBe('inspectie');
    // L5: gelijk (revised havo) vs opstroom (first final vmbo-t/havo -> vmbo-t); L7: half-opstroom vs opstroom.
    expect(cmp.differing.map((d) => d.learnerId)).toEqual(['L5', 'L7']);
  });

  it('explains a stacking learner step by step', async () => {
    const e = await explainLearner('L3', deps);
    const steps = e!.ruleSets.find((r) => r.name === 'monitor')!.classifications.filter((c) => c.subject === 'step');
    expect(steps.map((s) => s.category)).toEqual(['gelijk', 'gelijk', 'gelijk', 'stacked', 'gelijk']);
    expect(steps[3]!.rule).toMatch(/^stacked: VO diploma vmbo-t from event \S+ awarded in 2015-2016/);
    expect(e!.pathway.summary.route).toBe('vmbo-t > havo > hbo');
  });
});
