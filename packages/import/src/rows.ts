import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import {
  isWithinSchoolYear, looksLikeBsn, parseDiplomaLevel, parseEnrolmentLevel, parseIsoDate, parseSchoolYear, parseVoLevel,
  gradeRange, SECTORS, type AdviceFact, type DiplomaFact, type EnrolmentFact, type LearnerFact, type Sector, type Source, type SchoolYear,
} from '@leerroutes/domain';

/** Why a row was refused; `code` groups rejects in the summary. */
export interface RowReject {
  readonly code: 'bsn-shaped-id' | 'invalid-learner-id' | 'missing-value' | 'invalid-value' | 'unknown-level' | 'grade-out-of-range' | 'date-outside-school-year' | 'duplicate-key';
  readonly message: string;
}

export type Row = Readonly<Record<string, string>>;
type Result<T> = E.Either<RowReject, T>;

const reject = (code: RowReject['code'], message: string): E.Either<RowReject, never> => E.left({ code, message });
/** fp-ts' mapLeft is pipeable only; this keeps the validators readable. */
function mapErr<A>(e: E.Either<{ message: string }, A>, f: (err: { message: string }) => RowReject): Result<A> {
  return E.isLeft(e) ? E.left(f(e.left)) : E.right(e.right);
}

const opt = (v: string | undefined): string | null => (v === undefined || v === '' ? null : v);

function required(row: Row, column: string): Result<string> {
  const v = row[column];
  return v === undefined || v === '' ? reject('missing-value', `${column} is empty`) : E.right(v);
}

const LEARNER_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Learner ids are pseudonyms: anything shaped like a citizen service number is refused. */
export function learnerId(row: Row): Result<string> {
  return E.flatMap(required(row, 'learner_id'), (id) => {
    if (looksLikeBsn(id)) return reject('bsn-shaped-id', 'learner_id looks like a citizen service number (nine digits passing the eleven-test); only pseudonyms are accepted');
    return LEARNER_ID.test(id) ? E.right(id) : reject('invalid-learner-id', `learner_id '${id}' is not a pseudonym of letters, digits, '-' or '_'`);
  });
}

function schoolYear(row: Row): Result<string> {
  return E.flatMap(required(row, 'school_year'), (v) => mapErr(parseSchoolYear(v), (e) => ({ code: 'invalid-value' as const, message: e.message })));
}

function dateIn(row: Row, column: string, sy: string): Result<string> {
  return E.flatMap(required(row, column), (v) =>
    E.flatMap(mapErr(parseIsoDate(v), (e) => ({ code: 'invalid-value' as const, message: `${column}: ${e.message}` })), (d) =>
      isWithinSchoolYear(d, sy as SchoolYear) ? E.right(d) : reject('date-outside-school-year', `${column} ${d} is outside school year ${sy}`),
    ),
  );
}

function grade(row: Row, sector: Sector, level: EnrolmentFact['level']): Result<number | null> {
  const v = opt(row['grade']);
  if (v === null) return sector === 'hbo' || sector === 'wo' ? E.right(null) : reject('missing-value', 'grade is empty');
  const g = Number(v);
  if (!Number.isInteger(g)) return reject('invalid-value', `grade '${v}' is not a whole number`);
  const { min, max } = gradeRange(sector, level);
  return g >= min && g <= max ? E.right(g) : reject('grade-out-of-range', `grade ${g} is outside ${min}-${max} for ${sector} ${level.code}`);
}

export interface Keyed<T> { readonly learnerId: string; readonly fact: T }

export function enrolmentRow(row: Row, source: Source): Result<Keyed<EnrolmentFact>> {
  return pipe(
    E.Do,
    E.bind('learnerId', () => learnerId(row)),
    E.bind('schoolYear', () => schoolYear(row)),
    E.bind('referenceDate', ({ schoolYear }) => dateIn(row, 'reference_date', schoolYear)),
    E.bind('sector', () =>
      E.flatMap(required(row, 'sector'), (s): Result<Sector> => ((SECTORS as readonly string[]).includes(s.toLowerCase()) ? E.right(s.toLowerCase() as Sector) : reject('invalid-value', `unknown sector '${s}'`))),
    ),
    E.bind('institution', () => required(row, 'institution')),
    E.bind('level', ({ sector }) => mapErr(parseEnrolmentLevel(sector, row['level'] ?? ''), (e) => ({ code: 'unknown-level' as const, message: e.message }))),
    E.bind('grade', ({ sector, level }) => grade(row, sector, level)),
    E.bind('track', (): Result<'bol' | 'bbl' | null> => {
      const t = opt(row['track']?.toLowerCase());
      return t === null || t === 'bol' || t === 'bbl' ? E.right(t) : reject('invalid-value', `track '${t}' is not bol or bbl`);
    }),
    E.map(({ learnerId, schoolYear, referenceDate, sector, institution, level, grade, track }) => ({
      learnerId,
      fact: { referenceDate, schoolYear, sector, institution, branch: opt(row['branch']), level, grade, programme: opt(row['programme']), track, source },
    })),
  );
}

const ADVICE_KINDS = ['provisional', 'final', 'revised'] as const;

export function adviceRow(row: Row, source: Source): Result<Keyed<AdviceFact>> {
  return pipe(
    E.Do,
    E.bind('learnerId', () => learnerId(row)),
    E.bind('schoolYear', () => schoolYear(row)),
    E.bind('issuedOn', ({ schoolYear }) => dateIn(row, 'issued_on', schoolYear)),
    E.bind('poSchool', () => required(row, 'po_school')),
    E.bind('kind', () =>
      E.flatMap(required(row, 'kind'), (k): Result<AdviceFact['kind']> => ((ADVICE_KINDS as readonly string[]).includes(k.toLowerCase()) ? E.right(k.toLowerCase() as AdviceFact['kind']) : reject('invalid-value', `unknown advice kind '${k}'`))),
    ),
    E.bind('level', () => E.flatMap(required(row, 'level'), (l) => mapErr(parseVoLevel(l), (e) => ({ code: 'unknown-level' as const, message: e.message })))),
    E.bind('testScore', (): Result<number | null> => {
      const v = opt(row['test_score']);
      if (v === null) return E.right(null);
      const n = Number(v);
      return Number.isFinite(n) && n >= 0 && n <= 1000 ? E.right(n) : reject('invalid-value', `test_score '${v}' is not a score`);
    }),
    E.map(({ learnerId, schoolYear, issuedOn, poSchool, kind, level, testScore }) => ({ learnerId, fact: { schoolYear, issuedOn, poSchool, kind, level, testScore, source } })),
  );
}

export function diplomaRow(row: Row, source: Source): Result<Keyed<DiplomaFact>> {
  return pipe(
    E.Do,
    E.bind('learnerId', () => learnerId(row)),
    E.bind('schoolYear', () => schoolYear(row)),
    E.bind('awardedOn', ({ schoolYear }) => dateIn(row, 'awarded_on', schoolYear)),
    E.bind('institution', () => required(row, 'institution')),
    E.bind('level', () => E.flatMap(required(row, 'level'), (l) => mapErr(parseDiplomaLevel(l), (e) => ({ code: 'unknown-level' as const, message: e.message })))),
    E.map(({ learnerId, schoolYear, awardedOn, institution, level }) => ({ learnerId, fact: { schoolYear, awardedOn, institution, level, programme: opt(row['programme']), source } })),
  );
}

const GENDERS: Readonly<Record<string, LearnerFact['gender']>> = { m: 'm', male: 'm', man: 'm', f: 'f', v: 'f', female: 'f', vrouw: 'f', x: 'x' };
const WEIGHTS: Readonly<Record<string, 0 | 0.3 | 1.2>> = { '0': 0, '0.0': 0, '0.3': 0.3, '1.2': 1.2 };
const PARENTAL = ['low', 'middle', 'high', 'unknown'] as const;

export function learnerRow(row: Row, source: Source): Result<Keyed<LearnerFact>> {
  return pipe(
    E.Do,
    E.bind('learnerId', () => learnerId(row)),
    E.bind('birthMonth', () =>
      E.flatMap(required(row, 'birth_month'), (v): Result<string> => {
        const m = /^(\d{4})-(\d{2})$/.exec(v);
        return m && Number(m[2]) >= 1 && Number(m[2]) <= 12 ? E.right(v) : reject('invalid-value', `birth_month '${v}' is not YYYY-MM`);
      }),
    ),
    E.bind('gender', (): Result<LearnerFact['gender']> => {
      const g = opt(row['gender']?.toLowerCase());
      if (g === null) return E.right('unknown');
      const found = GENDERS[g];
      return found ? E.right(found) : reject('invalid-value', `unknown gender '${g}'`);
    }),
    E.bind('validFrom', () => E.flatMap(required(row, 'valid_from'), (v) => mapErr(parseIsoDate(v), (e) => ({ code: 'invalid-value' as const, message: `valid_from: ${e.message}` })))),
    E.bind('pupilWeight', (): Result<LearnerFact['pupilWeight']> => {
      const v = opt(row['pupil_weight']);
      if (v === null) return E.right(null);
      const w = WEIGHTS[v];
      return w === undefined ? reject('invalid-value', `pupil_weight '${v}' is not 0, 0.3 or 1.2`) : E.right(w);
    }),
    E.bind('parentalEducation', (): Result<LearnerFact['parentalEducation']> => {
      const v = opt(row['parental_education']?.toLowerCase());
      if (v === null) return E.right(null);
      return (PARENTAL as readonly string[]).includes(v) ? E.right(v as LearnerFact['parentalEducation']) : reject('invalid-value', `parental_education '${v}' is not low, middle or high`);
    }),
    E.map(({ learnerId, birthMonth, gender, validFrom, pupilWeight, parentalEducation }) => ({
      learnerId,
      fact: { validFrom, birthMonth, gender, pupilWeight, parentalEducation, migrationBackground: opt(row['migration_background']), area: opt(row['area']), source },
    })),
  );
}

export interface AreaRow { readonly area: string; readonly name: string; readonly parent: string | null }
export function areaRow(row: Row): Result<AreaRow> {
  return pipe(required(row, 'area'), E.map((area) => ({ area, name: row['name'] || area, parent: opt(row['parent_area']) })));
}

export interface InstitutionRow { readonly institution: string; readonly name: string; readonly board: string | null; readonly municipality: string | null; readonly kind: string | null }
export function institutionRow(row: Row): Result<InstitutionRow> {
  return pipe(required(row, 'institution'), E.map((institution) => ({
    institution, name: row['name'] || institution, board: opt(row['board']), municipality: opt(row['municipality']), kind: opt(row['kind']?.toLowerCase()),
  })));
}
