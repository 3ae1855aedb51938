/**
 * Both rule sets on every indicator where they differ in more than the
 * classes: L10's advice cohort depends on the rule set (fixture.ts). The
 * expected numbers are the hand-computed ones of indicators.test.ts plus, under
 * monitor only, L10's own contribution (reasoned per test).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { PathwaySource } from '@leerroutes/pathway';
import { buildFixture } from './fixture.js';
import { cd, rowsFor, sourceOf } from './helpers.js';

let source: PathwaySource;
beforeAll(() => {
  source = sourceOf(buildFixture({ withL10: true }));
});
const both = async (indicator: Parameters<typeof rowsFor>[1]['indicator'], extra: Record<string, unknown> = {}) => ({
  monitor: await rowsFor(source, { indicator, rules: 'monitor', ...extra }),
  inspectie: await rowsFor(source, { indicator, rules: 'inspectie', ...extra }),
});

describe('L10: in advice cohort 2011-2012 under monitor, 2010-2011 under inspectie', () => {
  it('cohort membership', async () => {
    expect((await source.cohortPathways('advice', 'monitor', '2011-2012')).length).toBe(9);
    expect((await source.cohortPathways('advice', 'inspectie', '2011-2012')).length).toBe(8);
    expect((await source.cohortPathways('advice', 'inspectie', '2010-2011')).map((p) => p.learnerId)).toEqual(['L10']);
  });

  it('advice-position: L10 havo advice, havo 3 -> gelijk under monitor; alone in 2010-2011 under inspectie (vmbo-t -> havo: opstroom)', async () => {
    const r = await both('advice-position');
    expect(cd(r.monitor, { category: 'gelijk' })).toEqual([7, 9]);
    expect(cd(r.inspectie, { category: 'gelijk' })).toEqual([5, 8]);
    expect(cd(r.inspectie, { category: 'opstroom' })).toEqual([2, 8]);
    const earlier = await rowsFor(source, { indicator: 'advice-position', rules: 'inspectie', cohort: '2010-2011' });
    expect(cd(earlier, { category: 'opstroom' })).toEqual([1, 1]);
  });

  it('outcome: L10 has no VO diploma', async () => {
    const r = await both('outcome');
    expect(cd(r.monitor, { category: 'no-vo-diploma' })).toEqual([2, 9]);
    expect(cd(r.inspectie, { category: 'no-vo-diploma' })).toEqual([1, 8]);
  });

  it('streams: L10 adds a gelijk step at offsets 1 and 2 under monitor', async () => {
    const r = await both('streams');
    expect(cd(r.monitor, { category: 'gelijk', offset: 1 })).toEqual([5, 8]);
    expect(cd(r.monitor, { category: 'gelijk', offset: 2 })).toEqual([9, 9]);
    expect(cd(r.inspectie, { category: 'gelijk', offset: 1 })).toEqual([4, 7]);
    expect(cd(r.inspectie, { category: 'opstroom', offset: 1 })).toEqual([2, 7]);
  });

  it('distribution and transitions: L10 leaves VO in 2015 without a startkwalificatie', async () => {
    const d = await both('distribution');
    expect(cd(d.monitor, { category: 'left-without-startkwalificatie', offset: 4 })).toEqual([2, 9]); // L6, L10
    expect(cd(d.inspectie, { category: 'left-without-startkwalificatie', offset: 4 })).toEqual([1, 8]); // L6
    expect(cd(d.monitor, { category: 'left-without-startkwalificatie', offset: 7 })).toEqual([2, 9]); // L6, L10
    const t = await both('transitions');
    expect(cd(t.monitor, { category: 'vo:havo -> left-without-startkwalificatie', offset: 3 })).toEqual([1, 9]);
    expect(t.inspectie.some((r) => r.category === 'vo:havo -> left-without-startkwalificatie')).toBe(false);
  });

  it('onderbouwsnelheid: L10 promoted in 2012-2013 and 2013-2014 under monitor only', async () => {
    const r = await both('onderbouwsnelheid');
    expect(cd(r.monitor, { category: 'promoted', schoolYear: '2012-2013' })).toEqual([8, 8]);
    expect(cd(r.monitor, { category: 'promoted', schoolYear: '2013-2014' })).toEqual([8, 9]);
    expect(cd(r.inspectie, { category: 'promoted', schoolYear: '2012-2013' })).toEqual([7, 7]);
    expect(cd(r.inspectie, { category: 'promoted', schoolYear: '2013-2014' })).toEqual([7, 8]);
  });

  it('bovenbouwsucces: L10 reaches havo 3 in 2014-2015 and leaves, under monitor only', async () => {
    const r = await both('bovenbouwsucces');
    // havo 2014-2015: L1 L5 L11 succeed (indicators.test.ts); L10 has no row in 2015 and no diploma.
    expect(cd(r.monitor, { category: 'success', schoolYear: '2014-2015', group: { afdeling: 'havo' } })).toEqual([3, 4]);
    expect(cd(r.inspectie, { category: 'success', schoolYear: '2014-2015', group: { afdeling: 'havo' } })).toEqual([3, 3]);
    for (const rows of [r.monitor, r.inspectie]) {
      expect(cd(rows, { category: 'success', schoolYear: '2016-2017', group: { afdeling: 'havo' } })).toEqual([3, 4]);
    }
  });

  it('early-leavers with the cohort: L10 leaves after havo 3 in 2014-2015', async () => {
    const r = await both('early-leavers');
    expect(cd(r.monitor, { category: 'early-leaver', schoolYear: '2014-2015', group: { sector: 'vo' } })).toEqual([2, 9]);
    expect(cd(r.inspectie, { category: 'early-leaver', schoolYear: '2014-2015', group: { sector: 'vo' } })).toEqual([1, 8]);
  });

  it('stacked-routes: L10 (route havo) is not stacked', async () => {
    const r = await both('stacked-routes');
    expect(cd(r.monitor, { category: 'not-stacked' })).toEqual([7, 9]);
    expect(cd(r.inspectie, { category: 'not-stacked' })).toEqual([6, 8]);
    expect(cd(r.inspectie, { category: 'vmbo-t > havo | success' })).toEqual([1, 1]);
  });

  it('flows: L10 havo -> havo -> havo -> no diploma', async () => {
    const r = await both('flows');
    expect(cd(r.monitor, { category: 'lj3:havo -> diploma:none' })).toEqual([1, 9]);
    expect(r.inspectie.some((x) => x.category === 'lj3:havo -> diploma:none')).toBe(false);
    expect(cd(r.monitor, { category: 'advice:havo -> lj1:havo' })).toEqual([2, 9]); // L1, L10
    expect(cd(r.inspectie, { category: 'advice:havo -> lj1:havo' })).toEqual([2, 8]); // L1, L7 (havo/vwo collapsed)
  });
});
