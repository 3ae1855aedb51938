/**
 * Suppression on a generated population (4,000 learners, two intake years),
 * through the oracle's whole path: registration files, import, replay,
 * counting units, count table, publish. For every pair of related tables the
 * dashboard role can ask for, a reader solving sums with one unknown
 * (attack.ts) recovers no hidden cell; each table of a request's lattice is
 * published exactly as when asked for directly; and every hidden cell says
 * rightly why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ruleSetNamed } from '@leerroutes/domain';
import type { ReportingPathway } from '@leerroutes/pathway';
import { relatedRequests, settleLattice, type Indicator, type ReportRequest, type ReportRow } from '../src/index.js';
import { WeightShares, countTableOf, oracleReport, unitsOf, weightGroupsNeeded, type ComputeInput } from '../src/oracle/index.js';
import { leaks, type View } from './attack.js';
import { noStore } from './helpers.js';
import { population, type Population } from './population.js';

const MIN_CELL = 10;
let pop: Population;
let input: ComputeInput;
const everyone: ReportingPathway[] = [];

beforeAll(async () => {
  pop = await population({ learners: 4000, cohorts: '2012-2013', seed: 'suppression', until: 2021 });
  const shares = new WeightShares();
  for await (const batch of pop.source.allPathways()) for (const p of batch) { shares.add(p); everyone.push(p); }
  input = { ref: await pop.source.referenceData(), covered: await pop.source.coveredReferenceDates!(), weightGroups: shares.groups() };
}, 300_000);
afterAll(async () => pop?.close());

const request = (indicator: Indicator, by: readonly string[]): ReportRequest => ({
  indicator, cohortType: 'intake', rules: 'monitor', by, minCell: MIN_CELL,
  cohort: ['onderbouwsnelheid', 'bovenbouwsucces', 'early-leavers', 'after-mbo', 'vmbo-mbo-loss', 'school-profile'].includes(indicator) ? null : '2012-2013',
});

const learnersOf = async (r: ReportRequest): Promise<readonly ReportingPathway[]> =>
  r.cohort === null ? everyone : pop.source.cohortPathways(r.cohortType, r.rules, r.cohort);

const deps = () => ({ pathways: pop.source, store: noStore });
const nameOf = (r: ReportRequest) => `${r.indicator} by ${r.by.join(',') || 'nothing'}`;

const views = new Map<string, Promise<{ view: View; truth: readonly ReportRow[] }>>();
/** A request's published rows, unsuppressed rows and units (each worked out once for the whole file). */
function view(r: ReportRequest): Promise<{ view: View; truth: readonly ReportRow[] }> {
  const key = JSON.stringify(r);
  if (!views.has(key)) views.set(key, viewOf(r));
  return views.get(key)!;
}

async function viewOf(r: ReportRequest): Promise<{ view: View; truth: readonly ReportRow[] }> {
  const rows = (await oracleReport(r, deps())).rows;
  const truth = (await oracleReport({ ...r, unsuppressed: true }, deps())).rows;
  const units = unitsOf(r, ruleSetNamed(r.rules)!, await learnersOf(r), input);
  return { view: { name: nameOf(r), request: r, rows, units }, truth };
}

/** Fine table, then the related tables a reader may hold next to it. */
const PAIRS: readonly [Indicator, readonly string[], readonly (readonly string[])[]][] = [
  ['outcome', ['gender'], [[]]],
  ['outcome', ['gender', 'area:3'], [['gender'], ['area:3'], ['gender', 'area:2']]],
  ['advice-position', ['area:3'], [['area:2'], []]],
  ['advice-position', ['area'], [['area:2'], ['area:3'], []]],
  ['advice-position', ['vo_school'], [['board'], ['school_group'], ['school_weight_group'], []]],
  ['advice-position', ['pupil_weight', 'vo_school'], [['pupil_weight', 'board'], ['vo_school'], ['pupil_weight']]],
  ['streams', ['parental_education'], [[]]],
  ['distribution', ['gender'], [[]]],
  ['flows', ['gender'], [[]]],
  ['stacked-routes', ['pupil_weight'], [[]]],
  ['advice-test', ['parental_education'], [[]]],
  ['advice-revisions', ['gender'], [[]]],
  ['time-in-vo', ['pupil_weight'], [[]]],
  ['onderbouwsnelheid', ['vo_school'], [['board'], []]],
  ['bovenbouwsucces', ['level'], [[]]],
  ['early-leavers', ['level'], [[]]],
  ['after-mbo', ['gender'], [[]]],
  ['vmbo-mbo-loss', ['vo_school'], [['board'], []]],
  ['school-profile', ['gender'], [[]]],
];

describe('the definitions agree with the synthetic package\'s own measurement of the published figures', () => {
  const sum = (rows: readonly ReportRow[], pick: (r: ReportRow) => boolean, of: (r: ReportRow) => number) => rows.filter(pick).reduce((n, r) => n + of(r), 0);

  it('early-leavers, summed over the school years, per sector', async () => {
    const rows = (await oracleReport({ ...request('early-leavers', []), unsuppressed: true }, deps())).rows;
    for (const sector of ['vo', 'mbo'] as const) {
      const mine = rows.filter((r) => r.group['sector'] === sector);
      expect({ k: sum(mine, () => true, (r) => r.count!), n: sum(mine, () => true, (r) => r.denominator!) }, sector).toEqual(pop.figures.earlyLeavers[sector]);
    }
    expect(pop.figures.earlyLeavers.vo.k).toBeGreaterThan(0);
  });

  it('after-mbo, summed over the school years, per diploma level', async () => {
    const rows = (await oracleReport({ ...request('after-mbo', []), unsuppressed: true }, deps())).rows;
    for (const level of ['mbo-1', 'mbo-2', 'mbo-3', 'mbo-4'] as const) {
      const theirs = Object.values(pop.figures.afterMbo).reduce((t, g) => ({ graduates: t.graduates + g[level].graduates, mboHigher: t.mboHigher + g[level].mboHigher, hbo: t.hbo + g[level].hbo }), { graduates: 0, mboHigher: 0, hbo: 0 });
      const mine = rows.filter((r) => r.group['diploma_level'] === level);
      const n = [...new Map(mine.map((r) => [r.schoolYear, r.denominator!])).values()].reduce((a, b) => a + b, 0);
      expect({ graduates: n, mboHigher: sum(mine, (r) => r.category === 'mbo-higher', (r) => r.count!), hbo: sum(mine, (r) => r.category === 'hbo', (r) => r.count!) }, level).toEqual(theirs);
    }
  });
});

describe(`suppression on a generated population (minCell ${MIN_CELL})`, () => {
  for (const [indicator, by, coarser] of PAIRS) {
    it(`${indicator} by ${by.join(', ')}: no hidden cell comes out of it and ${coarser.map((c) => c.join(',') || 'the total').join(' / ')}`, async () => {
      const fine = await view(request(indicator, by));
      expect(fine.view.rows.some((r) => r.suppression === 'primary'), 'the data has small cells to hide').toBe(true);
      const truth = new Map([[fine.view.name, fine.truth]]);
      for (const c of coarser) {
        const other = await view(request(indicator, c));
        truth.set(other.view.name, other.truth);
        expect(leaks([fine.view, other.view], truth), `${fine.view.name} / ${other.view.name}`).toEqual([]);
      }
      // The table alone: within-table sums (families, flows nodes and edges, pooled years).
      expect(leaks([fine.view], truth)).toEqual([]);
    });
  }

  it('transitions and distribution protect each other', async () => {
    for (const by of [[], ['gender']]) {
      const t = await view(request('transitions', by));
      const d = await view(request('distribution', by));
      const truth = new Map([[t.view.name, t.truth], [d.view.name, d.truth]]);
      expect(t.view.rows.some((r) => r.suppression !== null)).toBe(true);
      expect(leaks([t.view, d.view], truth), by.join(',')).toEqual([]);
    }
  });

  it('every hidden cell says why: primary exactly when small, complementary otherwise; shown cells are true', async () => {
    for (const [indicator, by] of PAIRS) {
      const r = request(indicator, by);
      const { view: v, truth } = await view(r);
      const key = (x: ReportRow) => JSON.stringify([x.group, x.offset, x.schoolYear, x.family, x.category]);
      const shown = new Map(v.rows.map((x) => [key(x), x]));
      // Every true row is published; the published rows beyond them are zero cells hidden to protect others.
      for (const t of truth) expect(shown.has(key(t)), `${v.name} ${key(t)}`).toBe(true);
      const trueRows = new Map(truth.map((x) => [key(x), x]));
      for (const row of v.rows) {
        const t = trueRows.get(key(row)) ?? { ...row, count: 0 };
        const small = t.count! > 0 && t.count! < MIN_CELL;
        expect(row.suppression, `${v.name} ${JSON.stringify(t)}`).toBe(small ? 'primary' : row.count === null ? 'complementary' : null);
        expect(row.suppressed).toBe(row.suppression !== null);
        if (row.count !== null) expect(row.count).toBe(t.count);
        if (t.denominator !== null && t.denominator > 0 && t.denominator < MIN_CELL) expect(row.denominator).toBeNull();
        if (row.percent !== null) expect(row.denominator! > MIN_CELL && row.count !== null).toBe(true);
      }
    }
  });

  it('a cell is hidden or shown alike in every report that shows it: each table of a lattice as when asked for directly', async () => {
    for (const [indicator, by] of [['outcome', ['gender', 'area:3']], ['advice-position', ['pupil_weight', 'vo_school']], ['transitions', ['gender']], ['school-profile', ['gender']]] as const) {
      const r = request(indicator, by);
      const rules = ruleSetNamed(r.rules)!;
      const learners = await learnersOf(r);
      const related = new Map(relatedRequests(r).map((x) => [x.indicator, countTableOf(unitsOf(x, rules, learners, input))]));
      const lattice = await settleLattice(r, countTableOf(unitsOf(r, rules, learners, input)), { related: async (x) => related.get(x.indicator) ?? [] });
      expect(lattice.tables.size).toBeGreaterThanOrEqual(2);
      for (const t of lattice.tables.values()) {
        const direct = await oracleReport({ ...request(t.indicator, t.dims) }, deps());
        expect(t.rows(t.dims), `${t.indicator} by ${t.dims.join(',')} within ${nameOf(r)}`).toEqual(direct.rows);
        expect(t.unresolved, `${t.indicator} by ${t.dims.join(',')}`).toBe(0);
      }
      expect(weightGroupsNeeded(r) || !r.by.includes('vo_school')).toBe(true);
    }
  });
});
