import { describe, expect, it } from 'vitest';
import { cachedPathwaySource, reportingPathwayOf, type Pathway, type PathwaySource } from '../src/index.js';

/** A source of cohorts of a given size that counts its reads; the test moves its checkpoint. */
function countingSource(sizes: Record<string, number>) {
  const calls = { whole: 0, reporting: 0 };
  let checkpoint = 1;
  const cohort = (c: string): Pathway[] =>
    Array.from({ length: sizes[c] ?? 0 }, (_, i) => ({ learnerId: `${c}-${i}`, registration: null, background: [], advices: [], timeline: [], diplomas: [] }) as unknown as Pathway);
  const source: PathwaySource = {
    async cohortPathways(_t, _r, c) { calls.whole++; return cohort(c); },
    async cohortReportingPathways(_t, _r, c) { calls.reporting++; return cohort(c).map(reportingPathwayOf); },
    async *allPathways() { /* none */ },
    async pathway() { return null; },
    async referenceData() { return { areas: new Map(), institutions: new Map() }; },
    async checkpoint() { return checkpoint; },
  };
  return { source, calls, move() { checkpoint++; } };
}

describe('cachedPathwaySource, reporting parts', () => {
  it('remembers a cohort\'s reporting part apart from its whole pathways, per checkpoint', async () => {
    const s = countingSource({ '2012-2013': 3 });
    const cached = cachedPathwaySource(s.source);
    const first = await cached.cohortReportingPathways!('advice', 'monitor', '2012-2013');
    expect(await cached.cohortReportingPathways!('advice', 'monitor', '2012-2013')).toBe(first);
    expect(first.map((p) => p.learnerId)).toEqual(['2012-2013-0', '2012-2013-1', '2012-2013-2']);
    await cached.cohortPathways('advice', 'monitor', '2012-2013');
    expect(s.calls).toEqual({ whole: 1, reporting: 1 });
    s.move();
    expect(await cached.cohortReportingPathways!('advice', 'monitor', '2012-2013')).not.toBe(first);
    expect(s.calls.reporting).toBe(2);
  });

  it('keeps at most the given number of learners, but always the cohort just read', async () => {
    const s = countingSource({ a: 6, b: 6, c: 20 });
    const cached = cachedPathwaySource(s.source, { learners: 12 });
    const read = (c: string) => cached.cohortReportingPathways!('advice', 'monitor', c);
    await read('a');
    await read('b');
    await read('a'); // 12 learners: both kept
    expect(s.calls.reporting).toBe(2);
    await read('c'); // 32: a and b go, c (over the bound on its own) stays
    await read('c');
    expect(s.calls.reporting).toBe(3);
    await read('a');
    expect(s.calls.reporting).toBe(4);
  });

  it('leaves out a source\'s missing reporting parts rather than inventing them', () => {
    const s = countingSource({});
    const { cohortReportingPathways: _, ...without } = s.source;
    expect(cachedPathwaySource(without as PathwaySource).cohortReportingPathways).toBeUndefined();
  });
});
