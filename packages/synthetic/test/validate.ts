import * as E from 'fp-ts/lib/Either.js';
import {
  SECTORS, gradeRange, isWithinSchoolYear, levelForScore, looksLikeBsn, parseDiplomaLevel, parseEnrolmentLevel, parseIsoDate,
  parseSchoolYear, parseVoLevel, type Sector, type SchoolYear,
} from '@leerroutes/domain';
import type { BadKind } from '../src/index.js';

/**
 * The file-formats contract, checked with the domain's parsers. Returns the
 * reason a row must be rejected (named like the injected kinds), `other:...`
 * for anything else wrong, or null for a good row. Duplicate keys need the
 * whole file and are checked by `duplicateKeys`.
 */
export type Verdict = BadKind | `other:${string}` | null;

const ID = /^[A-Za-z0-9_-]{1,64}$/;

function common(v: Record<string, string>, dateColumn: string): Verdict {
  const id = v['learner_id'] ?? '';
  if (looksLikeBsn(id)) return 'bsn-shaped-id';
  if (!ID.test(id)) return 'other:learner_id';
  const sy = parseSchoolYear(v['school_year'] ?? '');
  if (E.isLeft(sy)) return 'other:school_year';
  const d = parseIsoDate(v[dateColumn] ?? '');
  if (E.isLeft(d)) return `other:${dateColumn}`;
  if (!isWithinSchoolYear(d.right, sy.right as SchoolYear)) return 'date-outside-school-year';
  return null;
}

export function checkEnrolment(v: Record<string, string>): Verdict {
  const c = common(v, 'reference_date');
  if (c) return c;
  if (!v['reference_date']!.endsWith('-10-01')) return 'other:reference_date not 1 October';
  const sector = v['sector'] as Sector;
  if (!(SECTORS as readonly string[]).includes(sector)) return 'other:sector';
  if (!v['institution']) return 'other:institution';
  const level = parseEnrolmentLevel(sector, v['level'] ?? '');
  if (E.isLeft(level)) return 'unknown-level';
  const g = Number(v['grade']);
  if (!Number.isInteger(g)) return 'other:grade';
  const { min, max } = gradeRange(sector, level.right);
  if (g < min || g > max) return 'grade-out-of-range';
  const track = v['track'];
  if (sector === 'mbo' ? track !== 'bol' && track !== 'bbl' : track !== '') return 'other:track';
  return null;
}

export function checkAdvice(v: Record<string, string>): Verdict {
  const c = common(v, 'issued_on');
  if (c) return c;
  if (!v['po_school']) return 'other:po_school';
  if (!['provisional', 'final', 'revised'].includes(v['kind']!)) return 'other:kind';
  if (E.isLeft(parseVoLevel(v['level'] ?? ''))) return 'unknown-level';
  const score = v['test_score'];
  if (score !== '') {
    if (v['kind'] !== 'final') return 'other:test score on a non-final row';
    if (levelForScore(Number(score)) === null) return 'other:test_score outside the bands';
  }
  return null;
}

export function checkDiploma(v: Record<string, string>): Verdict {
  const c = common(v, 'awarded_on');
  if (c) return c;
  if (!v['institution']) return 'other:institution';
  if (E.isLeft(parseDiplomaLevel(v['level'] ?? ''))) return 'unknown-level';
  return null;
}

export function checkLearner(v: Record<string, string>): Verdict {
  const id = v['learner_id'] ?? '';
  if (looksLikeBsn(id)) return 'bsn-shaped-id';
  if (!ID.test(id)) return 'other:learner_id';
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(v['birth_month'] ?? '')) return 'other:birth_month';
  if (!['m', 'f', 'x'].includes(v['gender']!)) return 'other:gender';
  if (E.isLeft(parseIsoDate(v['valid_from'] ?? ''))) return 'other:valid_from';
  if (!['0', '0.3', '1.2', ''].includes(v['pupil_weight']!)) return 'other:pupil_weight';
  if (!['low', 'middle', 'high', ''].includes(v['parental_education']!)) return 'other:parental_education';
  if (!v['area']) return 'other:area';
  return null;
}

export const CHECKS: Readonly<Record<string, (v: Record<string, string>) => Verdict>> = {
  'enrollments.csv': checkEnrolment,
  'advice.csv': checkAdvice,
  'diplomas.csv': checkDiploma,
  'learners.csv': checkLearner,
};

export const NATURAL_KEY: Readonly<Record<string, readonly string[]>> = {
  'enrollments.csv': ['learner_id', 'reference_date'],
  'advice.csv': ['learner_id', 'school_year', 'kind', 'issued_on'],
  'diplomas.csv': ['learner_id', 'school_year', 'institution', 'awarded_on'],
  'learners.csv': ['learner_id', 'valid_from'],
};

/** Lines whose natural key appeared on an earlier line (the later occurrence is the duplicate). */
export function duplicateKeys(file: string, rows: readonly { line: number; values: Record<string, string> }[]): number[] {
  const cols = NATURAL_KEY[file]!;
  const seen = new Set<string>();
  const dups: number[] = [];
  for (const r of rows) {
    const k = cols.map((c) => r.values[c]).join('|');
    if (seen.has(k)) dups.push(r.line);
    else seen.add(k);
  }
  return dups;
}
