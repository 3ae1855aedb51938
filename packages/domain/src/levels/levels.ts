import * as E from 'fp-ts/lib/Either.js';
import { memoizeText } from '../text-memo.js';

/**
 * Secondary (VO) levels and their rank (SPEC section 3). vmbo-g and vmbo-t share
 * rank 3: the monitors treat gemengde and theoretische leerweg as one level.
 */
export const VO_LEVELS = ['pro', 'vmbo-b', 'vmbo-k', 'vmbo-g', 'vmbo-t', 'havo', 'vwo'] as const;
export type VoLevelCode = (typeof VO_LEVELS)[number];

export const VO_RANK: Readonly<Record<VoLevelCode, number>> = {
  pro: 0, 'vmbo-b': 1, 'vmbo-k': 2, 'vmbo-g': 3, 'vmbo-t': 3, havo: 4, vwo: 5,
};

/** The level code a rank collapses to when a span is written back as one level. */
export const RANK_LEVEL: readonly VoLevelCode[] = ['pro', 'vmbo-b', 'vmbo-k', 'vmbo-t', 'havo', 'vwo'];

/** Levels that are kept and reported but never compared. */
export const UNRANKED_LEVELS = ['vso', 'unknown'] as const;

export interface Span { readonly low: number; readonly high: number }

/**
 * A level as registered, normalised. `span` is null for unranked levels
 * (vso, unknown): they are their own category and are never compared.
 */
export interface LevelRef {
  readonly code: string;
  readonly span: Span | null;
}

export interface LevelError {
  readonly kind: 'UnknownLevel';
  readonly input: string;
  readonly message: string;
}

const SINGLE_ALIASES: Readonly<Record<string, readonly VoLevelCode[]>> = {
  pro: ['pro'], praktijkonderwijs: ['pro'],
  'vmbo-b': ['vmbo-b'], 'vmbo-bb': ['vmbo-b'], 'vmbo-basis': ['vmbo-b'], b: ['vmbo-b'], bb: ['vmbo-b'],
  'vmbo-k': ['vmbo-k'], 'vmbo-kb': ['vmbo-k'], 'vmbo-kader': ['vmbo-k'], k: ['vmbo-k'], kb: ['vmbo-k'],
  'vmbo-g': ['vmbo-g'], 'vmbo-gl': ['vmbo-g'], g: ['vmbo-g'], gl: ['vmbo-g'],
  'vmbo-t': ['vmbo-t'], 'vmbo-tl': ['vmbo-t'], mavo: ['vmbo-t'], t: ['vmbo-t'], tl: ['vmbo-t'],
  'vmbo-gt': ['vmbo-g', 'vmbo-t'], gt: ['vmbo-g', 'vmbo-t'],
  havo: ['havo'],
  vwo: ['vwo'], atheneum: ['vwo'], gymnasium: ['vwo'],
};

const VMBO_SUFFIX: Readonly<Record<VoLevelCode, string>> = {
  pro: 'pro', 'vmbo-b': 'b', 'vmbo-k': 'k', 'vmbo-g': 'g', 'vmbo-t': 't', havo: 'havo', vwo: 'vwo',
};

const normalise = (s: string) => s.trim().toLowerCase().replace(/\s+/g, '');

/**
 * Parse a VO level, alias or combined level (`vmbo-b/k`, `havo/vwo`,
 * `vmbo-t/havo/vwo`) into its canonical code and rank span.
 */
export const parseVoLevel = memoizeText((input: string): E.Either<LevelError, LevelRef> => {
  const s = normalise(input);
  if ((UNRANKED_LEVELS as readonly string[]).includes(s)) return E.right({ code: s, span: null });
  if (s === '') return E.left({ kind: 'UnknownLevel', input, message: 'empty level code' });
  const levels: VoLevelCode[] = [];
  for (const part of s.split('/')) {
    const found = SINGLE_ALIASES[part];
    if (!found) return E.left({ kind: 'UnknownLevel', input, message: `unknown level code '${input}'` });
    for (const l of found) if (!levels.includes(l)) levels.push(l);
  }
  levels.sort((a, b) => VO_RANK[a] - VO_RANK[b] || a.localeCompare(b));
  const ranks = levels.map((l) => VO_RANK[l]);
  return E.right({ code: canonicalCode(levels), span: { low: Math.min(...ranks), high: Math.max(...ranks) } });
});

/**
 * Every code parseVoLevel gives: each set of VO levels, combined, and the
 * unranked levels. What the views expect a VO level to be (an event's level
 * code is any string by its schema; the import writes these).
 */
export const VO_LEVEL_CODES: readonly string[] = (() => {
  const codes = new Set<string>(UNRANKED_LEVELS);
  for (let set = 1; set < 1 << VO_LEVELS.length; set++) {
    const parsed = parseVoLevel(VO_LEVELS.filter((_, i) => (set & (1 << i)) !== 0).join('/'));
    if (E.isRight(parsed)) codes.add(parsed.right.code);
  }
  return [...codes];
})();

/** `vmbo-k` + `vmbo-t` -> `vmbo-k/t`; `vmbo-t` + `havo` -> `vmbo-t/havo`. */
function canonicalCode(levels: readonly VoLevelCode[]): string {
  let out = '';
  let prevVmbo = false;
  for (const l of levels) {
    const isVmbo = l.startsWith('vmbo-');
    if (out === '') out = l;
    else out += '/' + (isVmbo && prevVmbo ? VMBO_SUFFIX[l] : l);
    prevVmbo = isVmbo;
  }
  return out;
}

export const isCombined = (level: LevelRef): boolean => level.span !== null && level.span.low !== level.span.high;

/** The level a span collapses to under a rule set that keeps only its lower bound. */
export const lowerOf = (span: Span): Span => ({ low: span.low, high: span.low });

export function spanLabel(span: Span): string {
  const lo = RANK_LEVEL[span.low] ?? String(span.low);
  if (span.low === span.high) return lo;
  return `${lo}..${RANK_LEVEL[span.high] ?? String(span.high)}`;
}
