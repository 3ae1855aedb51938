import type * as E from 'fp-ts/lib/Either.js';
import type { Source } from '@leerroutes/domain';
import { adviceRow, areaRow, diplomaRow, enrolmentRow, institutionRow, learnerRow, schoolGroupRow, type Keyed, type Row, type RowReject } from './rows.js';
import type { FactKind } from './fact-codec.js';

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
}

export interface ReferenceFile {
  readonly kind: 'reference';
  readonly name: 'areas.csv' | 'institutions.csv' | 'school_groups.csv';
  readonly required: readonly string[];
}

export const REGISTRATION_FILES: readonly (FactFile | ReferenceFile)[] = [
  { kind: 'reference', name: 'areas.csv', required: ['area', 'name', 'parent_area'] },
  { kind: 'reference', name: 'institutions.csv', required: ['institution', 'name', 'board'] },
  { kind: 'reference', name: 'school_groups.csv', required: ['institution', 'group', 'valid_from', 'valid_to'] },
  {
    kind: 'fact', name: 'learners.csv', fact: 'learner',
    required: ['learner_id', 'birth_month', 'gender', 'valid_from', 'pupil_weight', 'parental_education', 'migration_background', 'area'],
    parse: learnerRow,
  },
  {
    kind: 'fact', name: 'advice.csv', fact: 'advice',
    required: ['learner_id', 'school_year', 'issued_on', 'po_school', 'kind', 'level', 'test_score'],
    parse: adviceRow,
  },
  {
    kind: 'fact', name: 'diplomas.csv', fact: 'diploma',
    required: ['learner_id', 'school_year', 'awarded_on', 'institution', 'level'],
    parse: diplomaRow,
  },
  {
    kind: 'fact', name: 'enrollments.csv', fact: 'enrolment',
    required: ['learner_id', 'school_year', 'reference_date', 'sector', 'institution', 'level', 'grade'],
    parse: enrolmentRow,
  },
];

export { areaRow, institutionRow, schoolGroupRow };
