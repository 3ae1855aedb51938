import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import {
  isWithinSchoolYear, looksLikeBsn, parseDiplomaLevel, parseEnrolmentLevel, parseIsoDate, parseSchoolYear, parseVoLevel,
  gradeRange, SECTORS, type AdviceFact, type DiplomaFact, type EnrolmentFact, type LearnerFact, type Sector, type Source, type SchoolYear,
} from '@leerroutes/domain';

/**
 * Why a row was refused; `code` groups rejects in the summary. The first four
 * codes come only from the CSV reader (csv.ts), before any validator sees the
 * row; it also says invalid-value for a control character in a cell.
 */
export interface RowReject {
  readonly code:
    | 'invalid-encoding' | 'malformed-record' | 'wrong-column-count' | 'record-too-large'
    | 'bsn-shaped-id' | 'invalid-learner-id' | 'missing-value' | 'invalid-value' | 'unknown-level' | 'grade-out-of-range' | 'date-outside-school-year' | 'duplicate-key';
  readonly message: string;
}

export type Row = Readonly<Record<string, string>>;
type Result<T> = E.Either<RowReject, T>;

const READER_REJECT = Symbol('rejected by the CSV reader');
interface ReaderRejected { readonly [READER_REJECT]: { readonly reject: RowReject; readonly raw: string } }

/**
 * The `values` of a record the reader refused: a row without cells that every
 * validator here refuses with the reader's reason. A consumer that forgets to
 * look at the record's `reject` therefore still cannot land it.
 */
export function rejectedRow(reject: RowReject, raw: string): Row {
  return Object.freeze({ [READER_REJECT]: { reject, raw } }) as unknown as Row;
}

/** The reader's verdict on a row built by rejectedRow, if it is one. */
export function readerVerdict(row: Row): { readonly reject: RowReject; readonly raw: string } | undefined {
  return (row as Partial<ReaderRejected>)[READER_REJECT];
}

function refusedByReader(row: Row): E.Either<RowReject, never> | undefined {
  const v = readerVerdict(row);
  return v === undefined ? undefined : E.left(v.reject);
}

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
const DIGITS = /^[0-9]+$/;
/** Level codes ignore case and spaces (' HAVO / VWO ' is havo/vwo); the VO parser does this itself, the others only trim. */
const levelCode = (v: string): string => v.replace(/\s+/g, '');

/** Learner ids are pseudonyms: anything shaped like a citizen service number is refused. */
export function learnerId(row: Row): Result<string> {
  const id = required(row, 'learner_id');
  if (E.isLeft(id)) return id;
  if (looksLikeBsn(id.right)) return reject('bsn-shaped-id', 'learner_id looks like a citizen service number (nine digits passing the eleven-test); only pseudonyms are accepted');
  return LEARNER_ID.test(id.right) ? id : reject('invalid-learner-id', `learner_id '${id.right}' is not a pseudonym of letters, digits, '-' or '_'`);
}

function schoolYear(row: Row): Result<string> {
  const v = required(row, 'school_year');
  return E.isLeft(v) ? v : mapErr(parseSchoolYear(v.right), (e) => ({ code: 'invalid-value', message: e.message }));
}

function dateIn(row: Row, column: string, sy: string): Result<string> {
  const v = required(row, column);
  if (E.isLeft(v)) return v;
  const d = mapErr(parseIsoDate(v.right), (e) => ({ code: 'invalid-value', message: `${column}: ${e.message}` }));
  if (E.isLeft(d)) return d;
  return isWithinSchoolYear(d.right, sy as SchoolYear) ? d : reject('date-outside-school-year', `${column} ${d.right} is outside school year ${sy}`);
}

function grade(row: Row, sector: Sector, level: EnrolmentFact['level']): Result<number | null> {
  const v = opt(row['grade']);
  if (v === null) return sector === 'hbo' || sector === 'wo' ? E.right(null) : reject('missing-value', 'grade is empty');
  // Digits only: Number() would also take '3.0', '3e0', '+3' and '0x3', which
  // no registration writes and which would hide a shifted or mangled column.
  if (!DIGITS.test(v)) return reject('invalid-value', `grade '${v}' is not a whole number`);
  const g = Number(v);
  const { min, max } = gradeRange(sector, level);
  return g >= min && g <= max ? E.right(g) : reject('grade-out-of-range', `grade ${g} is outside ${min}-${max} for ${sector} ${level.code}`);
}

export interface Keyed<T> { readonly learnerId: string; readonly fact: T }

// Validators check field by field and stop at the first problem. Early returns
// instead of Do-notation: this runs once per delivered row, millions of times.

export function enrolmentRow(row: Row, source: Source): Result<Keyed<EnrolmentFact>> {
  const refused = refusedByReader(row);
  if (refused) return refused;
  const id = learnerId(row);
  if (E.isLeft(id)) return id;
  const sy = schoolYear(row);
  if (E.isLeft(sy)) return sy;
  const referenceDate = dateIn(row, 'reference_date', sy.right);
  if (E.isLeft(referenceDate)) return referenceDate;
  const sectorRaw = required(row, 'sector');
  if (E.isLeft(sectorRaw)) return sectorRaw;
  const sector = sectorRaw.right.toLowerCase() as Sector;
  if (!(SECTORS as readonly string[]).includes(sector)) return reject('invalid-value', `unknown sector '${sectorRaw.right}'`);
  const institution = required(row, 'institution');
  if (E.isLeft(institution)) return institution;
  const level = mapErr(parseEnrolmentLevel(sector, levelCode(row['level'] ?? '')), (e) => ({ code: 'unknown-level', message: e.message }));
  if (E.isLeft(level)) return level;
  const g = grade(row, sector, level.right);
  if (E.isLeft(g)) return g;
  const track = opt(row['track']?.toLowerCase());
  if (track !== null && track !== 'bol' && track !== 'bbl') return reject('invalid-value', `track '${track}' is not bol or bbl`);
  return E.right({
    learnerId: id.right,
    fact: {
      referenceDate: referenceDate.right, schoolYear: sy.right, sector, institution: institution.right, branch: opt(row['branch']),
      level: level.right, grade: g.right, programme: opt(row['programme']), track, source,
    },
  });
}

const ADVICE_KINDS = ['provisional', 'final', 'revised'] as const;

export function adviceRow(row: Row, source: Source): Result<Keyed<AdviceFact>> {
  const refused = refusedByReader(row);
  if (refused) return refused;
  const id = learnerId(row);
  if (E.isLeft(id)) return id;
  const sy = schoolYear(row);
  if (E.isLeft(sy)) return sy;
  const issuedOn = dateIn(row, 'issued_on', sy.right);
  if (E.isLeft(issuedOn)) return issuedOn;
  const poSchool = required(row, 'po_school');
  if (E.isLeft(poSchool)) return poSchool;
  const kindRaw = required(row, 'kind');
  if (E.isLeft(kindRaw)) return kindRaw;
  const kind = kindRaw.right.toLowerCase() as AdviceFact['kind'];
  if (!(ADVICE_KINDS as readonly string[]).includes(kind)) return reject('invalid-value', `unknown advice kind '${kindRaw.right}'`);
  const levelRaw = required(row, 'level');
  if (E.isLeft(levelRaw)) return levelRaw;
  const level = mapErr(parseVoLevel(levelRaw.right), (e) => ({ code: 'unknown-level', message: e.message }));
  if (E.isLeft(level)) return level;
  const scoreRaw = opt(row['test_score']);
  const testScore = scoreRaw === null ? null : Number(scoreRaw);
  if (testScore !== null && !(Number.isFinite(testScore) && testScore >= 0 && testScore <= 1000)) return reject('invalid-value', `test_score '${scoreRaw}' is not a score`);
  return E.right({ learnerId: id.right, fact: { schoolYear: sy.right, issuedOn: issuedOn.right, poSchool: poSchool.right, kind, level: level.right, testScore, source } });
}

export function diplomaRow(row: Row, source: Source): Result<Keyed<DiplomaFact>> {
  const refused = refusedByReader(row);
  if (refused) return refused;
  const id = learnerId(row);
  if (E.isLeft(id)) return id;
  const sy = schoolYear(row);
  if (E.isLeft(sy)) return sy;
  const awardedOn = dateIn(row, 'awarded_on', sy.right);
  if (E.isLeft(awardedOn)) return awardedOn;
  const institution = required(row, 'institution');
  if (E.isLeft(institution)) return institution;
  const levelRaw = required(row, 'level');
  if (E.isLeft(levelRaw)) return levelRaw;
  const level = mapErr(parseDiplomaLevel(levelCode(levelRaw.right)), (e) => ({ code: 'unknown-level', message: e.message }));
  if (E.isLeft(level)) return level;
  return E.right({ learnerId: id.right, fact: { schoolYear: sy.right, awardedOn: awardedOn.right, institution: institution.right, level: level.right, programme: opt(row['programme']), source } });
}

const GENDERS: Readonly<Record<string, LearnerFact['gender']>> = { m: 'm', male: 'm', man: 'm', f: 'f', v: 'f', female: 'f', vrouw: 'f', x: 'x' };
const WEIGHTS: Readonly<Record<string, 0 | 0.3 | 1.2>> = { '0': 0, '0.0': 0, '0.3': 0.3, '1.2': 1.2 };
const PARENTAL = ['low', 'middle', 'high', 'unknown'] as const;
const BIRTH_MONTH = /^(\d{4})-(\d{2})$/;

export function learnerRow(row: Row, source: Source): Result<Keyed<LearnerFact>> {
  const refused = refusedByReader(row);
  if (refused) return refused;
  const id = learnerId(row);
  if (E.isLeft(id)) return id;
  const bm = required(row, 'birth_month');
  if (E.isLeft(bm)) return bm;
  const m = BIRTH_MONTH.exec(bm.right);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) return reject('invalid-value', `birth_month '${bm.right}' is not YYYY-MM`);
  const genderRaw = opt(row['gender']?.toLowerCase());
  const gender = genderRaw === null ? 'unknown' : GENDERS[genderRaw];
  if (gender === undefined) return reject('invalid-value', `unknown gender '${genderRaw}'`);
  const vf = required(row, 'valid_from');
  if (E.isLeft(vf)) return vf;
  const validFrom = mapErr(parseIsoDate(vf.right), (e) => ({ code: 'invalid-value', message: `valid_from: ${e.message}` }));
  if (E.isLeft(validFrom)) return validFrom;
  const weightRaw = opt(row['pupil_weight']);
  const pupilWeight = weightRaw === null ? null : WEIGHTS[weightRaw];
  if (pupilWeight === undefined) return reject('invalid-value', `pupil_weight '${weightRaw}' is not 0, 0.3 or 1.2`);
  const parental = opt(row['parental_education']?.toLowerCase());
  if (parental !== null && !(PARENTAL as readonly string[]).includes(parental)) return reject('invalid-value', `parental_education '${parental}' is not low, middle or high`);
  return E.right({
    learnerId: id.right,
    fact: {
      validFrom: validFrom.right, birthMonth: bm.right, gender, pupilWeight, parentalEducation: parental as LearnerFact['parentalEducation'],
      migrationBackground: opt(row['migration_background']), area: opt(row['area']), source,
    },
  });
}

export interface AreaRow { readonly area: string; readonly name: string; readonly parent: string | null }
export function areaRow(row: Row): Result<AreaRow> {
  return refusedByReader(row) ?? pipe(required(row, 'area'), E.map((area) => ({ area, name: row['name'] || area, parent: opt(row['parent_area']) })));
}

export interface InstitutionRow { readonly institution: string; readonly name: string; readonly board: string | null; readonly municipality: string | null; readonly kind: string | null }
export function institutionRow(row: Row): Result<InstitutionRow> {
  return refusedByReader(row) ?? pipe(required(row, 'institution'), E.map((institution) => ({
    institution, name: row['name'] || institution, board: opt(row['board']), municipality: opt(row['municipality']), kind: opt(row['kind']?.toLowerCase()),
  })));
}

export interface SchoolGroupRow { readonly institution: string; readonly group: string; readonly validFrom: string; readonly validTo: string | null }
/** school_groups.csv: a named group of schools (a pilot and its comparison schools), valid_to inclusive and optional. */
export function schoolGroupRow(row: Row): Result<SchoolGroupRow> {
  const institution = required(row, 'institution');
  if (E.isLeft(institution)) return institution;
  const group = required(row, 'group');
  if (E.isLeft(group)) return group;
  const from = required(row, 'valid_from');
  if (E.isLeft(from)) return from;
  const validFrom = mapErr(parseIsoDate(from.right), (e) => ({ code: 'invalid-value', message: `valid_from: ${e.message}` }));
  if (E.isLeft(validFrom)) return validFrom;
  const to = opt(row['valid_to']);
  if (to === null) return E.right({ institution: institution.right, group: group.right, validFrom: validFrom.right, validTo: null });
  const validTo = mapErr(parseIsoDate(to), (e) => ({ code: 'invalid-value', message: `valid_to: ${e.message}` }));
  if (E.isLeft(validTo)) return validTo;
  if (validTo.right < validFrom.right) return reject('invalid-value', `valid_to ${validTo.right} is before valid_from ${validFrom.right}`);
  return E.right({ institution: institution.right, group: group.right, validFrom: validFrom.right, validTo: validTo.right });
}
