/**
 * Suppression on hand-made count tables: primary and complementary cells,
 * percentages, the threshold, and (property tests) that no hidden cell can
 * be recovered from the table and the tables without a breakdown or one
 * area level up, and that a table is suppressed alike however it is reached.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { INDICATOR_DEFS, parseReportRequest, publish, publishChecked, settleLattice, tableKey, type ReportRequest, type ReportRow } from '../src/index.js';
import { countTableOf, type GroupedUnit } from '../src/oracle/index.js';
import { leaks, type View } from './attack.js';

const CATS = INDICATOR_DEFS.outcome.families[0]!.fixed;

/** A learner of a hand-made outcome table: gender, area chain (root first) and outcome category. */
interface Person { readonly id: string; readonly gender: string; readonly chain: readonly string[]; readonly category: string }

/** The units of an outcome request by `dims` (gender, area, area:N), with the lineage table.ts describes. */
function outcomeUnits(people: readonly Person[], dims: readonly string[]): GroupedUnit[] {
  return people.map((p) => {
    const group: Record<string, string> = {};
    const lineage: Record<string, string> = {};
    for (const d of dims) {
      if (d === 'gender') group[d] = p.gender;
      else if (d === 'area') {
        group[d] = p.chain[p.chain.length - 1] ?? 'unknown';
        p.chain.slice(0, -1).forEach((a, k) => { lineage[`area:${k}`] = a; });
      } else {
        const n = Number(d.slice(5));
        group[d] = p.chain[n] ?? 'unknown';
        p.chain.slice(0, n).forEach((a, k) => { lineage[`area:${k}`] = a; });
      }
    }
    return { learnerId: p.id, group, lineage, unit: { offset: null, schoolYear: null, family: 'outcome', categories: [p.category] } };
  });
}

const request = (by: readonly string[], extra: Partial<ReportRequest> = {}): ReportRequest =>
  ({ indicator: 'outcome', cohortType: 'advice', cohort: '2011-2012', rules: 'monitor', by, ...extra });
const noRelated = { related: async () => [] };
const rowsOf = (people: readonly Person[], by: readonly string[], extra: Partial<ReportRequest> = {}) =>
  publish(request(by, extra), countTableOf(outcomeUnits(people, by)), noRelated);

/** n people of one gender and area in one category. */
const people = (spec: readonly [gender: string, chain: readonly string[], category: string, n: number][]): Person[] => {
  const out: Person[] = [];
  for (const [gender, chain, category, n] of spec) for (let i = 0; i < n; i++) out.push({ id: `p${out.length}`, gender, chain, category });
  return out;
};
const row = (rows: readonly ReportRow[], c: string, group: Record<string, string> = {}) =>
  rows.find((r) => r.category === c && JSON.stringify(r.group) === JSON.stringify(group))!;

describe('suppression within a table', () => {
  it('hides small cells, then the next smallest of the group so the small one cannot be recomputed', async () => {
    // gelijk 30, afstroom 3, opstroom 12, no-vo-diploma 15 (den 60). Only afstroom is small;
    // hiding it alone lets 60 - 30 - 12 - 15 = 3 come back, so opstroom (12, the next smallest) goes too.
    const rows = await rowsOf(people([['f', [], 'gelijk', 30], ['f', [], 'afstroom', 3], ['f', [], 'opstroom', 12], ['f', [], 'no-vo-diploma', 15]]), []);
    expect([row(rows, 'afstroom').count, row(rows, 'afstroom').suppression]).toEqual([null, 'primary']);
    expect([row(rows, 'opstroom').count, row(rows, 'opstroom').suppression]).toEqual([null, 'complementary']);
    expect(row(rows, 'gelijk').count).toBe(30);
    expect(row(rows, 'no-vo-diploma').count).toBe(15);
    expect(row(rows, 'gelijk').percent).toBe(50);
    // Zero cells are shown (they disclose no learner).
    expect([row(rows, 'half-afstroom').count, row(rows, 'half-afstroom').suppression]).toEqual([0, null]);
  });

  it('a binary category whose complement is small is hidden too (95 of 100 promoted reveals 5 who were not)', async () => {
    const units: GroupedUnit[] = Array.from({ length: 100 }, (_, i) => ({
      learnerId: `p${i}`, group: {}, lineage: {}, unit: { offset: null, schoolYear: '2013-2014', family: 'promoted', categories: i < 95 ? ['promoted'] : [] },
    }));
    const req: ReportRequest = { indicator: 'onderbouwsnelheid', cohortType: 'advice', cohort: null, rules: 'monitor', by: [] };
    const [hidden] = await publish(req, countTableOf(units), noRelated);
    expect([hidden!.count, hidden!.denominator, hidden!.suppression]).toEqual([null, 100, 'complementary']);
    const [open] = await publish({ ...req, unsuppressed: true }, countTableOf(units), noRelated);
    expect([open!.count, open!.denominator, open!.percent, open!.suppressed, open!.suppression]).toEqual([95, 100, 95, false, null]);
  });

  it('percentages need a denominator above the threshold', async () => {
    const rows = await rowsOf(people([['f', [], 'gelijk', 10]]), []);
    // The cell (10) is shown, the denominator (10) is not above 10: no percentage.
    expect([row(rows, 'gelijk').count, row(rows, 'gelijk').percent]).toEqual([10, null]);
  });

  it('the minimum cell is configurable but never below 5', async () => {
    const p = people([['f', [], 'gelijk', 40], ['f', [], 'afstroom', 4], ['f', [], 'opstroom', 7]]);
    const at5 = await rowsOf(p, [], { minCell: 5 });
    expect(row(at5, 'afstroom').suppression).toBe('primary');
    expect(row(at5, 'opstroom').suppression).toBe('complementary');
    const at10 = await rowsOf(p, [], { minCell: 10 });
    expect(row(at10, 'opstroom').suppression).toBe('primary');
    expect(E.isLeft(parseReportRequest({ indicator: 'outcome', cohort: '2011-2012', minCell: 4 }))).toBe(true);
    expect(E.isRight(parseReportRequest({ indicator: 'outcome', cohort: '2011-2012', minCell: '5' }))).toBe(true);
  });
});

describe('suppression across tables', () => {
  // ZUID and NOORD lie in RDAM; UTR elsewhere. afstroom: ZUID 3, NOORD 20, UTR 4.
  // By area:2 the small ZUID and UTR cells are hidden; the area:1 table shows RDAM = 23, so
  // ZUID = 23 - 20 would come back unless NOORD's afstroom is hidden as well.
  const p = people([
    ['f', ['NL', 'RDAM', 'ZUID'], 'afstroom', 3], ['f', ['NL', 'RDAM', 'ZUID'], 'gelijk', 40], ['f', ['NL', 'RDAM', 'ZUID'], 'opstroom', 30],
    ['f', ['NL', 'RDAM', 'NOORD'], 'afstroom', 20], ['f', ['NL', 'RDAM', 'NOORD'], 'gelijk', 50], ['f', ['NL', 'RDAM', 'NOORD'], 'opstroom', 12],
    ['f', ['NL', 'UTR', 'UTR-C'], 'afstroom', 4], ['f', ['NL', 'UTR', 'UTR-C'], 'gelijk', 35], ['f', ['NL', 'UTR', 'UTR-C'], 'opstroom', 25],
  ]);

  it('hides a sibling within the parent area, and the parent level shows what it shows when asked directly', async () => {
    const fine = await rowsOf(p, ['area:2']);
    const afstroom = (area: string) => row(fine, 'afstroom', { 'area:2': area });
    expect([afstroom('ZUID').suppression, afstroom('UTR-C').suppression]).toEqual(['primary', 'primary']);
    expect(afstroom('NOORD').suppression).toBe('complementary');
    const coarse = await rowsOf(p, ['area:1']);
    // One level up, UTR's afstroom (4) is hidden, and the area:0 table shows NL's (27 = RDAM 23 + UTR 4):
    // RDAM's goes too, though it is not small.
    expect(row(coarse, 'afstroom', { 'area:1': 'UTR' }).suppression).toBe('primary');
    expect(row(coarse, 'afstroom', { 'area:1': 'RDAM' }).suppression).toBe('complementary');
    expect(row(await rowsOf(p, ['area:0']), 'afstroom', { 'area:0': 'NL' }).count).toBe(27);
  });

  it('the limit: two margins of a two-way table can difference out a cell the table itself cannot protect, and it says so', async () => {
    // Every m learner lives in ZUID, so the table by gender alone shows (m, ZUID)'s opstroom: 5. ZUID's opstroom
    // is 6 by area:2 alone, so (f, ZUID) = 6 - 5 = 1, whatever the two-way table hides: both margins were settled
    // before it, each as it is when asked for by itself.
    const p = people([['m', ['NL', 'RDAM', 'ZUID'], 'opstroom', 5], ['f', ['NL', 'RDAM', 'ZUID'], 'opstroom', 1], ['f', ['NL', 'UTR', 'UTR-W'], 'opstroom', 1], ['x', [], 'opstroom', 1]]);
    const lattice = await settleLattice(request(['gender', 'area:2'], { minCell: 5 }), countTableOf(outcomeUnits(p, ['gender', 'area:2'])), noRelated);
    expect(lattice.requested.unresolved).toBeGreaterThan(0);
    expect(row(lattice.requested.rows(['gender', 'area:2']), 'opstroom', { gender: 'f', 'area:2': 'ZUID' }).suppression).toBe('primary');
    expect(row(await rowsOf(p, ['gender'], { minCell: 5 }), 'opstroom', { gender: 'm' }).count).toBe(5);
    expect(row(await rowsOf(p, ['area:2'], { minCell: 5 }), 'opstroom', { 'area:2': 'ZUID' }).count).toBe(6);
  });

  it('the limit in one way: an area:N cell of learners of unknown area under different parents, pinned by its coarser table, is hidden and reported', async () => {
    // area:2 'unknown' holds one RDAM learner and one learner known only as NL. area:1, settled as it is alone,
    // shows UTR (5) and hides RDAM (1) and unknown (1); UTR-W is all of UTR, so area:2's unknown is 7 - 5 = 2
    // whatever area:2 hides. It is a group the table shows, so it counts (with its denominator) as unprotected.
    const p = people([['f', ['NL', 'RDAM'], 'opstroom', 1], ['f', ['NL'], 'opstroom', 1], ['f', ['NL', 'UTR', 'UTR-W'], 'opstroom', 5]]);
    const lattice = await settleLattice(request(['area:2'], { minCell: 5 }), countTableOf(outcomeUnits(p, ['area:2'])), noRelated);
    expect(lattice.requested.unresolved).toBe(2);
    // What a report carries: the same rows, and the count; nothing is hidden unsuppressed.
    const checked = await publishChecked(request(['area:2'], { minCell: 5 }), countTableOf(outcomeUnits(p, ['area:2'])), noRelated);
    expect(checked).toEqual({ rows: await rowsOf(p, ['area:2'], { minCell: 5 }), unprotected: 2 });
    expect((await publishChecked(request(['area:2'], { unsuppressed: true }), countTableOf(outcomeUnits(p, ['area:2'])), noRelated)).unprotected).toBe(0);
    const fine = lattice.requested.rows(['area:2']);
    expect(row(fine, 'opstroom', { 'area:2': 'unknown' }).suppression).toBe('primary');
    const coarse = lattice.tables.get(tableKey('outcome', ['area:1']))!.rows(['area:1']);
    expect([row(coarse, 'opstroom', { 'area:1': 'RDAM' }).count, row(coarse, 'opstroom', { 'area:1': 'unknown' }).count]).toEqual([null, null]);
  });

  /**
   * Whether a one-way area:N table may report cells it could not protect: only where one of its hidden cells is
   * learners of unknown area:N whose area:N-1 differs (the limit in one way, above).
   */
  const splitLimit = (ps: readonly Person[], by: readonly string[], rows: readonly ReportRow[]): boolean => {
    const n = by.length === 1 && by[0]!.startsWith('area:') ? Number(by[0]!.slice(5)) : 0;
    if (n < 1) return false;
    const parents = new Set(ps.filter((q) => q.chain[n] === undefined).map((q) => q.chain[n - 1] ?? 'unknown'));
    return parents.size > 1 && rows.some((r) => r.group[by[0]!] === 'unknown' && r.count === null);
  };

  /** The property below for one population: every pair of views, attacked; a leak only where the table says it could not protect. */
  const noLeak = async (list: readonly Omit<Person, 'id'>[], minCell: number): Promise<void> => {
    const ps = list.map((x, i) => ({ ...x, id: `p${i}` }));
    const tables = [['gender', 'area:2'], ['gender', 'area:1'], ['gender'], ['area:2'], ['area:1'], ['area:0'], ['area'], []];
    const views: View[] = [];
    const truth = new Map<string, readonly ReportRow[]>();
    const unresolved = new Map<string, number>();
    const limited = new Set<string>();
    for (const by of tables) {
      const name = by.join(',') || 'total';
      const lattice = await settleLattice(request(by, { minCell }), countTableOf(outcomeUnits(ps, by)), noRelated);
      const rows = lattice.requested.rows(by);
      unresolved.set(name, lattice.requested.unresolved);
      if (splitLimit(ps, by, rows)) limited.add(name);
      views.push({ name, request: request(by, { minCell }), rows, units: outcomeUnits(ps, by) });
      const open = await rowsOf(ps, by, { unsuppressed: true });
      truth.set(name, open);
      // The outcome's categories are a fixed list: the same rows either way.
      expect(rows.map((r) => [r.group, r.category])).toEqual(open.map((t) => [t.group, t.category]));
      open.forEach((t, i) => {
        const r = rows[i]!;
        // Primary exactly when small; a shown count is the true one.
        expect(r.suppression === 'primary').toBe(t.count! > 0 && t.count! < minCell);
        if (r.count !== null) expect(r.count).toBe(t.count);
        if (t.denominator! > 0 && t.denominator! < minCell) expect(r.denominator).toBeNull();
      });
    }
    const pairs: [number, number][] = [[0, 2], [0, 3], [0, 1], [1, 2], [1, 4], [3, 4], [4, 5], [5, 7], [2, 7], [6, 3], [6, 4], [6, 5], [6, 7]];
    for (const [a, b] of pairs) {
      const [fine, coarse] = [views[a]!, views[b]!];
      // Small groups only: a hidden zero or a large complementary cell that comes out discloses no small group by itself.
      const found = leaks([fine, coarse], truth).filter((l) => l.value > 0 && l.value < minCell);
      // A table with one breakdown is always protected; a two-way table only where its margins leave it a way
      // (the limit above), and where they do not, it reports the relations it could not protect.
      if (fine.request.by.length < 2) expect(found, `${fine.name} / ${coarse.name}`).toEqual([]);
      else if (found.length > 0) expect(unresolved.get(fine.name), `${fine.name} / ${coarse.name}`).toBeGreaterThan(0);
    }
    for (const [name, n] of unresolved) if (!name.includes(',') && !limited.has(name)) expect(n, name).toBe(0);
  };

  it('property: no hidden cell comes out of a breakdown and the table without it, or of area:N and area:N-1', async () => {
    const person = fc.record({
      gender: fc.constantFrom('f', 'm', 'x'),
      chain: fc.constantFrom(['NL', 'RDAM', 'ZUID'], ['NL', 'RDAM', 'NOORD'], ['NL', 'RDAM'], ['NL', 'UTR', 'UTR-C'], ['NL', 'UTR', 'UTR-W'], ['NL'], []),
      category: fc.constantFrom(...CATS),
    });
    // The seed is the suite's (tests/support/fast-check-seed.ts): FC_SEED=... RUNS=... to explore.
    await fc.assert(fc.asyncProperty(fc.array(person, { minLength: 1, maxLength: 160 }), fc.constantFrom(5, 10), noLeak),
      { numRuns: Number(process.env.RUNS ?? 150) });
  });

  // Found by CI's random seed -1862150393: (m, area:2 unknown) = 2 (one m of no area, one of RDAM) is hidden, and
  // area:2's unknown (7) minus (f, unknown) (5, all of f) gives it back. publish.ts once let such a split cell out
  // unreported as "a sum of hidden groups"; it is a group the table shows, so it now counts as unprotected.
  it('a split cell of a two-way table that comes out of its margin is reported', async () => {
    const spec: [string, string[]][] = [['f', ['NL', 'RDAM']], ['f', []], ['f', ['NL', 'RDAM']], ['m', []], ['f', ['NL', 'RDAM']],
      ['x', ['NL', 'RDAM', 'ZUID']], ['m', ['NL', 'RDAM']], ['f', ['NL']], ['m', ['NL', 'UTR', 'UTR-C']]];
    await noLeak(spec.map(([gender, chain]) => ({ gender, chain, category: 'opstroom' })), 5);
  });

  it('property: every table of the lattice is suppressed as it is when asked for directly', async () => {
    const person = fc.record({
      gender: fc.constantFrom('f', 'm'),
      chain: fc.constantFrom(['NL', 'RDAM', 'ZUID'], ['NL', 'RDAM', 'NOORD'], ['NL', 'RDAM'], ['NL', 'UTR', 'UTR-C'], []),
      category: fc.constantFrom(...CATS),
    });
    await fc.assert(fc.asyncProperty(fc.array(person, { minLength: 1, maxLength: 120 }), fc.constantFrom(['gender', 'area:2'], ['area'], ['gender', 'area']), async (list, by) => {
      const ps = list.map((x, i) => ({ ...x, id: `p${i}` }));
      const lattice = await settleLattice(request(by), countTableOf(outcomeUnits(ps, by)), noRelated);
      expect(lattice.tables.size).toBeGreaterThan(1);
      for (const t of lattice.tables.values()) {
        const direct = await rowsOf(ps, t.dims);
        expect(t.rows(t.dims), tableKey('outcome', t.dims)).toEqual(direct);
        if (t.dims.length < 2 && !splitLimit(ps, t.dims, direct)) expect(t.unresolved, tableKey('outcome', t.dims)).toBe(0);
      }
    }), { numRuns: Number(process.env.RUNS ?? 100) });
  });
});
