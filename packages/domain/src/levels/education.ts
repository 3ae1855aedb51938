import * as E from 'fp-ts/lib/Either.js';
import { parseVoLevel, type LevelError, type LevelRef } from './levels.js';

export const SECTORS = ['po', 'vo', 'mbo', 'hbo', 'wo'] as const;
export type Sector = (typeof SECTORS)[number];

export const MBO_LEVELS = ['mbo-1', 'mbo-2', 'mbo-3', 'mbo-4'] as const;
export const HBO_LEVELS = ['hbo-ad', 'hbo-ba', 'hbo-ma'] as const;
export const WO_LEVELS = ['wo-ba', 'wo-ma'] as const;

const POST_VO_ALIASES: Readonly<Record<string, Record<string, string>>> = {
  mbo: { 'mbo-1': 'mbo-1', entree: 'mbo-1', '1': 'mbo-1', 'mbo-2': 'mbo-2', '2': 'mbo-2', 'mbo-3': 'mbo-3', '3': 'mbo-3', 'mbo-4': 'mbo-4', '4': 'mbo-4' },
  hbo: { 'hbo-ad': 'hbo-ad', ad: 'hbo-ad', 'hbo-ba': 'hbo-ba', hbo: 'hbo-ba', ba: 'hbo-ba', 'hbo-ma': 'hbo-ma', ma: 'hbo-ma' },
  wo: { 'wo-ba': 'wo-ba', wo: 'wo-ba', ba: 'wo-ba', 'wo-ma': 'wo-ma', ma: 'wo-ma' },
};

/**
 * The level of an enrolment row in its sector. VO levels carry a rank span;
 * post-VO levels carry their qualification rank (see EDUCATION_RANK) as a span
 * of width 0 so that stacking can compare them; PO rows have level `po`.
 */
export function parseEnrolmentLevel(sector: Sector, input: string): E.Either<LevelError, LevelRef> {
  const s = input.trim().toLowerCase();
  if (sector === 'vo') return parseVoLevel(s);
  if (sector === 'po') {
    return s === '' || s === 'po' ? E.right({ code: 'po', span: null }) : E.left({ kind: 'UnknownLevel', input, message: `unknown po level '${input}'` });
  }
  const code = POST_VO_ALIASES[sector]?.[s];
  if (!code) return E.left({ kind: 'UnknownLevel', input, message: `unknown ${sector} level '${input}'` });
  const r = EDUCATION_RANK[code]!;
  return E.right({ code, span: { low: r, high: r } });
}

/** Grades allowed per sector and VO level (SPEC section 3). */
export function gradeRange(sector: Sector, level: LevelRef): { min: number; max: number } {
  switch (sector) {
    case 'po':
      return { min: 1, max: 8 };
    case 'vo': {
      if (level.span === null) return { min: 1, max: 6 }; // vso and unknown
      const high = level.span.high;
      if (level.code === 'pro') return { min: 1, max: 6 };
      if (high <= 3) return { min: 1, max: 4 };
      if (high === 4 && level.span.low === 4) return { min: 1, max: 5 };
      return { min: 1, max: 6 };
    }
    case 'mbo':
      return { min: 1, max: 4 };
    case 'hbo':
    case 'wo':
      return { min: 1, max: 8 };
  }
}

/** Diploma levels (SPEC section 3). */
export const VO_DIPLOMAS = ['vmbo-b', 'vmbo-k', 'vmbo-g', 'vmbo-t', 'havo', 'vwo'] as const;
export const DIPLOMA_LEVELS = [...VO_DIPLOMAS, 'mbo-1', 'mbo-2', 'mbo-3', 'mbo-4', 'hbo-p', 'hbo-ad', 'hbo-ba', 'hbo-ma', 'wo-ba', 'wo-ma'] as const;
export type DiplomaLevel = (typeof DIPLOMA_LEVELS)[number];

const DIPLOMA_ALIASES: Readonly<Record<string, DiplomaLevel>> = {
  mavo: 'vmbo-t', 'vmbo-tl': 'vmbo-t', 'vmbo-bb': 'vmbo-b', 'vmbo-basis': 'vmbo-b', 'vmbo-kb': 'vmbo-k',
  'vmbo-kader': 'vmbo-k', 'vmbo-gl': 'vmbo-g', atheneum: 'vwo', gymnasium: 'vwo', entree: 'mbo-1',
  'hbo-propedeuse': 'hbo-p', hbo: 'hbo-ba', wo: 'wo-ba',
};

export function parseDiplomaLevel(input: string): E.Either<LevelError, DiplomaLevel> {
  const s = input.trim().toLowerCase();
  const code = (DIPLOMA_LEVELS as readonly string[]).includes(s) ? (s as DiplomaLevel) : DIPLOMA_ALIASES[s];
  return code ? E.right(code) : E.left({ kind: 'UnknownLevel', input, message: `unknown diploma level '${input}'` });
}

export const isVoDiploma = (d: string): boolean => (VO_DIPLOMAS as readonly string[]).includes(d);

/** Sector a diploma belongs to. */
export function diplomaSector(d: DiplomaLevel): Sector {
  if (isVoDiploma(d)) return 'vo';
  if (d.startsWith('mbo-')) return 'mbo';
  return d.startsWith('wo-') ? 'wo' : 'hbo';
}

/**
 * One ladder for stacking across sectors: VO diplomas by their VO rank, and
 * post-VO qualifications above them. Used to tell whether an enrolment after a
 * diploma is at a higher level (stapelen).
 */
export const EDUCATION_RANK: Readonly<Record<string, number>> = {
  'vmbo-b': 1, 'vmbo-k': 2, 'vmbo-g': 3, 'vmbo-t': 3, havo: 4, vwo: 5,
  'mbo-1': 1, 'mbo-2': 2, 'mbo-3': 3, 'mbo-4': 4,
  'hbo-p': 5, 'hbo-ad': 5, 'hbo-ba': 6, 'hbo-ma': 7, 'wo-ba': 6, 'wo-ma': 7,
};

/** Startkwalificatie: a havo or vwo diploma, or an mbo diploma at level 2 or higher. */
export const givesStartkwalificatie = (d: string): boolean =>
  d === 'havo' || d === 'vwo' || d === 'mbo-2' || d === 'mbo-3' || d === 'mbo-4';

/** VO diploma rank for "highest VO diploma": vmbo-b < vmbo-k < vmbo-g = vmbo-t < havo < vwo. */
export const VO_DIPLOMA_RANK: Readonly<Record<string, number>> = {
  'vmbo-b': 1, 'vmbo-k': 2, 'vmbo-g': 3, 'vmbo-t': 3, havo: 4, vwo: 5,
};

/**
 * Stapelen, the one rule (SPEC 6, stacked-routes), used by the derivation of
 * NextEducationStarted and by the reports alike: a diploma followed by
 * enrolment at a higher level. A VO diploma then a VO class whose lowest rank
 * is higher (vmbo-g/t -> havo, havo -> vwo, vmbo-b -> vmbo-k); mbo level n then
 * mbo level m > n; mbo-4 then hbo; an hbo credential (the propedeuse too) then
 * wo. A propedeuse is a first-year certificate inside a programme, so hbo-p ->
 * hbo-ba is not a step.
 */
export function stacksOn(diploma: string, enrolment: { readonly sector: Sector; readonly level: LevelRef }): boolean {
  const span = enrolment.level.span;
  if (isVoDiploma(diploma)) return enrolment.sector === 'vo' && span !== null && span.low > VO_DIPLOMA_RANK[diploma]!;
  if (diploma.startsWith('mbo-')) {
    if (enrolment.sector === 'mbo') return (EDUCATION_RANK[enrolment.level.code] ?? 0) > (EDUCATION_RANK[diploma] ?? Number.POSITIVE_INFINITY);
    return diploma === 'mbo-4' && enrolment.sector === 'hbo';
  }
  if (diploma === 'hbo-p' || diploma === 'hbo-ad' || diploma === 'hbo-ba') return enrolment.sector === 'wo';
  return false;
}
