/**
 * Publishing in worker threads (publish-thread.ts) gives what publishing in
 * the calling thread gives, to the JSON text (key order included), for every
 * indicator on a generated population, asked one at a time and all at once;
 * its failures reach the request that met them and no other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ruleSetNamed } from '@leerroutes/domain';
import type { ReportingPathway } from '@leerroutes/pathway';
import { INDICATORS, inlinePublisher, relatedRequests, threadPublisher, type CountTable, type Indicator, type Publisher, type ReportRequest, type ReportRow } from '../src/index.js';
import { WeightShares, countTableOf, unitsOf, type ComputeInput } from '../src/oracle/index.js';
import { packRows, packTable, unpackRows, unpackTable } from '../src/publish-transfer.js';
import { population, type Population } from './population.js';

let pop: Population;
let input: ComputeInput;
const everyone: ReportingPathway[] = [];
let pool: Publisher;

beforeAll(async () => {
  pop = await population({ learners: 1500, cohorts: '2012-2013', seed: 'publisher', until: 2021 });
  const shares = new WeightShares();
  for await (const batch of pop.source.allPathways()) for (const p of batch) { shares.add(p); everyone.push(p); }
  input = { ref: await pop.source.referenceData(), covered: await pop.source.coveredReferenceDates!(), weightGroups: shares.groups() };
  pool = threadPublisher(2);
}, 300_000);
afterAll(async () => {
  await pool?.close();
  await pop?.close();
});

const PER_YEAR: readonly Indicator[] = ['onderbouwsnelheid', 'bovenbouwsucces', 'early-leavers', 'after-mbo', 'vmbo-mbo-loss', 'school-profile'];
const request = (indicator: Indicator, by: readonly string[], extra: Partial<ReportRequest> = {}): ReportRequest => ({
  indicator, cohortType: 'intake', rules: 'monitor', by, cohort: PER_YEAR.includes(indicator) ? null : '2012-2013', ...extra,
});

/** A request's count table and those of its related requests, as the oracle counts them. */
async function tablesOf(r: ReportRequest): Promise<{ table: CountTable; related: Map<Indicator, CountTable> }> {
  const rules = ruleSetNamed(r.rules)!;
  const learners = r.cohort === null ? everyone : await pop.source.cohortPathways(r.cohortType, r.rules, r.cohort);
  return {
    table: countTableOf(unitsOf(r, rules, learners, input)),
    related: new Map(relatedRequests(r).map((x) => [x.indicator, countTableOf(unitsOf(x, rules, learners, input))])),
  };
}

const BREAKDOWNS: readonly (readonly string[])[] = [[], ['gender'], ['vo_school'], ['pupil_weight', 'advice']];
const REQUESTS: ReportRequest[] = [
  ...INDICATORS.flatMap((i) => BREAKDOWNS.map((by) => request(i, by))),
  request('transitions', ['gender'], { unsuppressed: true }),
  request('school-profile', ['gender'], { minCell: 5 }),
  request('outcome', ['area:1', 'gender'], { rules: 'inspectie' }),
];

describe('a thread publishes what the calling thread publishes', () => {
  it('every indicator by none, one and two breakdowns, one request at a time', async () => {
    let rows = 0;
    let hidden = 0;
    for (const r of REQUESTS) {
      const { table, related } = await tablesOf(r);
      const inline = await inlinePublisher.publish(r, table, related);
      const threaded = await pool.publish(r, table, related);
      expect(JSON.stringify(threaded), `${r.indicator} by ${r.by.join(',')}`).toBe(JSON.stringify(inline));
      rows += inline.rows.length;
      hidden += inline.rows.filter((x) => x.suppressed).length;
    }
    // The comparison means something only if there were rows, hidden ones among them.
    expect(rows).toBeGreaterThan(1000);
    expect(hidden).toBeGreaterThan(0);
  }, 300_000);

  it('all at once: each answer goes to its own request', async () => {
    const tables = await Promise.all(REQUESTS.map(tablesOf));
    const expected = await Promise.all(REQUESTS.map((r, i) => inlinePublisher.publish(r, tables[i]!.table, tables[i]!.related)));
    const got = await Promise.all(REQUESTS.map((r, i) => pool.publish(r, tables[i]!.table, tables[i]!.related)));
    for (let i = 0; i < REQUESTS.length; i++) expect(JSON.stringify(got[i])).toBe(JSON.stringify(expected[i]));
  }, 300_000);
});

describe('failures', () => {
  it('an error in the thread fails that request; the thread goes on with the next', async () => {
    const r = request('outcome', ['gender']);
    const { table, related } = await tablesOf(r);
    await expect(pool.publish({ ...r, rules: 'no-such-rules' }, table, related)).rejects.toThrow(/unknown rule set 'no-such-rules'/);
    const after = await pool.publish(r, table, related);
    expect(JSON.stringify(after)).toBe(JSON.stringify(await inlinePublisher.publish(r, table, related)));
  });

  it('a transitions request without its distribution table is refused, not published wrong', async () => {
    const r = request('transitions', []);
    const { table } = await tablesOf(r);
    await expect(pool.publish(r, table, new Map())).rejects.toThrow(/needs the distribution table/);
  });

  it('a thread that dies (out of memory) fails its request only; the next request gets a new thread', async () => {
    const small = threadPublisher(1, { resourceLimits: { maxOldGenerationSizeMb: 12, maxYoungGenerationSizeMb: 4 } });
    try {
      const r = request('outcome', ['gender']);
      const { table, related } = await tablesOf(r);
      // A table far larger than the thread's heap: 400,000 instances of distinct groups.
      const huge: CountTable = Array.from({ length: 400_000 }, (_, i) => ({ ...table[0]!, group: { ...table[0]!.group, gender: `g${i}` } }));
      await expect(small.publish(r, huge, related)).rejects.toThrow();
      const after = await small.publish(r, table, related);
      expect(JSON.stringify(after)).toBe(JSON.stringify(await inlinePublisher.publish(r, table, related)));
    } finally {
      await small.close();
    }
  }, 120_000);

  it('closing fails what waits and refuses what comes after', async () => {
    const p = threadPublisher(1);
    const r = request('school-profile', ['pupil_weight', 'advice']);
    const { table, related } = await tablesOf(r);
    const waiting = [p.publish(r, table, related), p.publish(r, table, related)].map((w) => w.then(() => 'published', (e: Error) => e.message));
    await p.close();
    expect(await Promise.all(waiting)).toEqual(['the publisher was closed', 'the publisher was closed']);
    await expect(p.publish(r, table, related)).rejects.toThrow(/closed/);
  });
});

describe('packing for the threads', () => {
  const text = fc.constantFrom('a', 'b', 'havo', 'vmbo-t', '', 'x -> y', 'é');
  const nullableInt = fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: null });
  const row = fc.record({
    group: fc.dictionary(fc.constantFrom('gender', 'area:1', 'vo_school', 'advice'), text),
    offset: fc.option(fc.integer({ min: -2, max: 8 }), { nil: null }),
    schoolYear: fc.option(fc.constantFrom('2012-2013', '2013-2014'), { nil: null }),
    edge: fc.option(fc.tuple(text, text), { nil: null }),
    family: text, category: text,
    count: nullableInt, denominator: nullableInt,
    percent: fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: null }),
    suppression: fc.constantFrom(null, 'primary', 'complementary'),
    spread: fc.option(fc.record({
      years: fc.integer({ min: 0, max: 6 }),
      min: fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: null }),
      max: fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: null }),
      sd: fc.option(fc.double({ min: 0, max: 50, noNaN: true }), { nil: null }),
    }), { nil: null }),
  }).map(({ edge, suppression, spread, ...r }): ReportRow => {
    const { group, offset, schoolYear, family, category, count, denominator, percent } = r;
    const tail = { family, category, count, denominator, percent, suppressed: suppression !== null, suppression: suppression as ReportRow['suppression'] };
    const base: ReportRow = edge ? { group, offset, schoolYear, from: edge[0], to: edge[1], ...tail } : { group, offset, schoolYear, ...tail };
    return spread ? { ...base, spread } : base;
  });

  it('rows come back as the same JSON text, and rows that shared a group still share one', async () => {
    await fc.assert(fc.asyncProperty(fc.array(row, { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 40 }), async (rows, sharing) => {
      // Some rows take an earlier row's group object, as the rows of one slot do in publish.ts.
      const input = rows.map((r, i) => (i > 0 && sharing[i] !== undefined && sharing[i]! % 3 === 0 ? { ...r, group: rows[sharing[i]! % i]!.group } : r));
      const back = await unpackRows(packRows(input));
      expect(JSON.stringify(back)).toBe(JSON.stringify(input));
      for (let i = 0; i < input.length; i++) for (let j = 0; j < i; j++) expect(back[i]!.group === back[j]!.group).toBe(input[i]!.group === input[j]!.group);
    }));
  });

  it('packing a large table and unpacking many rows let the serving thread take other work in between', async () => {
    const { table } = await tablesOf(request('outcome', ['gender']));
    const large: CountTable = Array.from({ length: 100_000 }, (_, i) => ({ ...table[0]!, group: { ...table[0]!.group, gender: `g${i}` } }));
    const rows = (await inlinePublisher.publish(request('outcome', ['gender']), table, new Map())).rows;
    const manyRows = Array.from({ length: 100_000 }, (_, i) => rows[i % rows.length]!);
    for (const work of [() => packTable(large), () => unpackRows(packRows(manyRows))]) {
      let ranMeanwhile = false;
      setImmediate(() => { ranMeanwhile = true; });
      const pending = work();
      // Done in one go, the work would end before the immediate ran.
      expect(ranMeanwhile).toBe(false);
      await pending;
      expect(ranMeanwhile).toBe(true);
    }
  });

  it('a count table comes back with the same instances (edges, lineage, nulls)', async () => {
    const { table, related } = await tablesOf(request('transitions', ['vo_school']));
    for (const t of [table, ...related.values()]) {
      expect(t.length).toBeGreaterThan(0);
      const back = unpackTable(await packTable(t));
      expect(back.map((i) => ({ ...i, edges: i.edges }))).toEqual(t.map((i) => ({ ...i, edges: i.edges })));
      expect(back.map((i) => JSON.stringify([i.group, i.lineage]))).toEqual(t.map((i) => JSON.stringify([i.group, i.lineage])));
    }
  });
});
