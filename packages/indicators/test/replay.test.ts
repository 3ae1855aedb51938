/**
 * The as-known-on replay against an oracle: every learner of the log folded
 * in memory from the events known on the date (test/helpers sourceOf). The
 * replay reads the store stream by stream and keeps only cohort ids, so these
 * check that nothing is lost or mixed up on the way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '@leerroutes/event-store';
import type { Pathway } from '@leerroutes/pathway';
import type { TestLog } from '@leerroutes/pathway/testing';
import { replayAsKnownOn } from '../src/oracle/index.js';
import { buildFixture } from './fixture.js';
import { sourceOf, storeOf } from './helpers.js';

/** The fixture (known on 2020-01-01), one learner delivered later and a row of theirs corrected after that. */
function staggeredLog(): TestLog {
  const log = buildFixture({ withL10: true });
  log.knownAt = '2021-06-01';
  const late = log.learner('L20');
  late.advice('2012-02-01', 'final', 'havo');
  late.row('2012-10-01', { institution: 'VO1', level: 'havo', grade: 1 });
  late.row('2013-10-01', { institution: 'VO1', level: 'havo', grade: 2 });
  log.knownAt = '2022-06-01';
  late.correctRow('2013-10-01', { institution: 'VO2', level: 'havo', grade: 2 });
  return log;
}

const ids = (ps: readonly Pathway[]) => ps.map((p) => p.learnerId).sort();
const byId = (ps: readonly Pathway[]) => [...ps].sort((a, b) => a.learnerId.localeCompare(b.learnerId));

const COHORTS = [
  ['advice', 'monitor', '2011-2012'],
  ['advice', 'inspectie', '2011-2012'],
  ['advice', 'inspectie', '2010-2011'],
  ['intake', 'monitor', '2012-2013'],
] as const;

describe('replayAsKnownOn', () => {
  const log = staggeredLog();
  let store: EventStore;
  beforeAll(async () => {
    store = await storeOf(log);
  });
  afterAll(async () => store.close());

  for (const date of ['2020-01-01', '2021-06-01', '2022-06-01']) {
    it(`as known on ${date}: cohorts, covered dates, everyone and one learner equal the fold of the known events`, async () => {
      const oracle = sourceOf(log, date);
      const { source } = await replayAsKnownOn(store, date);
      for (const [type, rules, cohort] of COHORTS) {
        const expected = await oracle.cohortPathways(type, rules, cohort);
        expect(expected.length).toBeGreaterThan(0);
        expect(byId(await source.cohortPathways(type, rules, cohort))).toEqual(byId(expected));
      }
      expect(await source.coveredReferenceDates!()).toEqual(await oracle.coveredReferenceDates!());
      const everyone: Pathway[] = [];
      for await (const batch of source.allPathways(3)) {
        expect(batch.length).toBeLessThanOrEqual(3);
        everyone.push(...batch);
      }
      // The oracle folds every learner; one with nothing known then did not exist yet.
      const all: Pathway[] = [];
      for await (const batch of oracle.allPathways()) all.push(...batch.filter((p) => log.eventsOf(p.learnerId, date).length > 0));
      expect(byId(everyone)).toEqual(byId(all));
      expect(await source.pathway('L1')).toEqual(await oracle.pathway('L1'));
      expect(await source.referenceData()).toEqual(await oracle.referenceData());
    });
  }

  it('a learner with nothing known yet is in no cohort and has no pathway', async () => {
    const { source } = await replayAsKnownOn(store, '2020-01-01');
    expect(ids(await source.cohortPathways('advice', 'monitor', '2011-2012'))).not.toContain('L20');
    expect(await source.pathway('L20')).toBeNull();
    const later = (await replayAsKnownOn(store, '2021-06-01')).source;
    expect(ids(await later.cohortPathways('advice', 'monitor', '2011-2012'))).toContain('L20');
  });

  it('hands a cohort out in batches of the size asked for', async () => {
    const { source } = await replayAsKnownOn(store, '2022-06-01');
    const batches: Pathway[][] = [];
    for await (const batch of source.cohortBatches('advice', 'monitor', '2011-2012', 2)) batches.push(batch);
    expect(batches.every((b) => b.length <= 2)).toBe(true);
    expect(batches.length).toBeGreaterThan(1);
    expect(byId(batches.flat())).toEqual(byId(await sourceOf(log, '2022-06-01').cohortPathways('advice', 'monitor', '2011-2012')));
  });

  it('follows the log when it moves: a new event is in the next replay of the same date', async () => {
    const first = await replayAsKnownOn(store, null);
    const before = await first.source.cohortPathways('advice', 'monitor', '2011-2012');
    expect(ids(before)).not.toContain('L21');
    const extra = log.learner('L21');
    log.knownAt = '2023-01-01';
    extra.advice('2012-02-01', 'final', 'vwo');
    const e = log.all[log.all.length - 1]!;
    const r = await store.appendToStream(e.stream, [{ eventId: e.eventId, type: e.type, schemaVersion: e.schemaVersion, data: e.data, occurredOn: e.occurredOn, knownAt: `${e.knownAt}T12:00:00.000Z` }]);
    expect(r._tag).toBe('Right');
    const second = await replayAsKnownOn(store, null);
    expect(second.head).toBeGreaterThan(first.head);
    expect(ids(await second.source.cohortPathways('advice', 'monitor', '2011-2012'))).toContain('L21');
  });
});

describe('replay: coverage and school groups as known then', () => {
  it('covered reference dates are the import\'s record known on the date, cut at the end of an as-of year', async () => {
    const log = buildFixture({ covered: false });
    log.knownAt = '2015-01-15';
    log.covered('2013-10-01');
    log.covered('2014-10-01');
    log.knownAt = '2019-01-15';
    log.covered('2018-10-01');
    log.schoolGroup('VO1', 'pilot', '2014-08-01');
    const store = await storeOf(log);
    try {
      // The record, not the rows: 2015-10-01 .. 2017-10-01 have rows but were never recorded as complete counts.
      expect(await (await replayAsKnownOn(store, null)).source.coveredReferenceDates()).toEqual(['2013-10-01', '2014-10-01', '2018-10-01']);
      expect(await (await replayAsKnownOn(store, '2016-01-01')).source.coveredReferenceDates()).toEqual(['2013-10-01', '2014-10-01']);
      expect(await (await replayAsKnownOn(store, null, '2014-07-31')).source.coveredReferenceDates()).toEqual(['2013-10-01']);
      const ref = await (await replayAsKnownOn(store, null)).source.referenceData();
      expect(ref.schoolGroups?.get('VO1')).toEqual([{ group: 'pilot', validFrom: '2014-08-01', validTo: null }]);
      expect((await (await replayAsKnownOn(store, '2016-01-01')).source.referenceData()).schoolGroups?.get('VO1')).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
