import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { memoizeText } from '../src/text-memo.js';
import { parseIsoDate, parseVoLevel } from '../src/index.js';

describe('parsers remembered per input text', () => {
  it('give what the parser gives, parse each text once, and forget past their bound', () => {
    fc.assert(fc.property(fc.array(fc.string({ maxLength: 3 }), { maxLength: 200 }), fc.integer({ min: 1, max: 20 }), (inputs, limit) => {
      const calls = new Map<string, number>();
      const parse = (s: string) => {
        calls.set(s, (calls.get(s) ?? 0) + 1);
        return { text: s, length: s.length };
      };
      const remembered = memoizeText(parse, limit);
      let distinctSinceClear = new Set<string>();
      for (const s of inputs) {
        const known = distinctSinceClear.has(s);
        const before = calls.get(s) ?? 0;
        expect(remembered(s)).toEqual({ text: s, length: s.length });
        // Parsed again only when it was not remembered: never seen, or forgotten when the bound was reached.
        expect((calls.get(s) ?? 0) - before).toBe(known ? 0 : 1);
        if (!known) {
          if (distinctSinceClear.size >= limit) distinctSinceClear = new Set();
          distinctSinceClear.add(s);
        }
      }
    }), { numRuns: 300, seed: 20261203 });
  });

  it('hand out results that cannot be changed by one caller under another', () => {
    const date = parseIsoDate('2016-10-01');
    const level = parseVoLevel('havo/vwo');
    expect(E.isRight(date) && E.isRight(level)).toBe(true);
    expect(parseIsoDate('2016-10-01')).toBe(date);
    expect(() => { (level as { right: { span: { low: number } } }).right.span.low = 1; }).toThrow(TypeError);
    expect(parseVoLevel('havo/vwo')).toEqual(E.right({ code: 'havo/vwo', span: { low: 4, high: 5 } }));
  });
});
