/**
 * Each indicator as SQL over the statistics tables: a *base* (the rows of
 * the units' learners with their breakdown values) and the unit selects of
 * its families, each giving per unit its offset or school year, its family
 * and its category (null: in the family's denominator but in none of its
 * categories, as a binary family's complement). Counting them per group is
 * one GROUP BY (queries.ts); explaining a cell is the same units filtered.
 * The definitions are packages/indicators/README.md's.
 */
import { sql, type RawBuilder } from 'kysely';
import type { ReportRequest } from '../contract.js';
import { dimensionSql, lineageSql, lineageValue, type DimensionSource } from './dimensions.js';
import { dated, inYears, known, valid, type CoveredDate, type Scope } from './scope.js';

export interface UnitColumns {
  /** Occurrences in a multi family (a learner's attempts of a kind) count in a category but not in the denominator. */
  readonly occurrence?: boolean;
  readonly off?: RawBuilder<unknown>;
  readonly sy?: RawBuilder<unknown>;
  readonly family: RawBuilder<unknown>;
  /** Null: in the family's denominator but in none of its categories. An edge's is made from its ends (unitCategory). */
  readonly category?: RawBuilder<unknown>;
  /** An edge's ends (a transition, a flow, a revision pair): its category is `from -> to`, null when either is. */
  readonly from?: RawBuilder<unknown>;
  readonly to?: RawBuilder<unknown>;
}

/**
 * The category of a unit row (`alias`: cat, frm, tto). An edge's category is
 * left out of the units and made from its ends only where it is read: units
 * are grouped on their ends anyway, and making the text `from -> to` for
 * every unit and grouping on it as well cost the grouping of transitions by
 * vo_school at 110k 58-122 ms of DuckDB's CPU, 37-39 ms without.
 */
export const unitCategory = (alias: string): RawBuilder<unknown> =>
  sql`coalesce(${sql.ref(`${alias}.cat`)}, ${sql.ref(`${alias}.frm`)} || ' -> ' || ${sql.ref(`${alias}.tto`)})`;

/**
 * A select of units from the base (`b`). It has no WHERE of its own: which
 * learners or rows count is the base's (narrowed). DuckDB pushes a filter on
 * the materialized base into it, above the scan of the classifications,
 * where it keeps the members' join filter from reaching that scan: with
 * `where b.ap is not null` here, advice-position at national read all
 * 1,000,000 classifications of the rule set instead of 205,553 and took
 * 158 ms of SQL instead of about 45 (time-in-vo 247 ms the same way).
 */
export interface UnitSelect {
  /** Joined to the base (`b`) with its own filters, e.g. a learner's steps. */
  readonly from?: RawBuilder<unknown>;
  readonly units: readonly UnitColumns[];
}

export interface IndicatorSql {
  /** Fixed group keys besides the requested dimensions (sector, afdeling, ...), as base columns. */
  readonly keys: readonly { readonly name: string; readonly expr: RawBuilder<unknown> }[];
  /** The base: one row per learner (or per yearly row) in the scope. */
  readonly base: Base;
  /** The base's learner id. */
  readonly learner: RawBuilder<unknown>;
  /** Columns of the base the unit selects read, beyond learner_id and the groups. */
  readonly carry: readonly { readonly name: string; readonly expr: RawBuilder<unknown> }[];
  readonly source: DimensionSource;
  readonly selects: readonly UnitSelect[];
}

/** FROM (with its joins) and WHERE conditions: dimension joins go between the two. */
export interface Base { readonly from: RawBuilder<unknown>; readonly where: readonly RawBuilder<unknown>[] }
const narrowed = (b: Base, ...where: RawBuilder<unknown>[]): Base => ({ from: b.from, where: [...b.where, ...where] });

/**
 * Unit expressions that are the same for every row: the counted form writes
 * them straight into its fan-out rows instead of grouping on them.
 */
const constants = new WeakSet<RawBuilder<unknown>>();
const constant = (e: RawBuilder<unknown>): RawBuilder<unknown> => {
  constants.add(e);
  return e;
};
const str = (v: string): RawBuilder<unknown> => constant(sql`${sql.lit(v)}`);
const NULL = constant(sql`cast(null as varchar)`);
const NULL_INT = constant(sql`cast(null as integer)`);
const startDay = (year: number) => year * 10_000 + 801;

/**
 * The cohort's members in the scope, materialized first: DuckDB then knows
 * their number and builds its hash joins on them, not on the far larger
 * yearly tables (early-leavers spent most of its time hashing every yearly
 * row of the population before).
 */
function cohortMembersCte(r: ReportRequest, s: Scope): RawBuilder<unknown> {
  return sql`cm as materialized (select * from stat_member m where m.rules = ${r.rules} and m.cohort_type = ${r.cohortType}
    and m.cohort = ${sql.lit(Number(r.cohort!.slice(0, 4)))} and ${valid('m', s)} and ${known('m', s)})`;
}

/**
 * A learner table's rows of the cohort's members only (all rows without a
 * cohort), as a derived table
 * under `alias`: the semi join builds its hash table on the members, so the
 * join that follows never hashes the whole population's rows (DuckDB puts
 * the right side of a LEFT JOIN, or a misjudged side, in its hash table).
 */
const ofCohort = (r: ReportRequest, table: string, alias: string, where: readonly RawBuilder<unknown>[]): RawBuilder<unknown> => {
  const conditions = r.cohort === null ? where : [sql`${sql.ref(`${alias}.learner_id`)} in (select learner_id from cm)`, ...where];
  return sql`(select * from ${sql.table(table)} ${sql.id(alias)}${conditions.length > 0 ? sql` where ${sql.join(conditions, sql` and `)}` : sql``}) ${sql.id(alias)}`;
};

/** A learner's cohort membership and classifications in the scope. */
function cohortBase(r: ReportRequest, s: Scope): { base: Base; learner: RawBuilder<unknown>; source: DimensionSource } {
  const cohort = Number(r.cohort!.slice(0, 4));
  return {
    base: {
      // A plain inner join: DuckDB builds on the members and pushes their keys into the scan of stat_learner by itself.
      // Through ofCohort's semi join it joined the members twice. Over the report set at national (two alternating
      // pairs, the same rows): live SQL p50 144-169 ms before, 117-134 ms after; the SQL of all 160 requests 41-46 s
      // before, 39-41 s after. At 110k the difference is within the noise. The other joins keep ofCohort: without
      // the semi join on stat_step, streams took twice as long.
      from: sql`from cm m join stat_learner l on l.learner_id = m.learner_id`,
      where: [sql`l.rules = ${r.rules}`, valid('l', s), known('l', s)],
    },
    learner: sql`m.learner_id`,
    source: { background: 'm', voSchool: sql`m.vo_school`, advice: sql`m.advice`, poSchool: sql`m.po_school`, level: null, date: startDay(cohort) },
  };
}

/**
 * Yearly rows (`alias` of `table`) of everyone, or of a cohort's learners:
 * with a cohort the background is the cohort's start, else the row's own
 * (taken at the start of its school year); the school is the row's.
 */
function yearlyBase(r: ReportRequest, s: Scope, table: string, alias: string, school: RawBuilder<unknown>, level: RawBuilder<unknown> | null): { base: Base; learner: RawBuilder<unknown>; source: DimensionSource } {
  const rows = sql`from ${sql.table(table)} ${sql.id(alias)}`;
  const learner = sql.ref(`${alias}.learner_id`);
  if (r.cohort !== null) {
    const cohort = Number(r.cohort.slice(0, 4));
    return {
      base: {
        from: sql`${rows} join cm m on m.learner_id = ${learner}`,
        where: [known(alias, s)],
      },
      learner,
      source: { background: 'm', voSchool: school, advice: sql`m.advice`, poSchool: sql`m.po_school`, level, date: startDay(cohort) },
    };
  }
  return {
    base: {
      from: sql`${rows} left join stat_member am on am.learner_id = ${learner} and am.rules = ${r.rules} and am.cohort_type = 'advice'
        and ${valid('am', s)} and ${known('am', s)}`,
      where: [known(alias, s)],
    },
    learner,
    source: { background: alias, voSchool: school, advice: sql`am.advice`, poSchool: sql`am.po_school`, level, date: sql`${sql.ref(`${alias}.year`)} * 10000 + 801` },
  };
}

const yearsOf = (covered: readonly CoveredDate[]) => covered.map((c) => c.year);

/** Offsets 0..K of a cohort with the reference day of each (SPEC 6: to the newest covered date). */
export function offsetsOf(cohortYear: number, covered: readonly CoveredDate[]): { k: number; year: number; day: number; unknown: boolean }[] {
  const newest = covered[covered.length - 1];
  if (newest === undefined || newest.year < cohortYear) return [{ k: 0, year: cohortYear, day: cohortYear * 10_000 + 1001, unknown: true }];
  const days = new Map(covered.map((c) => [c.year, c.day]));
  return Array.from({ length: newest.year - cohortYear + 1 }, (_, k) => ({ k, year: cohortYear + k, day: days.get(cohortYear + k) ?? (cohortYear + k) * 10_000 + 1001, unknown: false }));
}

/**
 * The state of a cohort learner (base `b`, with first_year and sk_date) on an
 * offset's date (`o`: year, day, unknown), given the row `st` of that year if
 * any (its alias, or the state it holds, null without one). The distribution
 * and transitions indicators and the person-period export share it.
 */
export const stateAt = (o: string, st: string | RawBuilder<unknown>) => {
  const state = typeof st === 'string' ? sql.ref(`${st}.state`) : st;
  return sql`case
  when ${sql.ref(`${o}.unknown`)} then 'unknown'
  when ${state} is not null then ${state}
  when b.first_year is null or ${sql.ref(`${o}.year`)} < b.first_year then 'po'
  when b.sk_date is not null and b.sk_date < ${sql.ref(`${o}.day`)} then 'left-with-startkwalificatie'
  else 'left-without-startkwalificatie' end`;
};

function offsetsTable(cohortYear: number, covered: readonly CoveredDate[]): RawBuilder<unknown> {
  const rows = offsetsOf(cohortYear, covered).map((o) => sql`(${sql.lit(o.k)}, ${sql.lit(o.year)}, ${sql.lit(o.day)}, ${sql.lit(o.unknown)})`);
  return sql`(values ${sql.join(rows)}) as o(k, year, day, unknown)`;
}

const STEP_FAMILIES = (st: string, off: RawBuilder<unknown> | undefined, sy: RawBuilder<unknown> | undefined): UnitColumns[] => [
  { off, sy, family: str('class'), category: sql.ref(`${st}.class`) },
  { off, sy, family: str('repeated'), category: sql`case when ${sql.ref(`${st}.repeated`)} then 'repeated' end` },
  { off, sy, family: str('switched-school'), category: sql`case when ${sql.ref(`${st}.switched`)} then 'switched-school' end` },
];

/** The SQL of an indicator for a request in a scope with its covered reference dates. */
export function indicatorSql(r: ReportRequest, s: Scope, covered: readonly CoveredDate[]): IndicatorSql {
  const cohortYear = r.cohort === null ? null : Number(r.cohort.slice(0, 4));
  const covYears = yearsOf(covered);
  switch (r.indicator) {
    case 'advice-position': {
      const { base, learner, source } = cohortBase(r, s);
      return {
        keys: [], base: narrowed(base, sql`l.ap is not null`), learner, source, carry: [{ name: 'ap', expr: sql`l.ap` }],
        selects: [{ units: [{ family: str('advice-position'), category: sql`b.ap` }] }],
      };
    }
    case 'outcome': {
      const { base, learner, source } = cohortBase(r, s);
      return { keys: [], base, learner, source, carry: [{ name: 'oc', expr: sql`l.oc` }], selects: [{ units: [{ family: str('outcome'), category: sql`b.oc` }] }] };
    }
    case 'advice-test': {
      const { base, learner, source } = cohortBase(r, s);
      return { keys: [], base, learner, source, carry: [{ name: 'at', expr: sql`l.at` }], selects: [{ units: [{ family: str('advice-test'), category: sql`b.at` }] }] };
    }
    case 'flows': {
      const { base, learner, source } = cohortBase(r, s);
      const stages = ['advice', 'lj1', 'lj3', 'diploma', 'next'];
      // One expression per stage, shared by its node and its edges: the counted form groups on each once.
      const cols = new Map(stages.map((stage) => [stage, sql`${sql.ref(`b.f_${stage}`)}`] as const));
      const col = (stage: string) => cols.get(stage)!;
      const nodes = stages.map((stage): UnitColumns => ({ family: str(`node ${stage}`), category: col(stage) }));
      const edges = stages.slice(0, -1).map((stage, i): UnitColumns => ({
        family: str(`${stage} -> ${stages[i + 1]}`), from: col(stage), to: col(stages[i + 1]!),
      }));
      return { keys: [], base, learner, source, carry: stages.map((st) => ({ name: `f_${st}`, expr: sql.ref(`l.f_${st}`) })), selects: [{ units: [...nodes, ...edges] }] };
    }
    case 'stacked-routes': {
      const { base, learner, source } = cohortBase(r, s);
      const success = s.asOf === null ? sql`a.success_year is not null` : sql`a.success_year <= ${sql.lit(s.asOf)}`;
      return {
        keys: [], base, learner, source, carry: [{ name: 'route', expr: sql`l.route` }],
        selects: [
          // `attempt` counts a learner's attempts per kind against the cohort's learners (a multi family).
          { units: [{ family: str('route'), category: sql`b.route` }, { family: str('attempt'), category: NULL }] },
          {
            from: sql`join ${ofCohort(r, 'stat_attempt', 'a', [known('a', s), dated(sql`a.year`, s)])} on a.learner_id = b.learner_id`,
            units: [
              { family: str('attempt'), category: sql`a.kind`, occurrence: true },
              { family: sql`'attempt ' || a.kind`, category: sql`case when ${success} then a.kind || ' | success' end` },
            ],
          },
        ],
      };
    }
    case 'advice-revisions': {
      const { base, learner, source } = cohortBase(r, s);
      return {
        keys: [], base, learner, source, carry: [{ name: 'revised', expr: sql`l.revised` }],
        selects: [
          { units: [{ family: str('revised'), category: sql`case when b.revised then 'revised' end` }] },
          {
            from: sql`join ${ofCohort(r, 'stat_revision', 'v', [sql`v.rules = ${r.rules}`, known('v', s), dated(sql`v.year`, s)])} on v.learner_id = b.learner_id`,
            units: [
              { family: str('direction'), category: sql`v.direction` },
              { family: str('pair'), from: sql`v.from_code`, to: sql`v.to_code` },
            ],
          },
        ],
      };
    }
    case 'time-in-vo': {
      const { base, learner, source } = cohortBase(r, s);
      const newest = covYears[covYears.length - 1] ?? -1;
      const left = sql`(b.vo_diploma_year is null and lv.last_vo < ${sql.lit(newest)})`;
      const years = sql`case when b.vo_diploma_year is not null then cast(b.vo_diploma_year - b.placement_year + 1 as varchar)
        when ${left} then cast(lv.last_vo - b.placement_year + 1 as varchar) else 'no-vo-diploma-yet' end`;
      return {
        keys: [], base: narrowed(base, sql`l.placement_year is not null and l.placement_year <= ${sql.lit(newest)}`), learner, source,
        carry: ['placement_year', 'vo_diploma_year'].map((c) => ({ name: c, expr: sql.ref(`l.${c}`) })),
        selects: [{
          from: sql`left join (select x.learner_id, max(x.year) as last_vo from ${ofCohort(r, 'stat_state', 'x', [sql`x.sector = 'vo'`, known('x', s), sql`x.year <= ${sql.lit(newest)}`])} group by x.learner_id) lv on lv.learner_id = b.learner_id`,
          units: [
            { family: str('years'), category: years },
            { family: str('end'), category: sql`case when b.vo_diploma_year is not null then 'vo-diploma' when ${left} then 'left-vo' else 'in-vo' end` },
          ],
        }],
      };
    }
    case 'streams': {
      const { base, learner, source } = cohortBase(r, s);
      const off = sql`st.year - ${sql.lit(cohortYear!)}`;
      return {
        keys: [], base, learner, source, carry: [],
        selects: [{ from: sql`join ${ofCohort(r, 'stat_step', 'st', [sql`st.rules = ${r.rules}`, known('st', s), dated(sql`st.year`, s, 1)])} on st.learner_id = b.learner_id`, units: STEP_FAMILIES('st', off, undefined) }],
      };
    }
    case 'distribution':
    case 'transitions': {
      const { base, learner, source } = cohortBase(r, s);
      const carry = ['first_year', 'sk_date'].map((c) => ({ name: c, expr: sql.ref(`l.${c}`) }));
      const at = (o: string, st: string) => sql`left join ${ofCohort(r, 'stat_state', st, [known(st, s)])} on ${sql.ref(`${st}.learner_id`)} = b.learner_id and ${sql.ref(`${st}.year`)} = ${sql.ref(`${o}.year`)}`;
      if (r.indicator === 'distribution') {
        return { keys: [], base, learner, source, carry, selects: [{ from: sql`cross join ${offsetsTable(cohortYear!, covered)} ${at('o', 's1')}`, units: [{ off: sql`o.k`, family: str('state'), category: stateAt('o', 's1') }] }] };
      }
      // Both ends of a transition come from one row per learner holding the state of every offset's year, not from
      // two joins of the yearly rows per learner and offset (each as large as the cohort's rows times the offsets):
      // DuckDB counted transitions by vo_school at 110k in 127-206 ms instead of 180-305 (four alternating runs each).
      const offsets = offsetsOf(cohortYear!, covered);
      const pivot = sql`(select pv.learner_id, ${sql.join(offsets.map((o) => sql`max(case when pv.year = ${sql.lit(o.year)} then pv.state end) as ${sql.id(`y${o.k}`)}`))}
        from ${sql.table('stat_state')} pv where pv.learner_id in (select learner_id from cm) and ${known('pv', s)} and ${inYears(sql`pv.year`, offsets.map((o) => o.year))}
        group by pv.learner_id) pv`;
      const stateOf = (o: string) => sql`case ${sql.ref(`${o}.k`)} ${sql.join(offsets.map((x) => sql`when ${sql.lit(x.k)} then ${sql.ref(`pv.y${x.k}`)}`), sql` `)} end`;
      const table = offsetsTable(cohortYear!, covered);
      const next = sql`(select * from ${table}) as p`;
      return {
        keys: [], base, learner, source, carry,
        selects: [{
          from: sql`cross join ${table} join ${next} on p.k = o.k + 1 left join ${pivot} on pv.learner_id = b.learner_id`,
          units: [{ off: sql`o.k`, family: str('transition'), from: stateAt('o', stateOf('o')), to: stateAt('p', stateOf('p')) }],
        }],
      };
    }
    case 'onderbouwsnelheid': {
      const { base, learner, source } = yearlyBase(r, s, 'stat_state', 'r', sql`r.institution`, sql`r.level`);
      return {
        keys: [], learner, base: narrowed(base, sql`r.ob_unit`, dated(sql`r.year`, s, 1)), source, carry: [{ name: 'year', expr: sql`r.year` }, { name: 'promoted', expr: sql`r.ob_promoted` }],
        selects: [{ units: [{ sy: sql`b.year`, family: str('promoted'), category: sql`case when b.promoted then 'promoted' end` }] }],
      };
    }
    case 'bovenbouwsucces': {
      const { base, learner, source } = yearlyBase(r, s, 'stat_state', 'r', sql`r.institution`, sql`r.level`);
      return {
        keys: [{ name: 'afdeling', expr: sql`r.bb_afdeling` }], learner,
        base: narrowed(base, sql`r.bb_afdeling is not null`, inYears(sql`r.year`, covYears.map((y) => y - 1))), source,
        carry: [{ name: 'year', expr: sql`r.year` }, { name: 'success', expr: sql`r.bb_success` }],
        selects: [{ units: [{ sy: sql`b.year`, family: str('success'), category: sql`case when b.success then 'success' end` }] }],
      };
    }
    case 'early-leavers': {
      const { base, learner, source } = yearlyBase(r, s, 'stat_state', 'r', sql`r.institution`, sql`r.level`);
      return {
        keys: [{ name: 'sector', expr: sql`r.sector` }], learner,
        base: narrowed(base, sql`r.el_unit`, inYears(sql`r.year`, covYears.map((y) => y - 1))), source,
        carry: [{ name: 'year', expr: sql`r.year` }, { name: 'leaver', expr: sql`r.el_leaver` }],
        selects: [{ units: [{ sy: sql`b.year`, family: str('early-leaver'), category: sql`case when b.leaver then 'early-leaver' end` }] }],
      };
    }
    case 'after-mbo': {
      // Reported under the learner's row of the diploma's school year (its school and level).
      const { base, learner, source } = yearlyBase(r, s, 'stat_diploma', 'r', sql`r.row_institution`, sql`r.row_level`);
      return {
        keys: [{ name: 'diploma_level', expr: sql`r.level` }], learner,
        base: narrowed(base, sql`r.after_mbo is not null`, inYears(sql`r.next_year`, covYears)), source,
        carry: [{ name: 'year', expr: sql`r.year` }, { name: 'after', expr: sql`r.after_mbo` }],
        selects: [{ units: [{ sy: sql`b.year`, family: str('state'), category: sql`b.after` }] }],
      };
    }
    case 'vmbo-mbo-loss': {
      // Reported under the diploma's school, and the level of the row of its year.
      const { base, learner, source } = yearlyBase(r, s, 'stat_diploma', 'r', sql`r.institution`, sql`r.row_level`);
      return {
        keys: [], learner, base: narrowed(base, sql`r.vl_unit`, inYears(sql`r.year`, covYears.map((y) => y - 1))), source,
        carry: [{ name: 'year', expr: sql`r.year` }, { name: 'lost', expr: sql`r.vl_lost` }],
        selects: [{ units: [{ sy: sql`b.year`, family: str('lost'), category: sql`case when b.lost then 'lost' end` }] }],
      };
    }
    case 'school-profile': {
      // Steps grouped by the school of their earlier row; background from that row's year (or the cohort's start).
      const { base, learner, source } = yearlyBase(r, s, 'stat_state', 'r', sql`r.institution`, sql`r.level`);
      return {
        keys: [{ name: 'vo_school', expr: sql`r.institution` }],
        base, learner, source, carry: [{ name: 'year', expr: sql`r.year` }],
        selects: [{
          from: sql`join ${ofCohort(r, 'stat_step', 'st', [sql`st.rules = ${r.rules}`, known('st', s), dated(sql`st.year`, s, 1)])} on st.learner_id = b.learner_id and st.year = b.year`,
          units: STEP_FAMILIES('st', undefined, sql`st.year`),
        }],
      };
    }
  }
}

/** A unit's columns off, sy, fam, cat, frm, tto and den: an edge's category is made from its ends where read (unitCategory). */
function unitColumns(u: UnitColumns): RawBuilder<unknown>[] {
  return [
    u.off ?? NULL_INT, u.sy ?? NULL_INT, u.family, u.from !== undefined && u.to !== undefined ? NULL : u.category ?? NULL,
    u.from ?? NULL, u.to ?? NULL, sql`${sql.lit(u.occurrence ? 0 : 1)}`,
  ];
}

/** What a unit is made of that differs between rows: its columns off..tto but the constants. */
const unitParts = (u: UnitColumns): RawBuilder<unknown>[] => unitColumns(u).slice(0, 6).filter((e) => !constants.has(e));

export interface CompiledUnits {
  readonly with: RawBuilder<unknown>;
  /** learner_id, g0.., k0.., l0.. (those carried), v0.. (values lineage is joined on), off, sy, fam, cat, frm, tto, den */
  readonly units: RawBuilder<unknown>;
  /** The units as counts, without learner_id: the columns of `units` but learner_id, with den and n summing to theirs. */
  readonly counted: RawBuilder<unknown>;
  /** Column name -> group key (the requested dimensions, then the fixed keys). */
  readonly groups: readonly (readonly [column: string, key: string])[];
  /** Column name -> lineage key. */
  readonly lineage: readonly (readonly [column: string, key: string])[];
  /**
   * How counted rows (alias `c`, grouped on the units' columns but the ones
   * named here) get the rest: a group column from the value it is made of
   * (`c.v0`), lineage columns by joins on that value.
   */
  readonly after: {
    readonly groups: ReadonlyMap<string, RawBuilder<unknown>>;
    readonly lineage: ReadonlyMap<string, RawBuilder<unknown>>;
    readonly values: readonly string[];
    readonly joins: readonly RawBuilder<unknown>[];
  };
}

/** The units of a request as one relation (under `with`), ready to count or to filter for one cell. */
export function compileUnits(r: ReportRequest, s: Scope, covered: readonly CoveredDate[], maxDepth: number): CompiledUnits {
  const ind = indicatorSql(r, s, covered);
  const dims = r.by.map((d, i) => dimensionSql(d, ind.source, s, i));
  // A lineage that is a function of one value (a school's) is joined to the
  // counted rows, not to every unit: transitions by vo_school grouped some
  // 240,000 units on three more text columns for it.
  const values = r.by.map((d) => lineageValue(d, ind.source));
  const valueColumns = r.by.map((_, i) => `v${i}`);
  const counted = (i: number): DimensionSource => ({ ...ind.source, voSchool: sql.ref(`c.${valueColumns[i]}`) });
  const lineages = r.by.map((d, i) => lineageSql(d, values[i] ? counted(i) : ind.source, s, i, maxDepth));
  const ctes = new Map<string, RawBuilder<unknown>>();
  for (const d of [...dims, ...lineages]) for (const [name, cte] of d.ctes) ctes.set(name, cte);
  const groupColumns = r.by.map((_, i) => `g${i}`);
  const keyColumns = ind.keys.map((_, i) => `k${i}`);
  const lineageKeys = lineages.flatMap((l, i) => l.keys.map((k) => ({ ...k, after: values[i] !== null })));
  const lineageColumns = lineageKeys.map((_, i) => `l${i}`);
  const baseColumns = [
    sql`${ind.learner} as learner_id`,
    ...dims.map((d, i) => sql`${d.expr} as ${sql.id(groupColumns[i]!)}`),
    ...ind.keys.map((k, i) => sql`${k.expr} as ${sql.id(keyColumns[i]!)}`),
    ...lineageKeys.flatMap((l, i) => (l.after ? [] : [sql`${l.expr} as ${sql.id(lineageColumns[i]!)}`])),
    ...values.flatMap((v, i) => (v === null ? [] : [sql`${v} as ${sql.id(valueColumns[i]!)}`])),
    ...ind.carry.map((c) => sql`${c.expr} as ${sql.id(c.name)}`),
  ];
  const joins = [...dims.flatMap((d) => d.joins), ...lineages.flatMap((l, i) => (values[i] ? [] : l.joins))];
  const baseWithDims = sql`select ${sql.join(baseColumns)} ${ind.base.from} ${sql.join(joins, sql` `)} ${ind.base.where.length > 0 ? sql`where ${sql.join(ind.base.where, sql` and `)}` : sql``}`;
  if (r.cohort !== null) ctes.set('cm', cohortMembersCte(r, s));
  ctes.set('b', sql`b as materialized (${baseWithDims})`);
  const recursive = ctes.has('area_up');
  const withClause = sql`with ${recursive ? sql`recursive ` : sql``}${sql.join([...ctes.values()])}`;
  const carried = [...groupColumns, ...keyColumns, ...lineageColumns.filter((_, i) => !lineageKeys[i]!.after), ...valueColumns.filter((_, i) => values[i] !== null)];
  const carriedRefs = carried.map((c) => sql.ref(`b.${c}`));
  const passthrough = [sql`b.learner_id`, ...carriedRefs];
  const names = ['off', 'sy', 'fam', 'cat', 'frm', 'tto', 'den'];
  const countedNames = [...names, 'n'];
  // The units of one select share its join: they fan out from each joined
  // row through a lateral VALUES list, so the join runs once, not once per unit.
  const selects = ind.selects.map((sel) => {
    if (sel.units.length === 1) {
      const cols = unitColumns(sel.units[0]!).map((c, i) => sql`${c} as ${sql.id(names[i]!)}`);
      return sql`select ${sql.join([...passthrough, ...cols])} from b ${sel.from ?? sql``}`;
    }
    const rows = sel.units.map((u) => sql`(${sql.join(unitColumns(u))})`);
    const fanned = names.map((n) => sql.ref(`x.${n}`));
    return sql`select ${sql.join([...passthrough, ...fanned])} from b ${sel.from ?? sql``}
      cross join lateral (values ${sql.join(rows)}) as x(${sql.join(names.map((n) => sql.id(n)))})`;
  });
  // Counting needs no learner: a select of several units first groups its
  // joined rows on what its units are made of, then fans out each group, so
  // the fan-out and the count's GROUP BY see groups, not every joined row
  // (SQL time over the bench's report set at 110k: streams 0.89x, flows 0.91x).
  const countedSelects = ind.selects.map((sel) => {
    if (sel.units.length === 1) {
      const u = sel.units[0]!;
      const cols = [...unitColumns(u).slice(0, 6), sql.lit(u.occurrence ? 0 : 1), sql.lit(1)].map((c, i) => sql`${c} as ${sql.id(countedNames[i]!)}`);
      return sql`select ${sql.join([...carriedRefs, ...cols])} from b ${sel.from ?? sql``}`;
    }
    const parts = [...new Set(sel.units.flatMap(unitParts))];
    const partName = new Map(parts.map((p, i) => [p, `p${i}`] as const));
    const inGroup = (e: RawBuilder<unknown>) => (constants.has(e) ? e : sql.ref(`g.${partName.get(e)!}`));
    const rows = sel.units.map((u) => sql`(${sql.join([...unitColumns(u).slice(0, 6).map(inGroup), u.occurrence ? sql.lit(0) : sql`g.n`, sql`g.n`])})`);
    const grouped = sql`select ${sql.join([...carriedRefs.map((r, i) => sql`${r} as ${sql.id(carried[i]!)}`), ...parts.map((p) => sql`${p} as ${sql.id(partName.get(p)!)}`), sql`count(*) as n`])}
      from b ${sel.from ?? sql``}${carried.length + parts.length > 0 ? sql` group by ${sql.join([...carried, ...parts].map((_, i) => sql.lit(i + 1)))}` : sql``}`;
    return sql`select ${sql.join([...carried.map((c) => sql.ref(`g.${c}`)), ...countedNames.map((n) => sql.ref(`x.${n}`))])} from (${grouped}) g
      cross join lateral (values ${sql.join(rows)}) as x(${sql.join(countedNames.map((n) => sql.id(n)))})`;
  });
  return {
    with: withClause, units: sql.join(selects, sql` union all `), counted: sql.join(countedSelects, sql` union all `),
    groups: [...r.by.map((d, i) => [groupColumns[i]!, d] as const), ...ind.keys.map((k, i) => [keyColumns[i]!, k.name] as const)],
    lineage: lineageKeys.map((l, i) => [lineageColumns[i]!, l.name] as const),
    after: {
      // The dimension's value made again from the value it is made of, as for each unit.
      groups: new Map(r.by.flatMap((d, i) => (values[i] ? [[groupColumns[i]!, dimensionSql(d, counted(i), s, i).expr] as const] : []))),
      lineage: new Map(lineageKeys.flatMap((l, i) => (l.after ? [[lineageColumns[i]!, l.expr] as const] : []))),
      values: valueColumns.filter((_, i) => values[i] !== null),
      joins: lineages.flatMap((l, i) => (values[i] ? l.joins : [])),
    },
  };
}


