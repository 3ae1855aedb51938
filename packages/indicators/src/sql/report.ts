/**
 * Reports from the statistics projection: a request's units counted in one
 * SQL GROUP BY into a count table, published (categories, percentages,
 * suppression across the lattice) by the step the fold-based oracle shares.
 * As known on a date and as of a school year are filters in the same query;
 * nothing is folded or cached per request.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { effectiveMinCell, ruleSetNamed } from '@leerroutes/domain';
import type { Report, ReportRequest } from '../contract.js';
import { publish } from '../publish.js';
import { checkRequest } from '../request.js';
import type { CountInstance, CountTable } from '../table.js';
import { maxAreaDepth } from './dimensions.js';
import { compileUnits, type CompiledUnits } from './units.js';
import { coveredDates, type Scope } from './scope.js';

/** Where reports are read: the published views, as one consistent snapshot. */
export interface StatisticsSource {
  /** Run the queries of one report on one state of the views. */
  snapshot<T>(fn: (db: Kysely<any>) => Promise<T>): Promise<T>;
  /** The log position the views reflect. */
  checkpoint(db: Kysely<any>): Promise<number>;
}

const dayOf = (iso: string): number => Number(iso.slice(0, 4)) * 10_000 + Number(iso.slice(5, 7)) * 100 + Number(iso.slice(8, 10));
const schoolYear = (start: number): string => `${start}-${start + 1}`;

export function scopeOf(request: ReportRequest, db: Kysely<any>): Scope {
  return {
    db, rules: request.rules,
    knownOn: request.asKnownOn ? dayOf(request.asKnownOn) : null,
    asOf: request.asOfSchoolYear ? Number(request.asOfSchoolYear.slice(0, 4)) : null,
  };
}

async function compile(request: ReportRequest, s: Scope): Promise<CompiledUnits> {
  const covered = await coveredDates(s);
  const ownArea = request.by.includes('area');
  return compileUnits(request, s, covered, ownArea ? await maxAreaDepth(s) : 0);
}

/** The request's count table, counted in SQL. */
export async function countTable(request: ReportRequest, s: Scope): Promise<CountTable> {
  const c = await compile(request, s);
  const columns = [...c.groups.map(([col]) => col), ...c.lineage.map(([col]) => col), 'off', 'sy', 'fam', 'cat', 'frm', 'tto'];
  const positions = columns.map((_, i) => sql.lit(i + 1));
  const { rows } = await sql<Record<string, unknown>>`${c.with}
    select ${sql.join(columns.map((col) => sql.ref(`u.${col}`)))}, cast(sum(u.den) as integer) as den, cast(count(*) as integer) as n
    from (${c.units}) u group by ${sql.join(positions)}`.execute(s.db);
  const instances = new Map<string, { group: Record<string, string>; lineage: Record<string, string>; offset: number | null; schoolYear: string | null; family: string; denominator: number; counts: Map<string, number>; edges: Map<string, { from: string; to: string }> }>();
  for (const r of rows) {
    const group: Record<string, string> = {};
    for (const [col, key] of c.groups) group[key] = String(r[col]);
    const lineage: Record<string, string> = {};
    for (const [col, key] of c.lineage) if (r[col] !== null && r[col] !== undefined) lineage[key] = String(r[col]);
    const offset = r['off'] === null ? null : Number(r['off']);
    const sy = r['sy'] === null ? null : schoolYear(Number(r['sy']));
    const family = String(r['fam']);
    const key = JSON.stringify([group, lineage, offset, sy, family]);
    let inst = instances.get(key);
    if (!inst) instances.set(key, (inst = { group, lineage, offset, schoolYear: sy, family, denominator: 0, counts: new Map(), edges: new Map() }));
    inst.denominator += Number(r['den']);
    const category = r['cat'];
    if (category === null || category === undefined) continue;
    inst.counts.set(String(category), (inst.counts.get(String(category)) ?? 0) + Number(r['n']));
    if (r['frm'] !== null && r['tto'] !== null) inst.edges.set(String(category), { from: String(r['frm']), to: String(r['tto']) });
  }
  return [...instances.values()].map((i): CountInstance => ({ ...i, ...(i.edges.size > 0 ? {} : { edges: undefined }) }));
}

/** A report from the views; callers must not change it (the API may share it). */
export async function statisticsReport(request: ReportRequest, source: StatisticsSource): Promise<Report> {
  const rules = checkRequest(request);
  return source.snapshot(async (db) => {
    const s = scopeOf(request, db);
    const table = await countTable(request, s);
    const rows = await publish(request, table, { related: (r) => countTable(r, scopeOf(r, db)) });
    return {
      request,
      ruleSet: { name: rules.name, version: rules.version },
      rows,
      source: {
        kind: 'views', checkpoint: await source.checkpoint(db),
        ...(request.asKnownOn ? { asKnownOn: request.asKnownOn } : {}),
        ...(request.asOfSchoolYear ? { asOfSchoolYear: request.asOfSchoolYear } : {}),
      },
      minCell: effectiveMinCell(request.minCell),
      suppressed: request.unsuppressed !== true,
    };
  });
}

export interface CellRef {
  readonly group: Readonly<Record<string, string>>;
  readonly offset: number | null;
  readonly schoolYear: string | null;
  readonly category: string;
  /** The family, where a category name is in two (stacked-routes). */
  readonly family?: string;
}

/** The learner ids behind one cell (before suppression); the caller checks the role and audits the read. */
export async function statisticsCell(request: ReportRequest, cell: CellRef, source: StatisticsSource): Promise<{ learnerIds: string[] }> {
  checkRequest(request);
  if (!ruleSetNamed(request.rules)) throw new Error(`unknown rule set ${request.rules}`);
  return source.snapshot(async (db) => {
    const s = scopeOf(request, db);
    const c = await compile(request, s);
    const where: RawBuilder<unknown>[] = [sql`u.cat = ${cell.category}`];
    for (const [col, key] of c.groups) if (cell.group[key] !== undefined) where.push(sql`${sql.ref(`u.${col}`)} = ${cell.group[key]}`);
    if (cell.offset !== null) where.push(sql`u.off = ${sql.lit(cell.offset)}`);
    if (cell.schoolYear !== null) where.push(sql`u.sy = ${sql.lit(Number(cell.schoolYear.slice(0, 4)))}`);
    if (cell.family !== undefined) where.push(sql`u.fam = ${cell.family}`);
    const { rows } = await sql<{ learner_id: string }>`${c.with} select distinct u.learner_id from (${c.units}) u where ${sql.join(where, sql` and `)} order by 1`.execute(s.db);
    return { learnerIds: rows.map((r) => r.learner_id) };
  });
}
