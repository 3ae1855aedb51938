/**
 * The statistics tables: narrow typed columns, one place for their shape.
 * The projection creates them from here, writes rows in this column order,
 * and the indicator queries (packages/indicators/src/sql) read them.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import {
  BackgroundRecorded, DIPLOMA_LEVELS, HBO_LEVELS, LearnerRegistered, MBO_LEVELS, RULE_SETS, SECTORS, STEP_CLASSES, VO_LEVEL_CODES, WO_LEVELS,
} from '@leerroutes/domain';
import { AFDELINGEN, COHORT_TYPES } from '@leerroutes/pathway';
import { closedTextType } from '@leerroutes/projection-runtime/kit';
import { UNKNOWN } from './facts.js';

type ColumnType = 'text' | 'integer' | 'boolean';
export interface Column {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable?: boolean;
  /** Text from a closed vocabulary: every value the projection can write there (an ENUM in DuckDB). */
  readonly values?: readonly string[];
}

const text = (name: string, nullable = false): Column => ({ name, type: 'text', nullable });
const closed = (name: string, values: readonly string[], nullable = false): Column => ({ name, type: 'text', nullable, values });
const int = (name: string, nullable = false): Column => ({ name, type: 'integer', nullable });
const bool = (name: string): Column => ({ name, type: 'boolean' });

/**
 * The closed vocabularies: every value facts.ts writes in these columns,
 * from the definitions that make them (the domain's event schemas, its
 * classes and rule sets, and for levels the codes the domain's parsers
 * give). Should a value outside one be written, the views writer makes that
 * column text first (it stays right, only slower); the tests check that
 * none is for generated populations.
 */
const CLASSES = [...STEP_CLASSES, 'not-comparable'];
/** A level as a row, an advice or a diploma gives it (parseVoLevel, parseEnrolmentLevel, parseDiplomaLevel). */
const LEVELS = [...new Set([...VO_LEVEL_CODES, 'po', ...MBO_LEVELS, ...HBO_LEVELS, ...WO_LEVELS, ...DIPLOMA_LEVELS])];
/** A row's level where VO and mbo rows have theirs, other rows their sector (pathway's rowLevel). */
const ROW_LEVELS = [...new Set([...VO_LEVEL_CODES, ...MBO_LEVELS, ...SECTORS])];
/** The state a row gives (pathway's rowState): `vo:` and the level in VO, the level in mbo, else the sector. */
const ROW_STATES = [...new Set([...VO_LEVEL_CODES.map((c) => `vo:${c}`), ...MBO_LEVELS, ...SECTORS])];
/** A flows node (facts.ts `node`): the stage, then the value or `none`. */
const nodes = (stage: string, values: readonly string[]): string[] => [...values, 'none'].map((v) => `${stage}:${v}`);
export const VOCABULARIES = {
  rules: Object.values(RULE_SETS).map((r) => r.name),
  cohort_type: COHORT_TYPES,
  /** advice-position, outcome, a step's class (facts.ts from pathway's classify). */
  ap: [...CLASSES, 'no-advice'],
  oc: [...CLASSES, 'no-vo-diploma'],
  class: [...CLASSES, 'stacked'],
  at: ['no-advice', 'no-test', 'test-higher', 'test-lower', 'same', 'not-comparable'],
  direction: ['up', 'down', 'same', 'not-comparable'],
  /** after-mbo: the state on the first reference date after an mbo diploma, the next row's sector outside mbo. */
  after_mbo: ['not-enrolled', 'mbo-higher', 'mbo-same', 'mbo-lower', ...SECTORS],
  sector: [...SECTORS],
  gender: [...LearnerRegistered.shape.gender.options, UNKNOWN],
  pupil_weight: [...BackgroundRecorded.shape.pupilWeight.unwrap().options.map((o) => String(o.value)), UNKNOWN],
  parental_education: [...BackgroundRecorded.shape.parentalEducation.unwrap().options, UNKNOWN],
  /** A reference advice (or a revision's ends) under a rule set, `unknown` without one. */
  advice: [...LEVELS, UNKNOWN],
  f_advice: nodes('advice', LEVELS),
  f_lj1: nodes('lj1', LEVELS),
  f_lj3: nodes('lj3', LEVELS),
  f_diploma: nodes('diploma', LEVELS),
  f_next: nodes('next', ROW_STATES),
  state: ROW_STATES,
  row_level: ROW_LEVELS,
  diploma_level: DIPLOMA_LEVELS,
  bb_afdeling: AFDELINGEN.filter((a): a is string => a !== null),
} as const satisfies Record<string, readonly string[]>;

type Vocabulary = keyof typeof VOCABULARIES;

/**
 * A value as a query compares it with a column of a closed vocabulary: in
 * DuckDB cast to that column's ENUM, so the comparison is of codes and a
 * scan filter, where against text DuckDB casts every row's ENUM to text
 * first. In settleSchoolWeight's scan of the 5,040,146 yearly rows at
 * national, the `sector` and `pupil_weight` tests took 58-95 ms as text and
 * 36-39 ms so. A value outside the vocabulary stays text (no row of an
 * ENUM column can hold it, and a column the views writer made text
 * compares as text).
 */
function closedValue(db: Kysely<any>, vocabulary: Vocabulary, value: string): RawBuilder<unknown> {
  const values: readonly string[] = VOCABULARIES[vocabulary];
  const type = values.includes(value) ? closedTextType(db, values) : 'text';
  return type === 'text' ? sql`${sql.lit(value)}` : sql`cast(${sql.lit(value)} as ${type})`;
}

const KNOWN = [int('known_from'), int('known_until', true)];
const DIMS = [
  closed('gender', VOCABULARIES.gender), closed('pupil_weight', VOCABULARIES.pupil_weight), closed('parental_education', VOCABULARIES.parental_education),
  text('migration_background'), text('area'),
];

export const STATISTICS_TABLES = {
  /** A learner's membership of a cohort under a rule set, with the cohort's breakdown values; versioned in valid and transaction time. */
  stat_member: [
    text('learner_id'), closed('rules', VOCABULARIES.rules), closed('cohort_type', VOCABULARIES.cohort_type), int('cohort'), int('valid_from'), int('valid_until', true), ...KNOWN, ...DIMS,
    text('po_school'), text('vo_school'), closed('advice', VOCABULARIES.advice),
  ],
  /** A learner's classifications under a rule set (advice-position, outcome, flows, route, advice-test, ...); versioned like members. */
  stat_learner: [
    text('learner_id'), closed('rules', VOCABULARIES.rules), int('valid_from'), int('valid_until', true), ...KNOWN,
    closed('ap', VOCABULARIES.ap, true), closed('oc', VOCABULARIES.oc),
    closed('f_advice', VOCABULARIES.f_advice), closed('f_lj1', VOCABULARIES.f_lj1), closed('f_lj3', VOCABULARIES.f_lj3),
    closed('f_diploma', VOCABULARIES.f_diploma), closed('f_next', VOCABULARIES.f_next), text('route'), closed('at', VOCABULARIES.at), bool('revised'),
    int('first_year', true), int('sk_date', true), int('placement_year', true), int('vo_diploma_year', true),
  ],
  /** One yearly count of a learner, with the per-year indicators' units. */
  stat_state: [
    text('learner_id'), int('year'), ...KNOWN, closed('state', VOCABULARIES.state), closed('sector', VOCABULARIES.sector), closed('level', VOCABULARIES.row_level),
    text('institution'), int('grade', true), ...DIMS,
    bool('ob_unit'), bool('ob_promoted'), closed('bb_afdeling', VOCABULARIES.bb_afdeling, true), bool('bb_success'), bool('el_unit'), bool('el_leaver'),
  ],
  /** A step between two yearly VO rows, classified under a rule set. */
  stat_step: [text('learner_id'), closed('rules', VOCABULARIES.rules), int('year'), ...KNOWN, closed('class', VOCABULARIES.class), bool('repeated'), bool('switched'), text('institution')],
  /** A diploma, with what follows it (after-mbo, vmbo-mbo-loss). */
  stat_diploma: [
    text('learner_id'), int('year'), ...KNOWN, closed('level', VOCABULARIES.diploma_level), text('institution'), int('award_date'), int('next_year'),
    closed('after_mbo', VOCABULARIES.after_mbo, true), bool('vl_unit'), bool('vl_lost'), text('row_institution', true), closed('row_level', VOCABULARIES.row_level, true), ...DIMS,
  ],
  /** A stacking attempt and the school year it succeeded in. */
  stat_attempt: [text('learner_id'), text('kind'), int('year'), int('success_year', true), ...KNOWN],
  /** An advice revision, its direction under a rule set. */
  stat_revision: [
    text('learner_id'), closed('rules', VOCABULARIES.rules), int('year'), ...KNOWN, closed('direction', VOCABULARIES.direction),
    closed('from_code', VOCABULARIES.advice), closed('to_code', VOCABULARIES.advice),
  ],
  /** Area chains as recorded with learners' backgrounds, for areas the reference data does not know. */
  stat_area: [text('area'), int('depth'), text('ancestor')],
  /** Named groups of schools (a pilot and its comparison schools) with the dates they hold (inclusive; null: open). */
  stat_school_group: [text('institution'), text('grp'), int('valid_from'), int('valid_to', true)],
  /** Reference dates whose complete count was delivered, and since when that was known. */
  stat_covered: [int('reference_date'), int('year'), int('known_from')],
  /**
   * Per VO school and school year, its yearly VO rows with a known pupil
   * weight and those of them weighted (0.3 or 1.2), by interval of
   * knowledge: what the school weight groups are counted from. Made from
   * stat_state whole by the projection's settle (settleSchoolWeight), so a
   * report reads some thousands of rows for it instead of every yearly row.
   */
  stat_school_weight: [text('institution'), int('year'), ...KNOWN, int('total'), int('weighted')],
} as const satisfies Record<string, readonly Column[]>;

export type StatisticsTable = keyof typeof STATISTICS_TABLES;

/** Keys of the tables that are upserted; learner tables have none (a learner's rows are replaced whole). */
const PRIMARY_KEYS: Partial<Record<StatisticsTable, readonly string[]>> = { stat_area: ['area', 'depth'], stat_covered: ['reference_date'], stat_school_group: ['institution', 'grp', 'valid_from'] };

/** Tables holding rows of one learner each (erasure and re-folding replace a learner's rows in all of them). */
export const LEARNER_TABLE_OF = {
  member: 'stat_member', learner: 'stat_learner', state: 'stat_state', step: 'stat_step', diploma: 'stat_diploma', attempt: 'stat_attempt', revision: 'stat_revision',
} as const satisfies Record<string, StatisticsTable>;

export async function createStatisticsTables(db: Kysely<any>, t: (logical: string) => string): Promise<void> {
  for (const [table, columns] of Object.entries(STATISTICS_TABLES)) {
    let q = db.schema.createTable(t(table));
    for (const c of columns as readonly Column[]) {
      q = q.addColumn(c.name, c.values ? closedTextType(db, c.values) : c.type, (col) => (c.nullable ? col : col.notNull()));
    }
    const key = PRIMARY_KEYS[table as StatisticsTable];
    if (key) q = q.addPrimaryKeyConstraint(`${t(table)}_pk`, key as never);
    await q.execute();
  }
}

export const columnNames = (table: StatisticsTable): string[] => STATISTICS_TABLES[table].map((c) => c.name);

/** The pupil weights that count as weighted in a school's share (the school weight groups). */
const WEIGHTED = ['0.3', '1.2'] as const;

/** stat_school_weight made again from stat_state (under the names `t` gives). */
export async function settleSchoolWeight(db: Kysely<any>, t: (logical: string) => string): Promise<void> {
  const pupilWeight = (v: string) => closedValue(db, 'pupil_weight', v);
  await sql`delete from ${sql.table(t('stat_school_weight'))}`.execute(db);
  await sql`insert into ${sql.table(t('stat_school_weight'))} (institution, year, known_from, known_until, total, weighted)
    select w.institution, w.year, w.known_from, w.known_until, count(*), sum(case when w.pupil_weight in (${sql.join(WEIGHTED.map(pupilWeight))}) then 1 else 0 end)
    from ${sql.table(t('stat_state'))} w where w.sector = ${closedValue(db, 'sector', 'vo')} and w.pupil_weight <> ${pupilWeight(UNKNOWN)}
    group by w.institution, w.year, w.known_from, w.known_until`.execute(db);
}
