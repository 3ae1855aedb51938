/**
 * Reports from the statistics projection: a request's units counted in one
 * SQL GROUP BY into a count table, published (categories, percentages,
 * suppression across the lattice) by the step the fold-based oracle shares.
 * As known on a date and as of a school year are filters in the same query;
 * nothing is folded or cached per request.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { effectiveMinCell } from '@leerroutes/domain';
import { nextTurn, turnsEvery } from '@leerroutes/threads/next-turn';
import type { Report, ReportRequest } from '../contract.js';
import { relatedRequests } from '../publish.js';
import { inlinePublisher, type Publisher } from '../publisher.js';
import { checkRequest } from '../request.js';
import type { CountInstance, CountTable } from '../table.js';
import { maxAreaDepth } from './dimensions.js';
import { inCodeOrder } from './portable.js';
import { compileUnits, unitCategory, type CompiledUnits } from './units.js';
import { coveredDates, dayOf, known, valid, type Scope } from './scope.js';

/** Where reports are read: the published views, as one consistent snapshot. */
export interface StatisticsSource {
  /** Run the queries of one report on one state of the views. */
  snapshot<T>(fn: (db: Kysely<any>) => Promise<T>): Promise<T>;
  /** The log position the views reflect. */
  checkpoint(db: Kysely<any>): Promise<number>;
  /** Where count tables are published (default: in the calling thread). */
  readonly publisher?: Publisher;
}

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

/**
 * The query counting compiled units: one row per group, lineage, offset,
 * school year, family and category, with den and n. An edge's category
 * (`from -> to`) is left to the reader (edgeCategory): as text made in the
 * query it came back as a string too long for DuckDB to keep inline, which
 * cost a native call per row to read, a third of the reading of a
 * transitions count by vo_school.
 */
export function countQuery(c: CompiledUnits): RawBuilder<unknown> {
  const columns = [...c.groups.map(([col]) => col), ...c.lineage.map(([col]) => col), 'off', 'sy', 'fam', 'cat', 'frm', 'tto'];
  const grouped = [...columns.filter((col) => !c.after.groups.has(col) && !c.after.lineage.has(col)), ...c.after.values];
  const outer = columns.map((col) => {
    const made = c.after.groups.get(col) ?? c.after.lineage.get(col);
    return made ? sql`${made} as ${sql.id(col)}` : sql.ref(`c.${col}`);
  });
  return sql`${c.with}
    select ${sql.join(outer)}, c.den, c.n from (
      select ${sql.join(grouped.map((col) => sql.ref(`u.${col}`)))}, cast(sum(u.den) as integer) as den, cast(sum(u.n) as integer) as n
      from (${c.counted}) u group by ${sql.join(grouped.map((_, i) => sql.lit(i + 1)))}) c ${sql.join(c.after.joins, sql` `)}`;
}

/** The request's count table, counted in SQL. */
export async function countTable(request: ReportRequest, s: Scope): Promise<CountTable> {
  const c = await compile(request, s);
  const { rows } = await sql<Record<string, unknown>>`${countQuery(c)}`.execute(s.db);
  type Instance = { group: Record<string, string>; lineage: Record<string, string>; offset: number | null; schoolYear: string | null; family: string; denominator: number; counts: Map<string, number>; edges: Map<string, { from: string; to: string }> };
  const objectsOf = (r: Record<string, unknown>) => {
    const group: Record<string, string> = {};
    for (const [col, k] of c.groups) group[k] = String(r[col]);
    const lineage: Record<string, string> = {};
    for (const [col, k] of c.lineage) if (r[col] !== null && r[col] !== undefined) lineage[k] = String(r[col]);
    return { group, lineage };
  };
  const instanceOf = (r: Record<string, unknown>, made = objectsOf(r)): Instance => ({
    group: made.group, lineage: made.lineage, offset: r['off'] === null ? null : Number(r['off']),
    schoolYear: r['sy'] === null ? null : schoolYear(Number(r['sy'])), family: String(r['fam']), denominator: 0, counts: new Map(), edges: new Map(),
  });
  // A key named twice (a breakdown that is also a fixed key) keeps one value in the object: then the objects' JSON text is the key.
  const distinct = new Set(c.groups.map(([, k]) => k)).size === c.groups.length && new Set(c.lineage.map(([, k]) => k)).size === c.lineage.length;
  // With distinct keys, an instance is found by its columns' values, one Map a column
  // (a column's values are of one type, and an absent lineage value is null):
  // no key text made per row. Text keys cost school-profile by two
  // breakdowns at 110k some 100 ms over its 44,000 counted rows.
  const keyColumns = ['off', 'sy', 'fam', ...c.groups.map(([col]) => col), ...c.lineage.map(([col]) => col)];
  const last = keyColumns.length - 1;
  const root = new Map<unknown, unknown>();
  const byText = new Map<string, Instance>();
  const instances: Instance[] = [];
  // Other requests get a turn now and then (rowsOf in the DuckDB dialect says why).
  const turns = turnsEvery(32_768);
  // An edge's category as unitCategory makes it in SQL (null when an end is), each text made once.
  const edges = new Map<string, Map<string, string>>();
  const edgeCategory = (from: string, to: string): string => {
    let byTo = edges.get(from);
    if (byTo === undefined) edges.set(from, (byTo = new Map()));
    let text = byTo.get(to);
    if (text === undefined) byTo.set(to, (text = `${from} -> ${to}`));
    return text;
  };
  for (const r of rows) {
    if (turns.due()) await nextTurn();
    let inst: Instance | undefined;
    if (distinct) {
      let m = root;
      for (let i = 0; i < last; i++) {
        const v = r[keyColumns[i]!] ?? null;
        let next = m.get(v) as Map<unknown, unknown> | undefined;
        if (next === undefined) m.set(v, (next = new Map()));
        m = next;
      }
      const v = r[keyColumns[last]!] ?? null;
      inst = m.get(v) as Instance | undefined;
      if (inst === undefined) {
        m.set(v, (inst = instanceOf(r)));
        instances.push(inst);
      }
    } else {
      const made = objectsOf(r);
      const key = JSON.stringify([made.group, made.lineage, r['off'] === null ? null : Number(r['off']), r['sy'] === null ? null : Number(r['sy']), String(r['fam'])]);
      inst = byText.get(key);
      if (inst === undefined) {
        byText.set(key, (inst = instanceOf(r, made)));
        instances.push(inst);
      }
    }
    inst.denominator += Number(r['den']);
    const from = r['frm'] ?? null;
    const to = r['tto'] ?? null;
    const category = r['cat'] ?? (from !== null && to !== null ? edgeCategory(String(from), String(to)) : null);
    if (category === null) continue;
    inst.counts.set(String(category), (inst.counts.get(String(category)) ?? 0) + Number(r['n']));
    if (from !== null && to !== null) inst.edges.set(String(category), { from: String(from), to: String(to) });
  }
  return instances.map((i): CountInstance => ({ ...i, ...(i.edges.size > 0 ? {} : { edges: undefined }) }));
}

/**
 * The distribution a transitions count table implies, so that suppressing
 * transitions (which it must against the distribution) costs no second scan:
 * both count the cohort's learners at every offset (transitions pair offset
 * k with k + 1), so a learner of a transitions instance at offset k is in its
 * from-state at k, and at the last offset in its to-state of the pair before.
 * Null when there is no pair (a single offset): the distribution is then
 * counted in SQL.
 */
export function distributionOfTransitions(transitions: CountTable): CountTable | null {
  if (transitions.length === 0) return null;
  const last = Math.max(...transitions.map((i) => i.offset ?? 0));
  const out = new Map<string, { group: Readonly<Record<string, string>>; lineage: Readonly<Record<string, string>>; offset: number; denominator: number; counts: Map<string, number> }>();
  const add = (i: CountInstance, offset: number, state: (category: string) => string) => {
    const key = JSON.stringify([i.group, i.lineage, offset]);
    let d = out.get(key);
    if (!d) out.set(key, (d = { group: i.group, lineage: i.lineage, offset, denominator: 0, counts: new Map() }));
    d.denominator += i.denominator;
    for (const [category, n] of i.counts) d.counts.set(state(category), (d.counts.get(state(category)) ?? 0) + n);
  };
  for (const i of transitions) {
    if (i.offset === null) return null;
    const ends = (category: string) => i.edges?.get(category) ?? (([from, to]) => ({ from: from!, to: to! }))(category.split(' -> '));
    add(i, i.offset, (c) => ends(c).from);
    if (i.offset === last) add(i, last + 1, (c) => ends(c).to);
  }
  return [...out.values()].map((d): CountInstance => ({ ...d, schoolYear: null, family: 'state' }));
}

/** The count table of a request publish relates to this one's: derived where it can be, else counted. */
function relatedTable(request: ReportRequest, table: CountTable, related: ReportRequest, db: Kysely<any>): Promise<CountTable> {
  if (request.indicator === 'transitions' && related.indicator === 'distribution') {
    const derived = distributionOfTransitions(table);
    if (derived) return Promise.resolve(derived);
  }
  return countTable(related, scopeOf(related, db));
}

/** A report on one state of the views. */
async function reportIn(db: Kysely<any>, request: ReportRequest, checkpoint: number, publisher: Publisher = inlinePublisher): Promise<Report> {
  const rules = checkRequest(request);
  const scope = scopeOf(request, db);
  const table = await countTable(request, scope);
  const related = new Map(await Promise.all(relatedRequests(request).map(async (r) => [r.indicator, await relatedTable(request, table, r, db)] as const)));
  const { rows, unprotected } = await publisher.publish(request, table, related);
  const absent = rows.length === 0 ? await absentCohortNote(request, scope) : null;
  return {
    request,
    ruleSet: { name: rules.name, version: rules.version },
    rows,
    source: {
      kind: 'views', checkpoint,
      ...(request.asKnownOn ? { asKnownOn: request.asKnownOn } : {}),
      ...(request.asOfSchoolYear ? { asOfSchoolYear: request.asOfSchoolYear } : {}),
    },
    minCell: effectiveMinCell(request.minCell),
    suppressed: request.unsuppressed !== true,
    ...(request.unsuppressed === true ? {} : { unprotected }),
    ...(absent === null ? {} : { notes: [absent] }),
  };
}

/**
 * An empty report for a cohort the views do not hold (in the request's
 * edition) is most often a mistyped year or cohort type: say which cohorts
 * they hold. Null when the cohort is there (its rows may be empty for other
 * reasons) or the request names none.
 */
async function absentCohortNote(request: ReportRequest, s: Scope): Promise<string | null> {
  if (request.cohort === null) return null;
  const held = heldCohorts(await cohortsIn(s.db, s), request.cohortType, s.rules);
  if (held.includes(request.cohort)) return null;
  const which = `${request.cohortType} cohort ${request.cohort}${request.cohortType === 'advice' ? ` under ${request.rules}` : ''}`;
  const edition = [request.asKnownOn ? `as known on ${request.asKnownOn}` : null, request.asOfSchoolYear ? `as of ${request.asOfSchoolYear}` : null].filter((x) => x !== null);
  return `the views hold no ${which}${edition.length ? ` ${edition.join(' and ')}` : ''}; they hold ${held.length === 0 ? 'none' : held.join(', ')}`;
}

/** A report from the views; callers must not change it (the API may share it). */
export async function statisticsReport(request: ReportRequest, source: StatisticsSource): Promise<Report> {
  checkRequest(request);
  return source.snapshot(async (db) => reportIn(db, request, await source.checkpoint(db), source.publisher));
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
  return source.snapshot(async (db) => {
    const s = scopeOf(request, db);
    const c = await compile(request, s);
    const where: RawBuilder<unknown>[] = [sql`${unitCategory('u')} = ${cell.category}`];
    for (const [col, key] of c.groups) if (cell.group[key] !== undefined) where.push(sql`${sql.ref(`u.${col}`)} = ${cell.group[key]}`);
    if (cell.offset !== null) where.push(sql`u.off = ${sql.lit(cell.offset)}`);
    if (cell.schoolYear !== null) where.push(sql`u.sy = ${sql.lit(Number(cell.schoolYear.slice(0, 4)))}`);
    if (cell.family !== undefined) where.push(sql`u.fam = ${cell.family}`);
    const { rows } = await sql<{ learner_id: string }>`${c.with} select distinct ${inCodeOrder(sql`u.learner_id`)} as learner_id from (${c.units}) u where ${sql.join(where, sql` and `)} order by 1`.execute(s.db);
    return { learnerIds: rows.map((r) => r.learner_id) };
  });
}

export interface RuleSetComparison {
  readonly a: Report;
  readonly b: Report;
  /**
   * Learners classified differently (or in the cohort under one rule set
   * only), with the classifications one rule set gives and the other does
   * not, as `offset k school-year family: category`; privileged.
   */
  readonly differing: readonly { readonly learnerId: string; readonly a: readonly string[]; readonly b: readonly string[] }[];
}

/** Each learner's classifications under a request: `offset k school-year family: category` (or `-` for a unit with none). */
async function classificationsOf(db: Kysely<any>, request: ReportRequest): Promise<Map<string, Set<string>>> {
  const s = scopeOf({ ...request, by: [] }, db);
  const c = await compile({ ...request, by: [] }, s);
  const { rows } = await sql<{ learner_id: string; off: number | null; sy: number | null; fam: string; cat: string | null }>`${c.with}
    select distinct u.learner_id, u.off, u.sy, u.fam, ${unitCategory('u')} as cat from (${c.units}) u`.execute(s.db);
  const out = new Map<string, Set<string>>();
  for (const r of rows) {
    const at = [r.off !== null ? `offset ${r.off}` : null, r.sy !== null ? schoolYear(Number(r.sy)) : null].filter((x) => x !== null).join(' ');
    const text = `${at ? `${at} ` : ''}${r.fam}: ${r.cat ?? '-'}`;
    const set = out.get(r.learner_id);
    if (set) set.add(text);
    else out.set(r.learner_id, new Set([text]));
  }
  return out;
}

/** The request under two rule sets, on one state of the views, with the learners they classify differently. */
export async function statisticsCompare(request: ReportRequest, rulesA: string, rulesB: string, source: StatisticsSource): Promise<RuleSetComparison> {
  const [reqA, reqB] = [{ ...request, rules: rulesA }, { ...request, rules: rulesB }];
  checkRequest(reqA);
  checkRequest(reqB);
  return source.snapshot(async (db) => {
    const checkpoint = await source.checkpoint(db);
    const a = await reportIn(db, reqA, checkpoint, source.publisher);
    const b = await reportIn(db, reqB, checkpoint, source.publisher);
    const [ca, cb] = [await classificationsOf(db, reqA), await classificationsOf(db, reqB)];
    const differing: { learnerId: string; a: string[]; b: string[] }[] = [];
    for (const id of [...new Set([...ca.keys(), ...cb.keys()])].sort()) {
      const sa = ca.get(id) ?? new Set(['not in cohort']);
      const sb = cb.get(id) ?? new Set(['not in cohort']);
      const onlyA = [...sa].filter((x) => !sb.has(x)).sort();
      const onlyB = [...sb].filter((x) => !sa.has(x)).sort();
      if (onlyA.length > 0 || onlyB.length > 0) differing.push({ learnerId: id, a: onlyA, b: onlyB });
    }
    return { a, b, differing };
  });
}

/** The cohorts present in the views: advice cohorts per rule set (its reference advice decides), intake and leerjaar-3 cohorts. */
export interface CohortList {
  readonly advice: Readonly<Record<string, readonly string[]>>;
  readonly intake: readonly string[];
  readonly leerjaar3: readonly string[];
}

type HeldCohort = { rules: string; cohort_type: string; cohort: number };

/** Which cohorts have members in an edition of the views (live: nothing cut), in cohort order. */
async function cohortsIn(db: Kysely<any>, edition: Pick<Scope, 'knownOn' | 'asOf'>): Promise<HeldCohort[]> {
  const { rows } = await sql<HeldCohort>`
    select distinct m.rules, m.cohort_type, m.cohort from stat_member m where ${known('m', edition)} and ${valid('m', edition)} order by m.cohort`.execute(db);
  return rows;
}

/** The school years of the held cohorts of one type, under one rule set or any. */
const heldCohorts = (rows: readonly HeldCohort[], type: string, rules?: string): string[] =>
  [...new Set(rows.filter((x) => x.cohort_type === type && (rules === undefined || x.rules === rules)).map((x) => schoolYear(Number(x.cohort))))];

export async function statisticsCohorts(source: StatisticsSource, rules: readonly string[]): Promise<CohortList> {
  return source.snapshot(async (db) => {
    const rows = await cohortsIn(db, { knownOn: null, asOf: null });
    return {
      advice: Object.fromEntries(rules.map((r) => [r, heldCohorts(rows, 'advice', r)])),
      intake: heldCohorts(rows, 'intake'),
      leerjaar3: heldCohorts(rows, 'leerjaar3'),
    };
  });
}
