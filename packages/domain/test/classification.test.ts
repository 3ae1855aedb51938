import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { INSPECTIE, MONITOR, classify, compareSpans, parseVoLevel, type LevelRef, type Span } from '../src/index.js';

const level = (code: string): LevelRef => {
  const p = parseVoLevel(code);
  if (E.isLeft(p)) throw new Error(p.left.message);
  return p.right;
};

describe('SPEC 5 examples', () => {
  it.each([
    ['havo/vwo', 'vwo', 'half-opstroom'],
    ['havo', 'havo/vwo', 'half-opstroom'],
    ['vmbo-t/havo', 'vmbo-t', 'half-afstroom'],
    ['vwo', 'havo', 'afstroom'],
    ['vmbo-b', 'vmbo-k', 'opstroom'],
    ['havo', 'havo', 'gelijk'],
    // Aliases land on the same rank: mavo = vmbo-t, vmbo-g and vmbo-t share rank 3.
    ['mavo', 'vmbo-g', 'gelijk'],
    ['atheneum', 'gymnasium', 'gelijk'],
  ])('monitor: %s -> %s is %s', (from, to, expected) => {
    expect(classify(MONITOR, level(from), level(to))).toBe(expected);
  });

  it.each([
    // Spans collapse to their lower level first: only up / same / down remain.
    ['havo/vwo', 'vwo', 'opstroom'], // havo -> vwo
    ['havo', 'havo/vwo', 'gelijk'], // havo -> havo
    ['vmbo-t/havo', 'vmbo-t', 'gelijk'], // vmbo-t -> vmbo-t
    ['vwo', 'havo', 'afstroom'],
    ['vmbo-b', 'vmbo-k', 'opstroom'],
    ['vmbo-k/t', 'vmbo-b', 'afstroom'],
    ['vmbo-t/havo/vwo', 'havo', 'opstroom'],
  ])('inspectie: %s -> %s is %s', (from, to, expected) => {
    expect(classify(INSPECTIE, level(from), level(to))).toBe(expected);
  });

  it('vmbo-t/havo/vwo -> havo: overlapping, sums 8 vs 8 -> gelijk under monitor', () => {
    expect(classify(MONITOR, level('vmbo-t/havo/vwo'), level('havo'))).toBe('gelijk');
  });
});

/** All spans over ranks 0..5: 21 of them. */
const SPANS: Span[] = [];
for (let low = 0; low <= 5; low++) for (let high = low; high <= 5; high++) SPANS.push({ low, high });

/**
 * The definition restated independently: as sets of ranks, disjoint-above is
 * up, disjoint-below is down; overlapping spans compare by their midpoints.
 */
function oracle(f: Span, t: Span): string {
  const range = (s: Span) => Array.from({ length: s.high - s.low + 1 }, (_, i) => s.low + i);
  const F = range(f);
  const T = range(t);
  if (F.length === T.length && F.every((x, i) => x === T[i])) return 'gelijk';
  if (T.every((x) => F.every((y) => x > y))) return 'opstroom';
  if (T.every((x) => F.every((y) => x < y))) return 'afstroom';
  const mid = (s: number[]) => (s[0]! + s[s.length - 1]!) / 2;
  return mid(T) > mid(F) ? 'half-opstroom' : mid(T) < mid(F) ? 'half-afstroom' : 'gelijk';
}

describe('all span pairs over ranks 0..5', () => {
  it('has 21 spans and 441 pairs, each as defined', () => {
    expect(SPANS).toHaveLength(21);
    let checked = 0;
    for (const f of SPANS) for (const t of SPANS) {
      expect(compareSpans(f, t), `${JSON.stringify(f)} -> ${JSON.stringify(t)}`).toBe(oracle(f, t));
      checked++;
    }
    expect(checked).toBe(441);
  });

  it('under inspectie every pair is up, same or down by the lower bounds', () => {
    const asLevel = (s: Span): LevelRef => ({ code: `${s.low}-${s.high}`, span: s });
    for (const f of SPANS) for (const t of SPANS) {
      const expected = t.low > f.low ? 'opstroom' : t.low < f.low ? 'afstroom' : 'gelijk';
      expect(classify(INSPECTIE, asLevel(f), asLevel(t))).toBe(expected);
    }
  });
});

const spanArb = fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 })).map(([a, b]) => ({ low: Math.min(a, b), high: Math.max(a, b) }));
const MIRROR: Record<string, string> = {
  opstroom: 'afstroom', afstroom: 'opstroom', 'half-opstroom': 'half-afstroom', 'half-afstroom': 'half-opstroom', gelijk: 'gelijk',
};

describe('properties', () => {
  it('up and down mirror each other, half steps too', () => {
    fc.assert(fc.property(spanArb, spanArb, (f, t) => compareSpans(t, f) === MIRROR[compareSpans(f, t)]));
  });

  it('half steps only when at least one side is a span', () => {
    fc.assert(fc.property(spanArb, spanArb, (f, t) => {
      const half = compareSpans(f, t).startsWith('half-');
      return !half || f.low !== f.high || t.low !== t.high;
    }));
  });

  it('inspectie never yields half steps', () => {
    fc.assert(fc.property(spanArb, spanArb, (f, t) =>
      !classify(INSPECTIE, { code: 'f', span: f }, { code: 't', span: t }).startsWith('half-')));
  });

  it('a level compared with itself is gelijk', () => {
    fc.assert(fc.property(spanArb, (s) => compareSpans(s, s) === 'gelijk'));
  });

  it('unranked levels are not-comparable under every rule set, on either side', () => {
    const unranked = [level('vso'), level('unknown')];
    fc.assert(fc.property(spanArb, fc.constantFrom(...unranked), fc.boolean(), fc.constantFrom(MONITOR, INSPECTIE), (s, u, unrankedFirst, rules) => {
      const ranked: LevelRef = { code: 'x', span: s };
      return (unrankedFirst ? classify(rules, u, ranked) : classify(rules, ranked, u)) === 'not-comparable';
    }));
    expect(classify(MONITOR, level('vso'), level('vso'))).toBe('not-comparable');
  });
});
