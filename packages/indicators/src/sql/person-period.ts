/**
 * Learner-level relations for analysts, from the same statistics tables and
 * with the same definitions as the indicators:
 *
 * - person-period: one row per cohort member and reference date, from the
 *   cohort's start year to the newest covered reference date, with the state
 *   the distribution indicator counts on that date (`stateAt`, shared) and the
 *   member's breakdown values at the cohort's start;
 * - spells: runs of consecutive person-period rows in the same state
 *   (TraMineR's SPELL format: id, begin, end, status; begin and end as
 *   periods counted from 1, or as school years).
 *
 * Each is one SELECT without parameters (values are literals), so a caller
 * can hand it to `COPY (...) TO` and nothing passes through JavaScript.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { PeriodRequest } from '../request.js';
import { inCodeOrder } from './portable.js';
import { coveredDates, dayOf, known, valid, type Scope } from './scope.js';
import { stateAt } from './units.js';

/** Column types as DuckDB (and Parquet) name them. */
export type ExportColumnType = 'VARCHAR' | 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'DATE';

export interface ExportColumn {
  readonly name: string;
  readonly type: ExportColumnType;
  readonly description: string;
}

const col = (name: string, type: ExportColumnType, description: string): ExportColumn => ({ name, type, description });

/** The cohort's own columns and the member's breakdown values, as person-period and spells carry them. */
const COHORT_COLUMNS: readonly ExportColumn[] = [
  col('cohort_type', 'VARCHAR', 'advice, intake or leerjaar3: what the cohort is named after'),
  col('cohort', 'VARCHAR', "the learner's cohort of that type, by school year (2012-2013)"),
  col('rules', 'VARCHAR', 'the rule set the cohort and the advice are taken under'),
];

const BREAKDOWN_COLUMNS: readonly ExportColumn[] = [
  col('gender', 'VARCHAR', 'm, f, x or unknown'),
  col('pupil_weight', 'VARCHAR', "pupil weight at the cohort's start: 0, 0.3, 1.2 or unknown"),
  col('parental_education', 'VARCHAR', "at the cohort's start: low, middle, high or unknown"),
  col('migration_background', 'VARCHAR', "at the cohort's start, or unknown"),
  col('area', 'VARCHAR', "the learner's own area at the cohort's start (its ancestors: reference data), or unknown"),
  col('po_school', 'VARCHAR', "the primary school of the reference advice under the rule set, or unknown"),
  col('vo_school', 'VARCHAR', 'the VO school the cohort is reported under (first VO school; for leerjaar3 the year-3 school), or unknown'),
  col('board', 'VARCHAR', "that school's board (reference data), or unknown"),
  col('advice', 'VARCHAR', 'the reference advice under the rule set (level code), or unknown'),
];

export const PERSON_PERIOD_COLUMNS: readonly ExportColumn[] = [
  col('learner_id', 'VARCHAR', "the learner's pseudonym"),
  col('reference_date', 'DATE', 'the reference date (teldatum) of the count'),
  col('school_year', 'VARCHAR', 'its school year (2016-2017)'),
  col('period', 'INTEGER', "the cohort's school years counted from 1 (its own school year): the distribution indicator's offset plus one"),
  col('covered', 'BOOLEAN', 'false for a school year between two covered ones without a delivered count (its date is 1 October; the state is then po or left)'),
  col('state', 'VARCHAR', 'as the distribution indicator counts it: the sector and level of the row on the date, po before the first row, left-with-startkwalificatie or left-without-startkwalificatie after the last'),
  col('sector', 'VARCHAR', 'the enrolment on the date (null without one): po, vo, mbo, hbo or wo'),
  col('level', 'VARCHAR', 'its level (null without an enrolment)'),
  col('institution', 'VARCHAR', 'its institution (null without an enrolment)'),
  col('grade', 'INTEGER', 'its grade (leerjaar), where it has one'),
  ...COHORT_COLUMNS,
  ...BREAKDOWN_COLUMNS,
];

export const SPELL_COLUMNS: readonly ExportColumn[] = [
  col('learner_id', 'VARCHAR', "the learner's pseudonym"),
  col('start', 'DATE', 'the first reference date of the spell'),
  col('end', 'DATE', 'the last reference date of the spell (inclusive)'),
  col('state', 'VARCHAR', 'the state throughout the spell (as in person-period)'),
  col('start_period', 'INTEGER', "the spell's first period (the cohort's school years counted from 1): TraMineR's begin, aligned on the cohort's start"),
  col('end_period', 'INTEGER', "the spell's last period, inclusive: TraMineR's end"),
  col('start_year', 'INTEGER', "the first school year by its start (2016 for 2016-2017): TraMineR's begin on the calendar (process = FALSE)"),
  col('end_year', 'INTEGER', 'the last school year by its start, inclusive'),
  ...COHORT_COLUMNS,
];

const isoOf = (day: number): string => `${Math.floor(day / 10_000)}-${String(Math.floor(day / 100) % 100).padStart(2, '0')}-${String(day % 100).padStart(2, '0')}`;

export function periodScope(request: PeriodRequest, db: Kysely<any>): Scope {
  return {
    db, rules: request.rules,
    knownOn: request.asKnownOn ? dayOf(request.asKnownOn) : null,
    asOf: request.asOfSchoolYear ? Number(request.asOfSchoolYear.slice(0, 4)) : null,
  };
}

/** The members in the scope (`m`), with their classifications' first_year and sk_date (`l`); as the distribution's cohort base. */
function memberWhere(r: PeriodRequest, s: Scope): RawBuilder<unknown> {
  const conditions = [sql`m.rules = ${sql.lit(r.rules)}`, sql`m.cohort_type = ${sql.lit(r.cohortType)}`, valid('m', s), known('m', s)];
  if (r.cohort !== null) conditions.push(sql`m.cohort = ${sql.lit(Number(r.cohort.slice(0, 4)))}`);
  return sql.join(conditions, sql` and `);
}

/**
 * The school years from `first` to the newest covered one, each with its
 * reference date: the covered date of that year, else 1 October (as the
 * distribution indicator's offsets). None when nothing is covered.
 */
function datesTable(first: number, covered: readonly { year: number; day: number }[]): RawBuilder<unknown> {
  const newest = covered[covered.length - 1];
  const days = new Map(covered.map((c) => [c.year, c.day]));
  const rows: RawBuilder<unknown>[] = [];
  if (newest) {
    for (let year = first; year <= newest.year; year++) {
      const day = days.get(year) ?? year * 10_000 + 1001;
      rows.push(sql`(${sql.lit(year)}, ${sql.lit(day)}, cast(${sql.lit(isoOf(day))} as date), ${sql.lit(`${year}-${year + 1}`)}, ${sql.lit(days.has(year))}, false)`);
    }
  }
  if (rows.length === 0) {
    return sql`(select cast(null as integer) as year, cast(null as integer) as day, cast(null as date) as ref_date, cast(null as varchar) as school_year,
      cast(null as boolean) as covered, false as unknown where false) o`;
  }
  return sql`(values ${sql.join(rows)}) as o(year, day, ref_date, school_year, covered, unknown)`;
}

/** The person-period rows of a request without an order, as `select ...` (columns: PERSON_PERIOD_COLUMNS). */
async function personPeriodRows(r: PeriodRequest, db: Kysely<any>): Promise<RawBuilder<unknown>> {
  const s = periodScope(r, db);
  const covered = await coveredDates(s);
  let first = r.cohort !== null ? Number(r.cohort.slice(0, 4)) : null;
  if (first === null) {
    const { rows } = await sql<{ first: number | null }>`select min(m.cohort) as first from stat_member m where ${memberWhere(r, s)}`.execute(db);
    first = rows[0]?.first === null || rows[0]?.first === undefined ? Number.MAX_SAFE_INTEGER : Number(rows[0].first);
  }
  const base = sql`select m.learner_id, m.cohort, m.gender, m.pupil_weight, m.parental_education, m.migration_background, m.area,
      m.po_school, m.vo_school, m.advice, l.first_year, l.sk_date
    from stat_member m join stat_learner l on l.learner_id = m.learner_id and l.rules = m.rules and ${valid('l', s)} and ${known('l', s)}
    where ${memberWhere(r, s)}`;
  // The id carries its order with it, so every ORDER BY on it (here and over spells) is in code-point order on both engines.
  return sql`select ${inCodeOrder(sql`b.learner_id`)} as learner_id, o.ref_date as reference_date, o.school_year, cast(o.year - b.cohort + 1 as integer) as period, o.covered,
      ${stateAt('o', 's1')} as state, s1.sector, s1.level, s1.institution, cast(s1.grade as integer) as grade,
      ${sql.lit(r.cohortType)} as cohort_type, cast(b.cohort as varchar) || '-' || cast(b.cohort + 1 as varchar) as cohort, ${sql.lit(r.rules)} as rules,
      b.gender, b.pupil_weight, b.parental_education, b.migration_background, b.area, b.po_school, b.vo_school,
      coalesce(ri.board, 'unknown') as board, b.advice
    from (${base}) b
    join ${datesTable(first, covered)} on o.year >= b.cohort
    left join stat_state s1 on s1.learner_id = b.learner_id and s1.year = o.year and ${known('s1', s)}
    left join reference_institution ri on ri.institution = b.vo_school`;
}

/** One row per cohort member and reference date, ordered by learner and date. */
export async function personPeriodSelect(r: PeriodRequest, db: Kysely<any>): Promise<RawBuilder<unknown>> {
  return sql`${await personPeriodRows(r, db)} order by learner_id, reference_date`;
}

/** Consecutive person-period rows in one state as one spell, ordered by learner and start. */
export async function spellSelect(r: PeriodRequest, db: Kysely<any>): Promise<RawBuilder<unknown>> {
  // Periods run without a gap from the cohort's year, so period minus the row's rank within its state is constant along a run.
  // TraMineR wants begin and end as whole numbers from 1: the periods (or the years).
  return sql`select learner_id, min(reference_date) as start, max(reference_date) as "end", state,
      cast(min(period) as integer) as start_period, cast(max(period) as integer) as end_period,
      min(cast(left(school_year, 4) as integer)) as start_year, max(cast(left(school_year, 4) as integer)) as end_year, cohort_type, cohort, rules
    from (select pp.*, pp.period - row_number() over (partition by pp.learner_id, pp.state order by pp.period) as run from (${await personPeriodRows(r, db)}) pp) runs
    group by learner_id, cohort_type, cohort, rules, state, run
    order by learner_id, start`;
}
