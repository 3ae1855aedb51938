import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { packRows, RowBlockBuilder, transferablesOf, unpackRows, valueAt, type ColumnKind } from '../src/row-block.js';

describe('row blocks', () => {
  it('give back every value as packed: numbers, strings, booleans, nulls and mixed columns', () => {
    const rows = [
      [1, 'a', true, null, 1],
      [2.5, null, false, 'x', 'one'],
      [null, 'a', null, 'y', 2n],
      [-0, '', true, undefined, null],
    ];
    const block = packRows(rows, 5);
    expect(block.columns.map((c) => c.kind)).toEqual(['number', 'string', 'boolean', 'string', 'any']);
    expect(unpackRows(block)).toEqual(rows.map((r) => r.map((v) => v ?? null)));
    // The dictionary holds each distinct string once.
    expect(block.columns[1]!.kind === 'string' && block.columns[1]!.dictionary).toEqual(['a', '']);
    expect(valueAt(block.columns[0]!, 2)).toBeNull();
  });

  it('cross a structured clone intact, its buffers moved', () => {
    const rows = Array.from({ length: 100 }, (_, i) => [i, `s${i % 7}`, i % 2 === 0]);
    const block = packRows(rows, 3);
    const cloned = structuredClone(block, { transfer: transferablesOf(block) });
    expect(unpackRows(cloned)).toEqual(rows);
    // Moved, not copied: the sender's arrays are detached.
    expect(block.columns[0]!.kind === 'number' && block.columns[0]!.values.length).toBe(0);
  });

  it('refuse a row of the wrong width', () => {
    expect(() => packRows([[1, 2], [3]], 2)).toThrow(/1 values for 2 columns/);
  });

  it('built row by row into typed columns, equal the rows packed at once, block after block from one builder', () => {
    const kinds: ColumnKind[] = ['string', 'number', 'boolean'];
    const row = fc.tuple(fc.option(fc.constantFrom('a', 'b', 'c', '', 'a longer text than twelve'), { nil: null }), fc.option(fc.oneof(fc.integer(), fc.double({ noNaN: true })), { nil: null }), fc.option(fc.boolean(), { nil: null }));
    // Blocks past the builder's first capacity (1,024 rows), and one builder reused for each.
    const blocks = fc.array(fc.array(row, { maxLength: 2_500, size: 'max' }), { minLength: 1, maxLength: 4 });
    fc.assert(fc.property(blocks, (rowsOfBlocks) => {
      const builder = new RowBlockBuilder(kinds);
      for (const rows of rowsOfBlocks) {
        rows.forEach((r, i) => {
          if (i % 2 === 0) builder.push(r);
          else {
            r.forEach((v, c) => builder.columns[c]!.push(v));
            builder.rowDone();
          }
        });
        const block = builder.finish();
        expect(block.length).toBe(rows.length);
        expect(block.columns.map((c) => c.kind)).toEqual(['string', 'number', 'boolean']);
        expect(unpackRows(block)).toEqual(rows);
        // A block's arrays are its own: the next block written into the builder leaves it as it was.
        const copy = unpackRows(block);
        builder.push(['z', 1, true]);
        expect(unpackRows(block)).toEqual(copy);
        builder.finish();
      }
    }), { numRuns: 30, endOnFailure: true });
  });

  it('refuse, built by kind, a value of another kind, naming the column', () => {
    const builder = new RowBlockBuilder(['string', 'number', 'boolean'], ['learner_id', 'year', 'revised']);
    expect(() => builder.push([1, 2, true])).toThrow(/string column 'learner_id' was given number 1/);
    expect(() => new RowBlockBuilder(['number']).push(['2016'])).toThrow(/number column was given string "2016"/);
    expect(() => new RowBlockBuilder(['boolean']).push([0])).toThrow(/boolean column was given number 0/);
    expect(() => builder.push(['x', 1])).toThrow(/2 values for 3 columns/);
  });
});
