import type * as E from 'fp-ts/lib/Either.js';
import type { Source } from '@leerroutes/domain';
import { adviceRow, areaRow, diplomaRow, enrolmentRow, institutionRow, learnerRow, type Keyed, type Row, type RowReject } from './rows.js';
import type { FactKind } from './ledger.js';

/**
 * The registration files in the order they are read: reference data first
 * (so area ancestors are known), then learner facts. Enrollments come last so
 * that derivation sees the diplomas it needs.
 */
export interface FactFile {
  readonly kind: 'fact';
  readonly name: string;
  readonly fact: FactKind;
  readonly required: readonly string[];
  readonly parse: (row: Row, source: Source) => E.Either<RowReject, Keyed<object>>;
  /** Natural key after learner_id. */
  readonly key: (fact: Record<string, unknown>) => string[];
}

export interface ReferenceFile {
  readonly kind: 'reference';
  readonly name: 'areas.csv' | 'institutions.csv';
  readonly required: readonly string[];
}

export const REGISTRATION_FILES: readonly (FactFile | ReferenceFile)[] = [
  { kind: 'reference', name: 'areas.csv', required: ['area', 'name', 'parent_area'] },
  { kind: 'reference', name: 'institutions.csv', required: ['institution', 'name', 'board'] },
  {
    kind: 'fact', name: 'learners.csv', fact: 'learner',
    required: ['learner_id', 'birth_month', 'gender', 'valid_from', 'pupil_weight', 'parental_education', 'migration_background', 'area'],
    parse: learnerRow, key: (f) => [String(f['validFrom'])],
  },
  {
    kind: 'fact', name: 'advice.csv', fact: 'advice',
    required: ['learner_id', 'school_year', 'issued_on', 'po_school', 'kind', 'level', 'test_score'],
    parse: adviceRow, key: (f) => [String(f['schoolYear']), String(f['kind']), String(f['issuedOn'])],
  },
  {
    kind: 'fact', name: 'diplomas.csv', fact: 'diploma',
    required: ['learner_id', 'school_year', 'awarded_on', 'institution', 'level'],
    parse: diplomaRow, key: (f) => [String(f['schoolYear']), String(f['institution']), String(f['awardedOn'])],
  },
  {
    kind: 'fact', name: 'enrollments.csv', fact: 'enrolment',
    required: ['learner_id', 'school_year', 'reference_date', 'sector', 'institution', 'level', 'grade'],
    parse: enrolmentRow, key: (f) => [String(f['referenceDate'])],
  },
];

export { areaRow, institutionRow };
