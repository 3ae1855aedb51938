/**
 * Breakdown values as SQL expressions over a unit's rows (SPEC 6 and
 * packages/indicators/README.md, "Breakdown dimensions"). The background
 * columns are on the rows themselves (taken at the cohort's start for
 * cohort rows, at the start of the school year for yearly rows); the
 * hierarchy (areas at depth N, a school's board), school groups and school
 * weight groups come from the reference data and the statistics in the same
 * query.
 */
import { sql, type RawBuilder } from 'kysely';
import { inCodeOrder } from './portable.js';
import { known, type Scope } from './scope.js';

/** Where a unit's breakdown values are. */
export interface DimensionSource {
  /** Alias of the row holding gender, pupil_weight, parental_education, migration_background and area. */
  readonly background: string;
  /** The VO school the unit is reported under. */
  readonly voSchool: RawBuilder<unknown>;
  /** The reference advice's code and school under the rule set. */
  readonly advice: RawBuilder<unknown>;
  readonly poSchool: RawBuilder<unknown>;
  /** The level on t, for per-year units; null where `level` is no breakdown. */
  readonly level: RawBuilder<unknown> | null;
  /** The day (20160801) the background is taken at: school groups are those valid then. A number when it is one day for every unit (a cohort's start). */
  readonly date: number | RawBuilder<unknown>;
}

export interface DimensionSql {
  /** The value, never null ('unknown'). */
  readonly expr: RawBuilder<unknown>;
  /** Joins the expression needs, each once. */
  readonly joins: readonly RawBuilder<unknown>[];
  /** Common table expressions it needs, by name (shared between dimensions). */
  readonly ctes: ReadonlyMap<string, RawBuilder<unknown>>;
}

const UNKNOWN = sql`'unknown'`;
const orUnknown = (e: RawBuilder<unknown>): RawBuilder<unknown> => sql`coalesce(${e}, ${UNKNOWN})`;
const ref = (alias: string, column: string) => sql.ref(`${alias}.${column}`);

/**
 * Every area with its ancestors by depth (0: the root): from the reference
 * data's hierarchy for the areas it knows, else as recorded with learners'
 * backgrounds (SPEC 6: "at any level of the area hierarchy").
 */
const AREA_CTES = new Map<string, RawBuilder<unknown>>([
  ['area_up', sql`area_up(area, ancestor, hops) as (
    select area, area, 0 from reference_area
    union all
    select u.area, r.parent, u.hops + 1 from area_up u join reference_area r on r.area = u.ancestor
    where r.parent is not null and u.hops < 32)`],
  ['area_at', sql`area_at(area, depth, ancestor) as (
    select u.area, t.top - u.hops, u.ancestor from area_up u join (select area, max(hops) as top from area_up group by area) t on t.area = u.area
    union all
    select sa.area, sa.depth, sa.ancestor from stat_area sa where not exists (select 1 from reference_area ra where ra.area = sa.area))`],
]);

/**
 * School weight groups: terciles of the institutions' shares of weighted
 * learners, over VO rows in the scope, counted per school and year by the
 * projection (stat_school_weight): at national that is some thousands of
 * rows where the yearly VO rows are millions, read by every request by a school.
 */
function weightGroupCte(s: Scope): RawBuilder<unknown> {
  const upTo = s.asOf === null ? sql`true` : sql`w.year <= ${sql.lit(s.asOf)}`;
  return sql`school_weight(institution, grp) as (
    select institution, case ntile(3) over (order by share, ${inCodeOrder(sql`institution`)}) when 1 then 'low' when 2 then 'middle' else 'high' end
    from (
      select w.institution, cast(sum(w.weighted) as double precision) / sum(w.total) as share
      from stat_school_weight w where ${known('w', s)} and ${upTo}
      group by w.institution) shares)`;
}

/** The SQL of one breakdown dimension; `n` keeps the aliases of two dimensions apart. */
export function dimensionSql(dim: string, src: DimensionSource, s: Scope, n: number): DimensionSql {
  const [name, depth] = dim.split(':') as [string, string | undefined];
  const bg = (column: string): DimensionSql => ({ expr: orUnknown(ref(src.background, column)), joins: [], ctes: new Map() });
  switch (name) {
    case 'gender':
    case 'pupil_weight':
    case 'parental_education':
    case 'migration_background':
      return bg(name);
    case 'area': {
      if (depth === undefined) return bg('area');
      const alias = `area_${n}`;
      return {
        expr: orUnknown(ref(alias, 'ancestor')),
        joins: [sql`left join area_at ${sql.id(alias)} on ${ref(alias, 'area')} = ${ref(src.background, 'area')} and ${ref(alias, 'depth')} = ${sql.lit(Number(depth))}`],
        ctes: AREA_CTES,
      };
    }
    case 'vo_school':
      return { expr: orUnknown(src.voSchool), joins: [], ctes: new Map() };
    case 'board': {
      const alias = `board_${n}`;
      return {
        expr: orUnknown(ref(alias, 'board')),
        joins: [sql`left join reference_institution ${sql.id(alias)} on ${ref(alias, 'institution')} = ${src.voSchool}`],
        ctes: new Map(),
      };
    }
    case 'po_school':
      return { expr: orUnknown(src.poSchool), joins: [], ctes: new Map() };
    case 'advice':
      return { expr: orUnknown(src.advice), joins: [], ctes: new Map() };
    case 'level':
      if (src.level === null) throw new Error('level is a breakdown of per-year indicators only');
      return { expr: orUnknown(src.level), joins: [], ctes: new Map() };
    case 'school_group': {
      // A school in several groups at once is reported under the alphabetically first (README).
      const first = sql`min(${inCodeOrder(sql`g.grp`)})`;
      const validOn = (day: RawBuilder<unknown>) => sql`g.valid_from <= ${day} and (g.valid_to is null or g.valid_to >= ${day})`;
      if (typeof src.date === 'number') {
        // One day for all units: each school's group on it is worked out once and joined, where a lookup per
        // unit (a correlated subquery, a delim join in DuckDB) cost about a tenth of a transitions count by vo_school.
        const alias = `group_${n}`;
        return {
          expr: sql`coalesce(${ref(alias, 'grp')}, 'none')`,
          joins: [sql`left join (select g.institution, ${first} as grp from stat_school_group g where ${validOn(sql.lit(src.date))}
            group by g.institution) ${sql.id(alias)} on ${ref(alias, 'institution')} = ${src.voSchool}`],
          ctes: new Map(),
        };
      }
      return {
        expr: sql`coalesce((select ${first} from stat_school_group g where g.institution = ${src.voSchool} and ${validOn(src.date)}), 'none')`,
        joins: [], ctes: new Map(),
      };
    }
    case 'school_weight_group': {
      const alias = `weight_${n}`;
      return {
        expr: orUnknown(ref(alias, 'grp')),
        joins: [sql`left join school_weight ${sql.id(alias)} on ${ref(alias, 'institution')} = ${src.voSchool}`],
        ctes: new Map([['school_weight', weightGroupCte(s)]]),
      };
    }
    default:
      throw new Error(`unknown dimension '${dim}'`);
  }
}

export interface LineageSql {
  /** Lineage keys (table.ts: CountInstance.lineage) with their expressions; null where the learner has no such value. */
  readonly keys: readonly { readonly name: string; readonly expr: RawBuilder<unknown> }[];
  readonly joins: readonly RawBuilder<unknown>[];
  readonly ctes: ReadonlyMap<string, RawBuilder<unknown>>;
}

/**
 * What a requested dimension coarsens to (so suppression can derive every
 * coarser table from one query): the area chain above a requested depth
 * (`area:0` .. `area:N-1`; for the own area, its ancestors), and a school's
 * board, school group and weight group. `maxDepth` is the deepest area depth
 * in the data.
 */
export function lineageSql(dim: string, src: DimensionSource, s: Scope, n: number, maxDepth: number): LineageSql {
  const [name, depth] = dim.split(':') as [string, string | undefined];
  if (name === 'area') {
    const own = depth === undefined;
    const above = own ? maxDepth : Number(depth);
    const keys: { name: string; expr: RawBuilder<unknown> }[] = [];
    const joins: RawBuilder<unknown>[] = [];
    for (let k = 0; k < above; k++) {
      const alias = `lin_${n}_${k}`;
      joins.push(sql`left join area_at ${sql.id(alias)} on ${ref(alias, 'area')} = ${ref(src.background, 'area')} and ${ref(alias, 'depth')} = ${sql.lit(k)}`);
      // For the own area, only its ancestors: the chain at its own depth is the area itself.
      keys.push({ name: `area:${k}`, expr: own ? sql`case when ${ref(alias, 'ancestor')} <> ${ref(src.background, 'area')} then ${ref(alias, 'ancestor')} end` : ref(alias, 'ancestor') });
    }
    return { keys, joins, ctes: AREA_CTES };
  }
  if (name === 'vo_school') {
    const derived = ['board', 'school_group', 'school_weight_group'].map((d, i) => ({ name: d, sql: dimensionSql(d, src, s, 100 + 10 * n + i) }));
    const ctes = new Map<string, RawBuilder<unknown>>();
    for (const d of derived) for (const [k, v] of d.sql.ctes) ctes.set(k, v);
    return { keys: derived.map((d) => ({ name: d.name, expr: d.sql.expr })), joins: derived.flatMap((d) => d.sql.joins), ctes };
  }
  return { keys: [], joins: [], ctes: new Map() };
}

/**
 * The value a dimension's lineage is a function of, where it is one (a
 * school's board, school group and weight group, with the groups taken on
 * one day for every unit): the lineage can then be joined to the counted
 * rows by that value rather than carried, and grouped on, per unit. Null
 * where the lineage reads more (the area chain, groups on each row's date).
 */
export function lineageValue(dim: string, src: DimensionSource): RawBuilder<unknown> | null {
  return dim === 'vo_school' && typeof src.date === 'number' ? src.voSchool : null;
}

/** The deepest area depth the data has (0 when there are no areas), for lineage of the own area. */
export async function maxAreaDepth(s: Scope): Promise<number> {
  const { rows } = await sql<{ depth: number | null }>`with recursive ${sql.join([...AREA_CTES.values()])} select max(depth) as depth from area_at`.execute(s.db);
  return Number(rows[0]?.depth ?? 0);
}
