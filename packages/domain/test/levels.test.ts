import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { gradeRange, parseDiplomaLevel, parseEnrolmentLevel, parseVoLevel, givesStartkwalificatie, levelForScore } from '../src/index.js';

const level = (s: string) => {
  const r = parseVoLevel(s);
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

describe('VO levels, aliases and spans', () => {
  it.each([
    ['pro', 'pro', 0, 0], ['vmbo-b', 'vmbo-b', 1, 1], ['vmbo-basis', 'vmbo-b', 1, 1], ['vmbo-k', 'vmbo-k', 2, 2], ['vmbo-kader', 'vmbo-k', 2, 2],
    ['vmbo-g', 'vmbo-g', 3, 3], ['vmbo-t', 'vmbo-t', 3, 3], ['mavo', 'vmbo-t', 3, 3], ['vmbo-tl', 'vmbo-t', 3, 3], ['vmbo-gt', 'vmbo-g/t', 3, 3],
    ['vmbo-g/t', 'vmbo-g/t', 3, 3], ['havo', 'havo', 4, 4], ['vwo', 'vwo', 5, 5], ['atheneum', 'vwo', 5, 5], ['gymnasium', 'vwo', 5, 5],
    ['vmbo-b/k', 'vmbo-b/k', 1, 2], ['vmbo-k/t', 'vmbo-k/t', 2, 3], ['vmbo-t/havo', 'vmbo-t/havo', 3, 4], ['havo/vwo', 'havo/vwo', 4, 5],
    ['vmbo-t/havo/vwo', 'vmbo-t/havo/vwo', 3, 5], [' HAVO / VWO ', 'havo/vwo', 4, 5], ['mavo/havo', 'vmbo-t/havo', 3, 4],
  ])('%s is %s spanning ranks %i..%i', (input, code, low, high) => {
    expect(level(input)).toEqual({ code, span: { low, high } });
  });

  it('keeps vso and unknown as unranked levels that are never compared', () => {
    expect(level('vso')).toEqual({ code: 'vso', span: null });
    expect(level('unknown')).toEqual({ code: 'unknown', span: null });
  });

  it('refuses codes it does not know with a typed error, never a throw', () => {
    for (const bad of ['hovo', '', 'vmbo-x', 'havo//vwo', 'mbo-2']) {
      const r = parseVoLevel(bad);
      expect(E.isLeft(r) && r.left.kind).toBe('UnknownLevel');
    }
  });

  it('reads post-VO levels by sector', () => {
    expect(parseEnrolmentLevel('mbo', 'entree')).toEqual(E.right({ code: 'mbo-1', span: { low: 1, high: 1 } }));
    expect(parseEnrolmentLevel('hbo', 'hbo-ba')).toEqual(E.right({ code: 'hbo-ba', span: { low: 6, high: 6 } }));
    expect(E.isLeft(parseEnrolmentLevel('mbo', 'havo'))).toBe(true);
    expect(parseEnrolmentLevel('po', '')).toEqual(E.right({ code: 'po', span: null }));
  });

  it('allows the grades of each level: vmbo 1-4, havo 1-5, vwo 1-6', () => {
    expect(gradeRange('vo', level('vmbo-t'))).toEqual({ min: 1, max: 4 });
    expect(gradeRange('vo', level('havo'))).toEqual({ min: 1, max: 5 });
    expect(gradeRange('vo', level('vwo'))).toEqual({ min: 1, max: 6 });
    expect(gradeRange('vo', level('havo/vwo'))).toEqual({ min: 1, max: 6 });
    expect(gradeRange('po', { code: 'po', span: null })).toEqual({ min: 1, max: 8 });
  });

  it('gives a startkwalificatie for havo, vwo and mbo 2 or higher only', () => {
    const yes = ['havo', 'vwo', 'mbo-2', 'mbo-3', 'mbo-4'];
    for (const d of ['vmbo-b', 'vmbo-k', 'vmbo-g', 'vmbo-t', 'havo', 'vwo', 'mbo-1', 'mbo-2', 'mbo-3', 'mbo-4', 'hbo-p', 'hbo-ba', 'wo-ma']) {
      expect(givesStartkwalificatie(d), d).toBe(yes.includes(d));
    }
    expect(parseDiplomaLevel('mavo')).toEqual(E.right('vmbo-t'));
  });

  it('maps an eindtoets score to the level it indicates', () => {
    expect(levelForScore(501)?.code).toBe('vmbo-b');
    expect(levelForScore(541)?.code).toBe('havo/vwo');
    expect(levelForScore(550)?.code).toBe('vwo');
    expect(levelForScore(499)).toBeNull();
  });
});
