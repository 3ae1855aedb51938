import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spansOf } from '../src/prepare-span.js';
import type { ReadRange } from '../src/rebuild-thread.js';

const rangeOf = (after: number, until: number, batchSize: number, sliceSize?: number): ReadRange =>
  ({ kind: 'read', after, until, batchSize, ...(sliceSize !== undefined ? { sliceSize } : {}), targets: [] });

describe('spansOf: the spans a rebuild hands out', () => {
  it('covers the range once, in order, in spans that never grow and end no larger than a slice', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 1, max: 30_000 }), fc.option(fc.integer({ min: 1, max: 5_000 }), { nil: undefined }),
      (after, length, batchSize, sliceSize) => {
        const range = rangeOf(after, after + length, batchSize, sliceSize);
        const spans = spansOf(range);
        const smallest = Math.min(sliceSize ?? batchSize, batchSize);
        let at = after;
        spans.forEach((s, i) => {
          expect(s.start).toBe(at);
          expect(s.end).toBeGreaterThan(s.start);
          const size = s.end - s.start;
          expect(size).toBeLessThanOrEqual(batchSize);
          // A quarter of what is left, but never below a slice (only the very last span may be shorter).
          expect(size).toBeLessThanOrEqual(Math.max(smallest, Math.ceil((range.until - s.start) / 4)));
          if (i < spans.length - 1) {
            expect(size).toBeGreaterThanOrEqual(smallest);
            expect(spans[i + 1]!.end - spans[i + 1]!.start).toBeLessThanOrEqual(size);
          }
          at = s.end;
        });
        expect(at).toBe(after + length);
      },
    ));
  });

  it('keeps whole batches where a quarter of what is left exceeds one, and shrinks only at the end', () => {
    const spans = spansOf(rangeOf(0, 1_000_000, 20_000, 1_000)).map((s) => s.end - s.start);
    const firstShort = spans.findIndex((n) => n < 20_000);
    expect(spans.slice(0, firstShort).every((n) => n === 20_000)).toBe(true);
    // Whole batches until fewer than four are left; then a dozen or so spans down to slices.
    expect(1_000_000 - firstShort * 20_000).toBeLessThanOrEqual(80_000);
    expect(spans.length - firstShort).toBeGreaterThan(8);
    expect(spans.at(-2)).toBe(1_000);
  });

  it('gives no span for an empty range, and the same spans for the same range object', () => {
    expect(spansOf(rangeOf(10, 10, 100))).toEqual([]);
    const range = rangeOf(0, 12_345, 1_000, 100);
    expect(spansOf(range)).toBe(spansOf(range));
  });
});
