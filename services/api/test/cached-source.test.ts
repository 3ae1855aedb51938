import type { Pathway, PathwaySource } from '@leerroutes/pathway';
import { describe, expect, it } from 'vitest';
import { cachedPathwaySource } from '../src/cached-source.js';

/** A source that counts what it is asked and whose checkpoint the test moves. */
function countingSource() {
  const calls = { cohort: 0, all: 0, ref: 0 };
  let checkpoint = 1;
  const pathway = (id: string, date: string): Pathway => ({ learnerId: id, adviceCohort: {}, intakeCohort: null, timeline: [{ referenceDate: date }] } as unknown as Pathway);
  let data = [pathway('a', '2013-10-01'), pathway('b', '2014-10-01')];
  const source: PathwaySource = {
    async cohortPathways() { calls.cohort++; return data; },
    async *allPathways() { calls.all++; yield data; },
    async pathway(id) { return data.find((p) => p.learnerId === id) ?? null; },
    async referenceData() { calls.ref++; return { areas: new Map(), institutions: new Map() }; },
    async checkpoint() { return checkpoint; },
  };
  return { source, calls, move(next: Pathway[]) { checkpoint++; data = next; }, pathway };
}

describe('cachedPathwaySource', () => {
  it('asks the views once per cohort and checkpoint, and again after the checkpoint moves', async () => {
    const s = countingSource();
    const cached = cachedPathwaySource(s.source);
    const first = await cached.cohortPathways('advice', 'monitor', '2012-2013');
    await cached.cohortPathways('advice', 'monitor', '2012-2013');
    await cached.cohortPathways('intake', 'monitor', '2012-2013');
    await cached.cohortPathways('intake', 'inspectie', '2012-2013');
    expect(s.calls.cohort).toBe(2);
    expect(await cached.coveredReferenceDates()).toEqual(['2013-10-01', '2014-10-01']);
    await cached.coveredReferenceDates();
    await cached.referenceData();
    await cached.referenceData();
    expect([s.calls.all, s.calls.ref]).toEqual([1, 1]);

    s.move([s.pathway('c', '2015-10-01')]);
    const after = await cached.cohortPathways('advice', 'monitor', '2012-2013');
    expect(after).not.toBe(first);
    expect(after.map((p) => p.learnerId)).toEqual(['c']);
    expect(await cached.coveredReferenceDates()).toEqual(['2015-10-01']);
    expect([s.calls.cohort, s.calls.all]).toEqual([3, 2]);
  });

  it('keeps a bounded number of cohorts', async () => {
    const s = countingSource();
    const cached = cachedPathwaySource(s.source, { cohorts: 2 });
    for (const c of ['2011-2012', '2012-2013', '2013-2014', '2011-2012']) await cached.cohortPathways('advice', 'monitor', c);
    expect(s.calls.cohort).toBe(4);
  });
});
