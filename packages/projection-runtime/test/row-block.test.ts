import { describe, expect, it } from 'vitest';
import { packRows, transferablesOf, unpackRows, valueAt } from '../src/row-block.js';

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
});
