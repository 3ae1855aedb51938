import { describe, expect, it } from 'vitest';
import { oncePerKey } from '../src/index.js';
import { rowState } from '../src/derive.js';

describe('oncePerKey', () => {
  it('makes a value once per key and gives the same one after', () => {
    const made: number[] = [];
    const dayOf = oncePerKey((year: number) => { made.push(year); return `${year}-08-01`; });
    expect(dayOf(2016)).toBe('2016-08-01');
    expect(dayOf(2017)).toBe('2017-08-01');
    expect(dayOf(2016)).toBe('2016-08-01');
    expect(made).toEqual([2016, 2017]);
  });

  it('keeps a null key apart from the text "null"', () => {
    const of = oncePerKey((v: string | null) => `x:${v ?? 'none'}`);
    expect(of(null)).toBe('x:none');
    expect(of('null')).toBe('x:null');
  });

  it('gives a VO row state as it always read', () => {
    const row = { sector: 'vo', level: { code: 'havo' } } as unknown as Parameters<typeof rowState>[0];
    expect(rowState(row)).toBe('vo:havo');
    expect(rowState({ ...row, level: { code: 'vwo' } } as typeof row)).toBe('vo:vwo');
  });
});
