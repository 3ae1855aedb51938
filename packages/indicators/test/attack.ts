/**
 * A reader trying to recover suppressed cells, written apart from publish.ts.
 * The reader knows what every published table shows and how tables are
 * built - which groups of one table make up a group of another (the area
 * hierarchy, the schools of a board: here worked out from the learners
 * behind the tables), that a family adds up to its denominator, that a flows
 * node is the sum of its edges, and so on - and solves, over and over, every
 * such sum with exactly one unknown, treating published cells as known. A
 * hidden cell that comes out is a leak.
 */
import { classify, parseVoLevel, ruleSetNamed } from '@leerroutes/domain';
import * as E from 'fp-ts/lib/Either.js';
import { INDICATOR_DEFS, familyDef, type ReportRequest, type ReportRow } from '../src/index.js';
import { type GroupedUnit } from '../src/oracle/index.js';

export interface View {
  /** A name for messages, unique among the views attacked together. */
  readonly name: string;
  readonly request: ReportRequest;
  /** What was published. */
  readonly rows: readonly ReportRow[];
  /** The learners' units behind it (unitsOf): which group of this table each learner is in. */
  readonly units: readonly GroupedUnit[];
}

export interface Leak {
  readonly view: string;
  readonly cell: string;
  readonly value: number;
}

/** Σ left = Σ right over cell ids. */
interface Equation { readonly left: readonly string[]; readonly right: readonly string[] }

const groupKey = (group: Readonly<Record<string, string>>): string => JSON.stringify(Object.entries(group).sort(([a], [b]) => (a < b ? -1 : 1)));
const slotOf = (v: View, group: Readonly<Record<string, string>>, offset: number | null, schoolYear: string | null): string =>
  `${v.name}|${groupKey(group)}|${offset}|${schoolYear}`;

/** A row's cells, as ids and as roles within the slot: its count, its denominator (shared by the families counting the same units) and, binary, its complement. */
function idsOf(v: View, r: ReportRow, schoolYear: string | null = r.schoolYear): { count: string; den: string; complement: string | null; roles: [string, string | null][] } {
  const def = INDICATOR_DEFS[v.request.indicator];
  const fam = familyDef(def, r.family);
  const s = slotOf(v, r.group, r.offset, schoolYear);
  const from = def.denominatorOf?.(fam.name) ?? null;
  const roles: [string, string | null][] = [
    [`c|${r.family}|${r.category}`, null], [from ? `c|${from[0]}|${from[1]}` : `d|${fam.unit}`, null], [`v|${r.family}`, null],
  ];
  const ids = roles.map(([role]) => `${s}|${role}`);
  roles[0]![1] = ids[0]!;
  roles[1]![1] = ids[1]!;
  roles[2]![1] = fam.kind === 'binary' ? ids[2]! : null;
  return { count: ids[0]!, den: ids[1]!, complement: roles[2]![1], roles };
}

/** Rows by slot and family. */
function instances(v: View): Map<string, ReportRow[]> {
  const out = new Map<string, ReportRow[]>();
  for (const r of v.rows) {
    const k = `${slotOf(v, r.group, r.offset, r.schoolYear)}|${r.family}`;
    out.set(k, [...(out.get(k) ?? []), r]);
  }
  return out;
}

function within(v: View): Equation[] {
  const def = INDICATOR_DEFS[v.request.indicator];
  const out: Equation[] = [];
  for (const rows of instances(v).values()) {
    const fam = familyDef(def, rows[0]!.family);
    const ids = rows.map((r) => idsOf(v, r));
    if (fam.kind === 'exclusive') out.push({ left: [ids[0]!.den], right: ids.map((x) => x.count) });
    if (fam.kind === 'binary') out.push({ left: [ids[0]!.den], right: [...ids.map((x) => x.count), ids[0]!.complement!] });
  }
  const bySlot = new Map<string, ReportRow[]>();
  for (const r of v.rows) bySlot.set(slotOf(v, r.group, r.offset, r.schoolYear), [...(bySlot.get(slotOf(v, r.group, r.offset, r.schoolYear)) ?? []), r]);
  const id = (r: ReportRow) => idsOf(v, r).count;
  for (const rows of bySlot.values()) {
    const fam = (f: string) => rows.filter((r) => r.family === f);
    if (v.request.indicator === 'flows') {
      // A node is the sum of the edges into it and of the edges out of it.
      for (const n of rows.filter((r) => r.family.startsWith('node '))) {
        const edges = rows.filter((r) => r.from !== undefined);
        for (const end of ['from', 'to'] as const) {
          const touching = edges.filter((e) => e[end] === n.category);
          if (touching.length) out.push({ left: [id(n)], right: touching.map(id) });
        }
      }
    }
    if (v.request.indicator === 'advice-revisions') {
      // Each direction is the sum of the pairs going that way.
      const rules = ruleSetNamed(v.request.rules)!;
      const level = (code: string) => { const p = parseVoLevel(code); return E.isRight(p) ? p.right : { code, span: null }; };
      const dir = (r: ReportRow) => {
        const c = classify(rules, level(r.from!), level(r.to!));
        return c === 'opstroom' || c === 'half-opstroom' ? 'up' : c === 'afstroom' || c === 'half-afstroom' ? 'down' : c === 'gelijk' ? 'same' : 'not-comparable';
      };
      for (const d of fam('direction')) out.push({ left: [id(d)], right: fam('pair').filter((p) => dir(p) === d.category).map(id) });
    }
    if (v.request.indicator === 'time-in-vo') {
      const [a, b] = [fam('years').find((r) => r.category === 'no-vo-diploma-yet'), fam('end').find((r) => r.category === 'in-vo')];
      out.push({ left: a ? [id(a)] : [], right: b ? [id(b)] : [] });
    }
  }
  if (def.pooled) {
    // A pooled cell is the sum of its years.
    const years = new Map<string, { pooled: string[]; yearly: string[] }>();
    for (const r of v.rows) {
      const ids = idsOf(v, r);
      const p = idsOf(v, r, null);
      for (const [mine, pooled] of [[ids.count, p.count], [ids.den, p.den], [ids.complement, p.complement]] as const) {
        if (mine === null || pooled === null) continue;
        const e = years.get(pooled) ?? { pooled: [pooled], yearly: [] };
        if (r.schoolYear !== null && !e.yearly.includes(mine)) e.yearly.push(mine);
        years.set(pooled, e);
      }
    }
    for (const e of years.values()) out.push({ left: e.pooled, right: e.yearly });
  }
  return out;
}

/** Two tables of one indicator: the groups that make up one another, each category adding up alike. */
function between(a: View, b: View): Equation[] {
  // Which slot of a and which slot of b share learners: the reader knows this from the hierarchy and the boards.
  const key = (u: GroupedUnit, seen: Map<string, number>) => {
    const base = `${u.learnerId}|${u.unit.family}|${u.unit.offset}|${u.unit.schoolYear}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return `${base}|${n}`;
  };
  const seenB = new Map<string, number>();
  const slotB = new Map(b.units.map((u) => [key(u, seenB), slotOf(b, u.group, u.unit.offset, u.unit.schoolYear)]));
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const seenA = new Map<string, number>();
  a.units.forEach((u) => {
    const sb = slotB.get(key(u, seenA));
    if (sb === undefined) return;
    const [ra, rb] = [find(slotOf(a, u.group, u.unit.offset, u.unit.schoolYear)), find(sb)];
    if (ra !== rb) parent.set(ra, rb);
  });
  const sums = new Map<string, { left: Set<string>; right: Set<string> }>();
  for (const [v, side] of [[a, 'left'], [b, 'right']] as const) {
    for (const r of v.rows) {
      const s = slotOf(v, r.group, r.offset, r.schoolYear);
      if (!parent.has(s)) continue;
      const root = find(s);
      for (const [role, id] of idsOf(v, r).roles) {
        if (id === null) continue;
        const e = sums.get(`${root}|${role}`) ?? { left: new Set<string>(), right: new Set<string>() };
        e[side].add(id);
        sums.set(`${root}|${role}`, e);
      }
    }
  }
  return [...sums.values()].map((e) => ({ left: [...e.left], right: [...e.right] }));
}

/** Transitions against the distribution of the same groups: a state's transitions out of offset k and into k+1. */
function transitions(t: View, d: View): Equation[] {
  const dist = new Map(d.rows.map((r) => [`${groupKey(r.group)}|${r.offset}|${r.category}`, r]));
  const sums = new Map<string, { left: string[]; right: string[] }>();
  const add = (k: string, left: string | null, right: string) => {
    const e = sums.get(k) ?? { left: left ? [left] : [], right: [] };
    e.right.push(right);
    sums.set(k, e);
  };
  for (const r of t.rows) {
    const k = r.offset!;
    for (const [at, state] of [[k, r.from!], [k + 1, r.to!]] as const) {
      const dr = dist.get(`${groupKey(r.group)}|${at}|${state}`);
      add(`${groupKey(r.group)}|${at}|${state}|${at === k ? 'out' : 'in'}`, dr ? idsOf(d, dr).count : null, idsOf(t, r).count);
      const den = dist.get(`${groupKey(r.group)}|${at}|${state}`);
      if (den) sums.set(`den|${groupKey(r.group)}|${k}|${at}`, { left: [idsOf(d, den).den], right: [idsOf(t, r).den] });
    }
  }
  return [...sums.values()];
}

/** The true denominator of a row's slot and family, from any unsuppressed row there. */
function truthDen(truth: readonly ReportRow[], r: ReportRow, v: View): number {
  const id = idsOf(v, r).den;
  return truth.find((t) => idsOf(v, t).den === id)?.denominator ?? 0;
}

/** Published values, and the hidden cells with their true values (from the same request unsuppressed). */
function knowledge(v: View, truth: readonly ReportRow[]): { known: Map<string, number>; hidden: Map<string, number> } {
  const known = new Map<string, number>();
  const hidden = new Map<string, number>();
  const trueRow = new Map(truth.map((r) => [JSON.stringify([r.group, r.offset, r.schoolYear, r.family, r.category]), r]));
  for (const r of v.rows) {
    // A hidden row the unsuppressed report lacks is a zero cell shown hidden to protect another.
    const t = trueRow.get(JSON.stringify([r.group, r.offset, r.schoolYear, r.family, r.category]));
    const ids = idsOf(v, r);
    if (r.count === null) hidden.set(ids.count, t?.count ?? 0);
    else known.set(ids.count, r.count);
    const den = t?.denominator ?? v.rows.find((x) => idsOf(v, x).den === ids.den && x.denominator !== null)?.denominator;
    if (r.denominator === null) hidden.set(ids.den, den ?? truthDen(truth, r, v));
    else known.set(ids.den, r.denominator);
  }
  return { known, hidden };
}

/**
 * The hidden cells of the views a reader can recover by solving sums with one
 * unknown; `truth` gives each view's unsuppressed rows by name (to check that
 * what is solved is right, and to say what leaked).
 */
export function leaks(views: readonly View[], truth: ReadonlyMap<string, readonly ReportRow[]>): Leak[] {
  const equations: Equation[] = [];
  for (const v of views) equations.push(...within(v));
  for (let i = 0; i < views.length; i++) {
    for (let j = i + 1; j < views.length; j++) {
      const [a, b] = [views[i]!, views[j]!];
      if (a.request.indicator === b.request.indicator) equations.push(...between(a, b));
      if (a.request.indicator === 'transitions' && b.request.indicator === 'distribution') equations.push(...transitions(a, b));
      if (a.request.indicator === 'distribution' && b.request.indicator === 'transitions') equations.push(...transitions(b, a));
    }
  }
  const known = new Map<string, number>();
  const hidden = new Map<string, { view: string; value: number }>();
  for (const v of views) {
    const k = knowledge(v, truth.get(v.name) ?? []);
    for (const [c, n] of k.known) known.set(c, n);
    for (const [c, n] of k.hidden) hidden.set(c, { view: v.name, value: n });
  }
  const byCell = new Map<string, number[]>();
  equations.forEach((e, i) => { for (const c of [...e.left, ...e.right]) byCell.set(c, [...(byCell.get(c) ?? []), i]); });
  const queue = equations.map((_, i) => i);
  const out: Leak[] = [];
  while (queue.length) {
    const e = equations[queue.pop()!]!;
    const unknown = [...new Set([...e.left, ...e.right].filter((c) => !known.has(c)))];
    if (unknown.length !== 1) continue;
    const c = unknown[0]!;
    const sum = (side: readonly string[]) => side.reduce((n, x) => n + (known.get(x) ?? 0), 0);
    const value = e.left.includes(c) ? sum(e.right) - sum(e.left) : sum(e.left) - sum(e.right);
    known.set(c, value);
    const h = hidden.get(c);
    if (h) {
      if (h.value !== value) throw new Error(`solved ${c} as ${value}, but it is ${h.value}: an equation is wrong`);
      out.push({ view: h.view, cell: c, value });
    }
    queue.push(...(byCell.get(c) ?? []));
  }
  return out;
}
