import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchVersion, sameContent } from '../src/knowledge.js';

/**
 * What matchVersion answers, as the versions were merged before it: every
 * row keyed by its JSON, the k-th of the same JSON keyed `#k`, and a row
 * stays or is held where its key is on the other side.
 */
function byKeys(open: readonly { row: object }[], rows: readonly object[]): { stays: number[]; held: number[] } {
  const keys = (list: readonly object[]) => {
    const seen = new Set<string>();
    return list.map((row) => {
      const base = JSON.stringify(row);
      let key = base;
      for (let n = 1; seen.has(key); n++) key = `${base}#${n}`;
      seen.add(key);
      return key;
    });
  };
  const openKeys = keys(open.map((o) => o.row));
  const rowKeys = keys(rows);
  return { stays: openKeys.map((k) => (rowKeys.includes(k) ? 1 : 0)), held: rowKeys.map((k) => (openKeys.includes(k) ? 1 : 0)) };
}

// A small pool, so that rows repeat; with the values JSON writes otherwise than it compares.
const value = fc.constantFrom<unknown>('havo', 'vwo', '', 0, -0, 1, 2.5, null, true, false, undefined, Number.NaN, Number.POSITIVE_INFINITY, { code: 'x' }, ['a']);
const row = fc.oneof(
  fc.record({ learner_id: fc.constantFrom('L1', 'L2'), year: fc.constantFrom(2013, 2014), level: fc.constantFrom('havo', 'vwo', null) }),
  fc.dictionary(fc.constantFrom('a', 'b', 'c'), value, { maxKeys: 3 }),
);

describe('matchVersion', () => {
  it('stays and holds the rows that keying by JSON did, pair by pair', () => {
    fc.assert(fc.property(fc.array(row, { maxLength: 30 }), fc.array(row, { maxLength: 30 }), (open, rows) => {
      const got = matchVersion(open.map((r) => ({ row: r })), rows);
      expect({ stays: [...got.stays], held: [...got.held] }).toEqual(byKeys(open.map((r) => ({ row: r })), rows));
    }), { numRuns: 2_000 });
  });

  it('and by keys, for tables past the pairs it compares one by one', () => {
    fc.assert(fc.property(fc.array(row, { minLength: 70, maxLength: 120 }), fc.array(row, { minLength: 70, maxLength: 120 }), (open, rows) => {
      const got = matchVersion(open.map((r) => ({ row: r })), rows);
      expect({ stays: [...got.stays], held: [...got.held] }).toEqual(byKeys(open.map((r) => ({ row: r })), rows));
    }), { numRuns: 200 });
  });

  it('takes rows the same by their JSON as the same, and only those', () => {
    fc.assert(fc.property(row, row, (a, b) => {
      expect(sameContent(a, b)).toBe(JSON.stringify(a) === JSON.stringify(b));
    }), { numRuns: 5_000 });
    expect(sameContent({ a: Number.NaN }, { a: null })).toBe(true);
    expect(sameContent({ a: undefined, b: 1 }, { b: 1 })).toBe(true);
    expect(sameContent({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
  });
});
