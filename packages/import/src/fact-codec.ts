/**
 * The ledger keeps every delivered fact by natural key. Its content is the
 * normalised cells after the key, joined by the unit separator: a fact is
 * compared (changed or not) as one string and read back without a JSON parse.
 * Validation refuses control characters in values, so the separator cannot
 * occur in them; should one ever slip through, the fact is stored as a JSON
 * array instead (it starts with `[`, which no first cell does).
 */
import * as E from 'fp-ts/lib/Either.js';
import {
  parseEnrolmentLevel, parseVoLevel,
  type AdviceFact, type DiplomaFact, type DiplomaLevel, type EnrolmentFact, type LearnerFact, type LevelRef, type Sector, type Source,
} from '@leerroutes/domain';

export type FactKind = 'enrolment' | 'advice' | 'diploma' | 'learner';

const SEP = '\u001f';

type Cell = string | number | null;

function join(cells: readonly Cell[]): string {
  const text = cells.map((c) => (c === null ? '' : String(c)));
  return text.some((t) => t.includes(SEP)) || text[0]?.startsWith('[') ? JSON.stringify(cells) : text.join(SEP);
}

type Cells<N extends number, R extends (string | null)[] = []> = R['length'] extends N ? R : Cells<N, [string | null, ...R]>;

function split<N extends number>(content: string, n: N): Cells<N> {
  const parts: readonly (string | number | null | undefined)[] = content.startsWith('[') ? (JSON.parse(content) as Cell[]) : content.split(SEP);
  const out: (string | null)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const p = parts[i];
    out[i] = p === undefined || p === null || p === '' ? null : String(p);
  }
  return out as Cells<N>;
}

const levels = new Map<string, LevelRef>();
/** Levels are parsed again on every read; a few dozen distinct codes, so remembered. */
function levelOf(sector: Sector | 'advice', code: string): LevelRef {
  const k = `${sector}|${code}`;
  let l = levels.get(k);
  if (l === undefined) {
    const parsed = sector === 'advice' ? parseVoLevel(code) : parseEnrolmentLevel(sector, code);
    l = E.isRight(parsed) ? parsed.right : { code, span: null };
    levels.set(k, l);
  }
  return l;
}

/** Natural key after learner_id, and content, of one fact; and back. */
export interface KindCodec<F> {
  readonly file: string;
  key(fact: F): string[];
  content(fact: F): string;
  decode(key: readonly string[], content: string, source: Source): F;
}

const num = (s: string | null): number | null => (s === null ? null : Number(s));

export const FACT_CODECS: { readonly [K in FactKind]: KindCodec<FactOf<K>> } = {
  enrolment: {
    file: 'enrollments.csv',
    key: (f) => [f.referenceDate],
    content: (f) => join([f.schoolYear, f.sector, f.institution, f.branch, f.level.code, f.grade, f.programme, f.track]),
    decode([referenceDate], content, source) {
      const [schoolYear, sector, institution, branch, level, grade, programme, track] = split(content, 8);
      return {
        referenceDate: referenceDate!, schoolYear: schoolYear!, sector: sector as Sector, institution: institution!, branch,
        level: levelOf(sector as Sector, level ?? ''), grade: num(grade), programme, track: track as EnrolmentFact['track'], source,
      };
    },
  },
  advice: {
    file: 'advice.csv',
    key: (f) => [f.schoolYear, f.kind, f.issuedOn],
    content: (f) => join([f.poSchool, f.level.code, f.testScore]),
    decode([schoolYear, kind, issuedOn], content, source) {
      const [poSchool, level, testScore] = split(content, 3);
      return { schoolYear: schoolYear!, kind: kind as AdviceFact['kind'], issuedOn: issuedOn!, poSchool: poSchool!, level: levelOf('advice', level ?? ''), testScore: num(testScore), source };
    },
  },
  diploma: {
    file: 'diplomas.csv',
    key: (f) => [f.schoolYear, f.institution, f.awardedOn],
    content: (f) => join([f.level, f.programme]),
    decode([schoolYear, institution, awardedOn], content, source) {
      const [level, programme] = split(content, 2);
      return { schoolYear: schoolYear!, institution: institution!, awardedOn: awardedOn!, level: level as DiplomaLevel, programme, source };
    },
  },
  learner: {
    file: 'learners.csv',
    key: (f) => [f.validFrom],
    content: (f) => join([f.birthMonth, f.gender, f.pupilWeight, f.parentalEducation, f.migrationBackground, f.area]),
    decode([validFrom], content, source) {
      const [birthMonth, gender, pupilWeight, parentalEducation, migrationBackground, area] = split(content, 6);
      return {
        validFrom: validFrom!, birthMonth: birthMonth!, gender: gender as LearnerFact['gender'], pupilWeight: num(pupilWeight) as LearnerFact['pupilWeight'],
        parentalEducation: parentalEducation as LearnerFact['parentalEducation'], migrationBackground, area, source,
      };
    },
  },
};

export type FactOf<K extends FactKind> = K extends 'enrolment' ? EnrolmentFact : K extends 'advice' ? AdviceFact : K extends 'diploma' ? DiplomaFact : LearnerFact;
