/**
 * runReport over the live views: reports are remembered per source while its
 * checkpoint stands, and a source's reporting part of a cohort gives the same
 * numbers as its whole pathways.
 */
import { describe, expect, it } from 'vitest';
import { reportingPathwayOf, type PathwaySource } from '@leerroutes/pathway';
import { INDICATORS, runReport, type ReportRequest } from '../src/index.js';
import { buildFixture } from './fixture.js';
import { noStore, sourceOf } from './helpers.js';

/** The fixture's source with a checkpoint the test moves, counting the cohort reads. */
function movable(options: { reporting: boolean }) {
  const inner = sourceOf(buildFixture());
  const calls = { whole: 0, reporting: 0 };
  let checkpoint = 10;
  const source: PathwaySource = {
    ...inner,
    async cohortPathways(type, rules, cohort) { calls.whole++; return inner.cohortPathways(type, rules, cohort); },
    checkpoint: async () => checkpoint,
  };
  if (options.reporting) {
    source.cohortReportingPathways = async (type, rules, cohort) => {
      calls.reporting++;
      return (await inner.cohortPathways(type, rules, cohort)).map(reportingPathwayOf);
    };
  }
  return { source, calls, move: () => { checkpoint++; } };
}

const request: ReportRequest = { indicator: 'advice-position', cohortType: 'advice', cohort: '2011-2012', rules: 'monitor', by: ['gender'], unsuppressed: true };

describe('remembered reports', () => {
  it('answers the same request again without reading the cohort, until the checkpoint moves', async () => {
    const m = movable({ reporting: false });
    const deps = { pathways: m.source, store: noStore };
    const first = await runReport(request, deps);
    expect(first.rows.length).toBeGreaterThan(0);
    // The same request with its keys in another order is the same request.
    const reordered = Object.fromEntries(Object.entries(request).reverse()) as unknown as ReportRequest;
    expect(await runReport(reordered, deps)).toBe(first);
    expect(m.calls.whole).toBe(1);

    const byNothing = await runReport({ ...request, by: [] }, deps);
    expect(byNothing).not.toBe(first);
    expect(m.calls.whole).toBe(2);

    m.move();
    const after = await runReport(request, deps);
    expect(after).not.toBe(first);
    expect(after.source).toEqual({ kind: 'views', checkpoint: 11 });
    expect(after.rows).toEqual(first.rows);
    expect(m.calls.whole).toBe(3);
  });

  it('does not share reports between sources', async () => {
    const a = movable({ reporting: false });
    const b = movable({ reporting: false });
    const ra = await runReport(request, { pathways: a.source, store: noStore });
    const rb = await runReport(request, { pathways: b.source, store: noStore });
    expect(rb).not.toBe(ra);
    expect(b.calls.whole).toBe(1);
  });
});

describe('the reporting part of a cohort', () => {
  it('gives every indicator the numbers the whole pathways give, and is read instead of them', async () => {
    const whole = movable({ reporting: false });
    const part = movable({ reporting: true });
    for (const indicator of INDICATORS) {
      // school-profile is always per school: its board stands in for the school there.
      const r: ReportRequest = { ...request, indicator, by: ['parental_education', indicator === 'school-profile' ? 'board' : 'vo_school'] };
      const a = await runReport(r, { pathways: whole.source, store: noStore });
      const b = await runReport(r, { pathways: part.source, store: noStore });
      expect(b.rows, indicator).toEqual(a.rows);
    }
    expect(part.calls.whole).toBe(0);
    expect(part.calls.reporting).toBe(INDICATORS.length);
  });
});
