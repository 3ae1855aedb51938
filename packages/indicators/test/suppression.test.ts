import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { INDICATOR_DEFS, parseReportRequest, recomputable, type ReportRow } from '../src/index.js';
import { aggregate, type GroupedUnit } from '../src/aggregate.js';

const OUTCOME = INDICATOR_DEFS.outcome;
const PROMOTED = INDICATOR_DEFS.onderbouwsnelheid;

/** Units of the outcome indicator: counts[group][category]. */
function outcomeUnits(counts: Record<string, Record<string, number>>): GroupedUnit[] {
  const out: GroupedUnit[] = [];
  let n = 0;
  for (const [g, byCat] of Object.entries(counts)) {
    for (const [c, k] of Object.entries(byCat)) {
      for (let i = 0; i < k; i++) out.push({ learnerId: `x${n++}`, group: { gender: g }, unit: { offset: null, schoolYear: null, family: 'outcome', categories: [c] } });
    }
  }
  return out;
}
const ungrouped = (units: GroupedUnit[]): GroupedUnit[] => units.map((u) => ({ ...u, group: {} }));
const row = (rows: readonly ReportRow[], g: string | null, c: string) =>
  rows.find((r) => r.category === c && (g === null ? Object.keys(r.group).length === 0 : r.group['gender'] === g))!;

describe('suppression', () => {
  it('hides small cells, then the next smallest of the group so the small one cannot be recomputed', () => {
    // f: gelijk 30, afstroom 3, opstroom 12, no-vo-diploma 15 (den 60). Only afstroom is small;
    // hiding it alone lets 60 - 30 - 12 - 15 = 3 come back, so opstroom (12, the next smallest) goes too.
    const units = outcomeUnits({ f: { gelijk: 30, afstroom: 3, opstroom: 12, 'no-vo-diploma': 15 } });
    const { rows, relations } = aggregate(ungrouped(units), OUTCOME, [], 10, false);
    expect(row(rows, null, 'afstroom').count).toBeNull();
    expect(row(rows, null, 'opstroom').count).toBeNull();
    expect(row(rows, null, 'gelijk').count).toBe(30);
    expect(row(rows, null, 'no-vo-diploma').count).toBe(15);
    expect(row(rows, null, 'gelijk').percent).toBe(50);
    expect(row(rows, null, 'afstroom').suppressed).toBe(true);
    // Zero cells are shown (they disclose no learner).
    expect(row(rows, null, 'half-afstroom').count).toBe(0);
    expect(recomputable(relations)).toBe(false);
  });

  it('a binary category whose complement is small is hidden too (95 of 100 promoted reveals 5 who were not)', () => {
    const units: GroupedUnit[] = Array.from({ length: 100 }, (_, i) => ({
      learnerId: `p${i}`, group: {}, unit: { offset: null, schoolYear: '2013-2014', family: 'promoted', categories: i < 95 ? ['promoted'] : [] },
    }));
    const { rows } = aggregate(units, PROMOTED, [], 10, false);
    expect(rows[0]!.count).toBeNull();
    expect(rows[0]!.denominator).toBe(100);
    const open = aggregate(units, PROMOTED, [], 10, true).rows;
    expect([open[0]!.count, open[0]!.denominator, open[0]!.percent, open[0]!.suppressed]).toEqual([95, 100, 95, false]);
  });

  it('percentages need a denominator above the threshold', () => {
    const units = outcomeUnits({ f: { gelijk: 10 } });
    const { rows } = aggregate(ungrouped(units), OUTCOME, [], 10, false);
    // The cell (10) is shown, the denominator (10) is not above 10: no percentage.
    expect(row(rows, null, 'gelijk').count).toBe(10);
    expect(row(rows, null, 'gelijk').percent).toBeNull();
  });

  it('the minimum cell is configurable but never below 5', () => {
    const units = outcomeUnits({ f: { gelijk: 40, afstroom: 4, opstroom: 7 } });
    const at5 = aggregate(ungrouped(units), OUTCOME, [], 5, false).rows;
    expect(row(at5, null, 'afstroom').count).toBeNull();
    expect(row(at5, null, 'opstroom').count).toBeNull(); // complementary
    const at10 = aggregate(ungrouped(units), OUTCOME, [], 10, false).rows;
    expect(row(at10, null, 'opstroom').count).toBeNull(); // primary
    expect(E.isLeft(parseReportRequest({ indicator: 'outcome', cohort: '2011-2012', minCell: 4 }))).toBe(true);
    expect(E.isRight(parseReportRequest({ indicator: 'outcome', cohort: '2011-2012', minCell: '5' }))).toBe(true);
  });

  it('property: no suppressed cell can be recomputed from the denominator and its siblings, nor from the total report', () => {
    const cats = OUTCOME.families[0]!.fixed;
    const table = fc.dictionary(fc.constantFrom('f', 'm', 'x', 'unknown'), fc.array(fc.nat({ max: 25 }), { minLength: cats.length, maxLength: cats.length }), { minKeys: 1 });
    fc.assert(fc.property(table, fc.constantFrom(5, 10), (t, minCell) => {
      const counts = Object.fromEntries(Object.entries(t).map(([g, arr]) => [g, Object.fromEntries(cats.map((c, i) => [c, arr[i]!]))]));
      const units = outcomeUnits(counts);
      if (units.length === 0) return true;
      const byGender = aggregate(units, OUTCOME, ['gender'], minCell, false);
      const total = aggregate(ungrouped(units), OUTCOME, [], minCell, false);
      expect(recomputable(byGender.relations)).toBe(false);
      for (const r of byGender.rows) {
        const actual = counts[r.group['gender']!]![r.category]!;
        // Primary suppression: every small non-zero cell is hidden.
        if (actual > 0 && actual < minCell) expect(r.count).toBeNull();
        if (r.count !== null) expect(r.count).toBe(actual);
      }
      const genders = Object.keys(counts);
      // An attacker's attempt 1: within a group, denominator minus the shown siblings.
      for (const g of genders) {
        const rows = byGender.rows.filter((r) => r.group['gender'] === g);
        const hidden = rows.filter((r) => r.count === null);
        if (rows[0]!.denominator !== null) expect(hidden.length === 1).toBe(false);
      }
      // Attempt 2: the total report's cell minus the other groups' shown cells.
      for (const c of cats) {
        const tot = row(total.rows, null, c);
        if (tot.count === null) continue;
        const hidden = genders.filter((g) => row(byGender.rows, g, c).count === null);
        expect(hidden.length === 1).toBe(false);
      }
      return true;
    }), { numRuns: 300 });
  });
});

describe('suppression along the area hierarchy', () => {
  // ZUID and NOORD are children of RDAM; UTR is elsewhere. afstroom: ZUID 3, NOORD 20, UTR 4.
  // Across all areas two cells are hidden (ZUID, UTR), but the area:1 report shows RDAM = 23,
  // so ZUID = 23 - 20 would come back unless NOORD's cell is hidden as well.
  const counts: Record<string, Record<string, number>> = {
    ZUID: { afstroom: 3, gelijk: 40, opstroom: 30 },
    NOORD: { afstroom: 20, gelijk: 50, opstroom: 12 },
    UTR: { afstroom: 4, gelijk: 35, opstroom: 25 },
  };
  const units = outcomeUnits(counts).map((u) => ({ ...u, group: { area: u.group['gender']! } }));
  const parents: Record<string, string> = { ZUID: 'RDAM', NOORD: 'RDAM', UTR: 'NL', RDAM: 'NL' };
  const afstroom = (rows: readonly ReportRow[], area: string) => rows.find((r) => r.group['area'] === area && r.category === 'afstroom')!;

  it('hides a sibling within the parent area', () => {
    const flat = aggregate(units, OUTCOME, ['area'], 10, false).rows;
    expect(afstroom(flat, 'NOORD').count).toBe(20);
    const nested = aggregate(units, OUTCOME, ['area'], 10, false, (dim, v) => (dim === 'area' ? parents[v] ?? null : null));
    expect(afstroom(nested.rows, 'ZUID').count).toBeNull();
    expect(afstroom(nested.rows, 'UTR').count).toBeNull();
    expect(afstroom(nested.rows, 'NOORD').count).toBeNull();
    expect(recomputable(nested.relations)).toBe(false);
  });
});
