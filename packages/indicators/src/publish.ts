/**
 * The publishing step every path shares (the fold-based oracle and the
 * statistics projection's SQL): a count table (table.ts) in, long-format rows
 * out, with categories, percentages and small-cell suppression (SPEC 9,
 * README "Suppression").
 *
 * Suppression settles a lattice of tables. The requested table's coarser
 * tables - each breakdown dropped, `area:N` as `area:N-1` (plain `area` as
 * every `area:k`), `vo_school` as `board`, `school_group` and
 * `school_weight_group`, and for transitions the distribution - are settled
 * first, recursively, and their hidden cells are taken as given; then the
 * table hides enough of its own cells that no relation with a hidden coarser
 * cell, or with exactly one hidden member, gives a hidden cell away. Every
 * coarser table is the sum of the requested table's instances (their lineage
 * says where each belongs), and a table's pattern depends only on its own
 * content and on its coarser tables: asked for directly or reached from a
 * finer one, a cell comes out hidden or shown alike.
 */
import { effectiveMinCell, ruleSetNamed, type RuleSet } from '@leerroutes/domain';
import { SCHOOL_DERIVED, type Indicator, type ReportRequest, type ReportRow, type Spread } from './contract.js';
import { suppress, type Cell } from './suppress.js';
import type { CountInstance, CountTable } from './table.js';
import { INDICATOR_DEFS, edgeEnds, familyDef, type FamilyDef, type IndicatorDef } from './units.js';

export interface PublishContext {
  /**
   * The count table of a related request that is not a sum of this one's
   * instances (relatedRequests names them: the distribution of a
   * transitions request). Asked only when suppressing.
   */
  readonly related: (request: ReportRequest) => Promise<CountTable>;
}

/** The related requests publish will ask the context for, so a caller can count them in the same pass. */
export function relatedRequests(request: ReportRequest): ReportRequest[] {
  if (request.unsuppressed === true) return [];
  return request.indicator === 'transitions' ? [{ ...request, indicator: 'distribution' }] : [];
}

export async function publish(request: ReportRequest, table: CountTable, context: PublishContext): Promise<ReportRow[]> {
  const lattice = await settleLattice(request, table, context);
  return lattice.requested.rows(request.by);
}

/** A table of the lattice, settled: its rows for any order of its dimensions. */
export interface SettledTable {
  readonly indicator: Indicator;
  /** Its breakdown dimensions, sorted. */
  readonly dims: readonly string[];
  /** Relations its suppression could not protect (0 unless coarser tables leave a cell no way out). */
  readonly unresolved: number;
  rows(by: readonly string[]): ReportRow[];
}

export interface Lattice {
  readonly requested: SettledTable;
  /** Every table settled for the request, the requested one included, by `indicator|dims`. */
  readonly tables: ReadonlyMap<string, SettledTable>;
}

export const tableKey = (indicator: Indicator, dims: readonly string[]): string => `${indicator}|${[...dims].sort().join(',')}`;

/** Settle the requested table and every coarser table it depends on (tests inspect the lattice; publish shows one table). */
export async function settleLattice(request: ReportRequest, table: CountTable, context: PublishContext): Promise<Lattice> {
  const rules = ruleSetNamed(request.rules);
  if (!rules) throw new Error(`unknown rule set '${request.rules}'`);
  const minCell = effectiveMinCell(request.minCell);
  const unsuppressed = request.unsuppressed === true;
  const atoms = new Map<Indicator, Atom[]>([[request.indicator, atomsOf(request.indicator, table)]]);
  for (const r of relatedRequests(request)) atoms.set(r.indicator, atomsOf(r.indicator, await context.related(r)));
  const builder = new LatticeBuilder(request.by, atoms, rules, minCell, unsuppressed);
  const requested = builder.settle(request.indicator, request.by);
  return { requested, tables: builder.settled };
}

// ---------------------------------------------------------------- atoms

/** A count instance of the requested table, with instances of one slot added up. */
type Atom = CountInstance;

function atomsOf(indicator: Indicator, table: CountTable): Atom[] {
  const merged = new Map<string, { inst: CountInstance; counts: Map<string, number>; edges: Map<string, { from: string; to: string }>; denominator: number }>();
  const add = (i: CountInstance, schoolYear: string | null) => {
    const key = JSON.stringify([Object.entries(i.group), Object.entries(i.lineage), i.offset, schoolYear, i.family]);
    let m = merged.get(key);
    if (!m) merged.set(key, (m = { inst: { ...i, schoolYear }, counts: new Map(), edges: new Map(), denominator: 0 }));
    m.denominator += i.denominator;
    for (const [c, n] of i.counts) m.counts.set(c, (m.counts.get(c) ?? 0) + n);
    for (const [c, e] of i.edges ?? []) m.edges.set(c, e);
  };
  const pooled = INDICATOR_DEFS[indicator].pooled === true;
  for (const i of table) {
    add(i, i.schoolYear);
    // Pooled rows are the sum of the years: one more instance per yearly one.
    if (pooled && i.schoolYear !== null) add(i, null);
  }
  return [...merged.values()].map(({ inst, counts, edges, denominator }) => ({ ...inst, denominator, counts, edges }));
}

/**
 * The value of a dimension of a coarser table for an atom of the requested
 * (finest) table: directly, from the school's lineage, or from the area chain.
 */
function projector(finest: readonly string[], dim: string): (a: Atom) => string {
  if (finest.includes(dim)) return (a) => a.group[dim] ?? 'unknown';
  if ((SCHOOL_DERIVED as readonly string[]).includes(dim) && finest.includes('vo_school')) return (a) => a.lineage[dim] ?? 'unknown';
  const depth = /^area:(\d+)$/.exec(dim);
  const source = finest.find((d) => d.split(':')[0] === 'area');
  if (depth && source !== undefined) {
    const k = Number(depth[1]);
    if (source !== 'area') return (a) => a.lineage[dim] ?? 'unknown';
    // Plain area: the own area lies at the depth of its number of ancestors.
    return (a) => {
      const own = a.group['area'] ?? 'unknown';
      if (own === 'unknown') return own;
      const d = areaDepth(a);
      return k < d ? a.lineage[dim] ?? 'unknown' : k === d ? own : 'unknown';
    };
  }
  throw new Error(`cannot derive ${dim} from a table by ${finest.join(', ') || 'nothing'}`);
}

const areaDepth = (a: Atom): number => Object.keys(a.lineage).filter((k) => k.startsWith('area:')).length;

/** The coarser tables of a table by `dims`, as dimension lists. */
function coarser(dims: readonly string[], maxAreaDepth: number): string[][] {
  const out: string[][] = [];
  const without = (d: string) => dims.filter((x) => x !== d);
  const replaced = (d: string, by: string) => (dims.includes(by) ? without(d) : [...without(d), by]);
  for (const d of dims) out.push(without(d));
  for (const d of dims) {
    const depth = /^area:(\d+)$/.exec(d);
    if (depth && Number(depth[1]) > 0) out.push(replaced(d, `area:${Number(depth[1]) - 1}`));
    if (d === 'area') for (let k = 0; k <= maxAreaDepth; k++) out.push(replaced(d, `area:${k}`));
    if (d === 'vo_school') for (const s of SCHOOL_DERIVED) out.push(replaced(d, s));
  }
  const seen = new Set<string>([[...dims].sort().join(',')]);
  return out.filter((c) => {
    const k = [...c].sort().join(',');
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

// ---------------------------------------------------------------- tables

interface Inst {
  readonly key: string;
  readonly g: readonly string[];
  readonly offset: number | null;
  readonly schoolYear: string | null;
  readonly family: FamilyDef;
  denominator: number;
  readonly counts: Map<string, number>;
  readonly edges: Map<string, { from: string; to: string }>;
  /** The cells of its categories, in publishing order. */
  cats: [string, PCell][];
  den: PCell;
  complement: PCell | null;
}

/** A cell of a table: where it is (slot: group values, offset, school year) and what it is (role). */
type PCell = Cell & { readonly key: string; readonly slot: string; readonly role: string };
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const slotKey = (g: readonly string[], offset: number | null, schoolYear: string | null): string => JSON.stringify([g, offset, schoolYear]);
const countRole = (family: string, category: string): string => `c|${family}|${category}`;
const countKey = (slot: string, family: string, category: string): string => `${slot}|${countRole(family, category)}`;
/** Natural order (`3` before `10`); one collator, as localeCompare with options builds one per call. */
const natural = new Intl.Collator('en', { numeric: true }).compare;

class Table implements SettledTable {
  readonly cells = new Map<string, PCell>();
  readonly instances = new Map<string, Inst>();
  readonly relations: PCell[][] = [];
  /** Cells published whatever their state; the others (zero cells completing an open list) only when hidden. */
  readonly published = new Set<PCell>();
  unresolved = 0;
  /** Atom -> its instance's slot and group (cross relations reuse them). */
  readonly groupOfAtom: (a: Atom) => string[];

  constructor(
    readonly indicator: Indicator,
    readonly dims: readonly string[],
    readonly def: IndicatorDef,
    atoms: readonly Atom[],
    finest: readonly string[],
    rules: RuleSet,
  ) {
    const project = [...dims.map((d) => projector(finest, d)), ...def.fixedKeys.map((k) => (a: Atom) => a.group[k] ?? 'unknown')];
    this.groupOfAtom = (a) => project.map((f) => f(a));
    for (const a of atoms) {
      const g = this.groupOfAtom(a);
      const key = `${slotKey(g, a.offset, a.schoolYear)}|${a.family}`;
      let inst = this.instances.get(key);
      if (!inst) {
        inst = {
          key, g, offset: a.offset, schoolYear: a.schoolYear, family: familyDef(def, a.family), denominator: 0,
          counts: new Map(), edges: new Map(), cats: [], den: null as unknown as PCell, complement: null,
        };
        this.instances.set(key, inst);
      }
      inst.denominator += a.denominator;
      for (const [c, n] of a.counts) inst.counts.set(c, (inst.counts.get(c) ?? 0) + n);
      for (const [c, e] of a.edges ?? []) inst.edges.set(c, e);
    }
    this.makeCells(rules);
  }

  private cell(slot: string, role: string, count: number, options: { virtual?: boolean; isDenominator?: boolean; stratum: number }): PCell {
    const key = `${slot}|${role}`;
    const held = this.cells.get(key) as Mutable<PCell> | undefined;
    if (held) {
      if (held.count !== count) throw new Error(`${this.indicator}: cell ${key} counted as both ${held.count} and ${count} (families sharing a denominator disagree)`);
      held.stratum = Math.min(held.stratum, options.stratum);
      return held;
    }
    const made: PCell = { key, slot, role, count, virtual: options.virtual ?? false, isDenominator: options.isDenominator ?? false, stratum: options.stratum, order: 0, hidden: false, primary: false };
    this.cells.set(key, made);
    return made;
  }

  private stratumOf(inst: Inst): number {
    // Pooled rows are settled before the years they add up.
    if (this.def.pooled) return inst.schoolYear === null ? 0 : 1;
    return inst.family.stratum ?? 0;
  }

  /**
   * The categories of an instance: its fixed list and what it observed, and,
   * as zero cells a reader cannot tell from absent ones unless they are shown
   * hidden, the categories of an open list observed in another group of the
   * same offset or year and the edges between the ends this instance has.
   * Without them a category only one group has, or the one edge into a
   * state, would be known from a coarser table and could protect nothing.
   */
  private categoriesOf(inst: Inst, observedInSlice: ReadonlySet<string>): { category: string; optional: boolean }[] {
    const fixed = inst.family.fixed;
    const observed = new Set([...inst.counts].filter(([c, n]) => n > 0 && !fixed.includes(c)).map(([c]) => c));
    const completion = new Set([...observedInSlice].filter((c) => !observed.has(c) && !fixed.includes(c)));
    if (inst.family.edges) {
      const ends = [...observed].map((c) => inst.edges.get(c) ?? edgeEnds(c)).filter((e): e is { from: string; to: string } => e !== null);
      for (const from of new Set(ends.map((e) => e.from))) {
        for (const to of new Set(ends.map((e) => e.to))) {
          const c = `${from} -> ${to}`;
          if (!observed.has(c) && (this.def.possibleEdge?.(from, to) ?? true)) {
            completion.add(c);
            inst.edges.set(c, { from, to });
          }
        }
      }
    }
    return [
      ...fixed.map((category) => ({ category, optional: false })),
      ...[...observed].sort(natural).map((category) => ({ category, optional: false })),
      ...[...completion].sort(natural).map((category) => ({ category, optional: true })),
    ];
  }

  private makeCells(rules: RuleSet): void {
    const ordered = [...this.instances.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const observedInSlice = new Map<string, Set<string>>();
    const sliceOf = (inst: Inst) => JSON.stringify([inst.offset, inst.schoolYear, inst.family.name]);
    for (const inst of ordered) {
      const set = observedInSlice.get(sliceOf(inst)) ?? new Set<string>();
      for (const [c, n] of inst.counts) if (n > 0) set.add(c);
      observedInSlice.set(sliceOf(inst), set);
    }
    for (const inst of ordered) {
      const slot = slotKey(inst.g, inst.offset, inst.schoolYear);
      const stratum = this.stratumOf(inst);
      inst.cats = this.categoriesOf(inst, observedInSlice.get(sliceOf(inst))!).map(({ category, optional }) => {
        const cell = this.cell(slot, countRole(inst.family.name, category), inst.counts.get(category) ?? 0, { stratum });
        if (!optional) this.published.add(cell);
        return [category, cell];
      });
    }
    for (const inst of ordered) {
      const slot = slotKey(inst.g, inst.offset, inst.schoolYear);
      const stratum = this.stratumOf(inst);
      const from = this.def.denominatorOf?.(inst.family.name) ?? null;
      if (from) {
        const key = countKey(slot, from[0], from[1]);
        const den = this.cells.get(key);
        if (!den || den.count !== inst.denominator) throw new Error(`${this.indicator}: ${inst.family.name} counts ${inst.denominator} units but ${from[0]} ${from[1]} has ${den?.count ?? 'none'}`);
        inst.den = den;
      } else {
        inst.den = this.cell(slot, `d|${inst.family.unit}`, inst.denominator, { isDenominator: true, stratum });
      }
      const counted = inst.cats.reduce((n, [, c]) => n + c.count, 0);
      if (inst.family.kind === 'binary') inst.complement = this.cell(slot, `v|${inst.family.name}`, inst.denominator - counted, { virtual: true, stratum });
      if (inst.family.kind === 'exclusive' && counted !== inst.denominator) {
        throw new Error(`${this.indicator}: the categories of ${inst.family.name} add up to ${counted}, not to its ${inst.denominator} units`);
      }
    }
    [...this.cells.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).forEach((c, i) => { (c as Mutable<PCell>).order = i; });
    this.withinRelations(ordered, rules);
  }

  private withinRelations(ordered: readonly Inst[], rules: RuleSet): void {
    const bySlot = new Map<string, Inst[]>();
    for (const inst of ordered) {
      if (inst.family.kind === 'exclusive') this.relations.push([inst.den, ...inst.cats.map(([, c]) => c)]);
      if (inst.family.kind === 'binary') this.relations.push([inst.den, ...inst.cats.map(([, c]) => c), inst.complement!]);
      const slot = slotKey(inst.g, inst.offset, inst.schoolYear);
      bySlot.set(slot, [...(bySlot.get(slot) ?? []), inst]);
    }
    if (this.def.links) {
      for (const [slot, insts] of bySlot) {
        const present = new Map(insts.map((i) => [i.family.name, i.cats.map(([c]) => c)]));
        for (const link of this.def.links(present, rules)) {
          // A member that is not there is zero; a link left with one member pins it (suppress.ts).
          const members = link.map(([f, c]) => this.cells.get(countKey(slot, f, c))).filter((c): c is PCell => c !== undefined);
          if (members.length >= 1) this.relations.push(members);
        }
      }
    }
    if (this.def.pooled) {
      // A pooled cell is the sum of the same cell over the years.
      const years = new Map<string, PCell[]>();
      for (const inst of ordered) {
        if (inst.schoolYear === null) continue;
        const pooled = slotKey(inst.g, inst.offset, null);
        for (const c of [inst.den, ...(inst.complement ? [inst.complement] : []), ...inst.cats.map(([, x]) => x)]) {
          const key = `${pooled}|${c.role}`;
          const list = years.get(key);
          if (!list) years.set(key, [c]);
          else if (!list.includes(c)) list.push(c);
        }
      }
      for (const [key, yearly] of years) {
        const pooled = this.cells.get(key);
        if (pooled) this.relations.push([pooled, ...yearly]);
      }
    }
  }

  /** The instance an atom adds to. */
  instanceOfAtom(a: Atom): Inst {
    return this.instances.get(`${slotKey(this.groupOfAtom(a), a.offset, a.schoolYear)}|${a.family}`)!;
  }

  rows(by: readonly string[]): ReportRow[] {
    const canonical = [...this.dims];
    const at = by.map((d) => canonical.indexOf(d));
    if (at.some((i) => i < 0) || by.length !== canonical.length) throw new Error(`rows by ${by.join(', ')} of a table by ${canonical.join(', ')}`);
    const names = [...by, ...this.def.fixedKeys];
    const familyOrder = (f: FamilyDef) => {
      const i = this.def.families.findIndex((x) => x.name === f.name);
      return i < 0 ? this.def.families.length : i;
    };
    const insts = [...this.instances.values()].map((inst) => ({ inst, values: [...at.map((i) => inst.g[i]!), ...inst.g.slice(canonical.length)] }));
    insts.sort((a, b) => {
      for (let i = 0; i < a.values.length; i++) {
        const c = natural(a.values[i]!, b.values[i]!);
        if (c) return c;
      }
      return (a.inst.offset ?? -1e9) - (b.inst.offset ?? -1e9)
        || natural(a.inst.schoolYear ?? '~', b.inst.schoolYear ?? '~')
        || familyOrder(a.inst.family) - familyOrder(b.inst.family) || natural(a.inst.family.name, b.inst.family.name);
    });
    const rows: ReportRow[] = [];
    for (const { inst, values } of insts) {
      const group = Object.fromEntries(names.map((n, i) => [n, values[i]!]));
      for (const [category, cell] of inst.cats) {
        if (!cell.hidden && !this.published.has(cell)) continue;
        const edge = inst.family.edges ? inst.edges.get(category) ?? edgeEnds(category) : null;
        const den = inst.den;
        const percentShown = !cell.hidden && !den.hidden && den.count > 0 && (this.minCellFor === null || den.count > this.minCellFor);
        rows.push({
          group,
          offset: inst.offset,
          schoolYear: inst.schoolYear,
          ...(edge ? { from: edge.from, to: edge.to } : {}),
          family: inst.family.name,
          category,
          count: cell.hidden ? null : cell.count,
          denominator: den.hidden ? null : den.count,
          percent: percentShown ? Math.round((cell.count / den.count) * 1000) / 10 : null,
          suppressed: cell.hidden,
          suppression: cell.hidden ? (cell.primary ? 'primary' : 'complementary') : null,
        });
      }
    }
    if (this.def.pooled) addSpreads(rows);
    return rows;
  }

  /** The threshold a percentage's denominator must exceed; null when unsuppressed (any denominator above 0). */
  minCellFor: number | null = null;
}

/** school-profile: each pooled row carries the spread of its published yearly percentages. */
function addSpreads(rows: ReportRow[]): void {
  const yearly = new Map<string, number[]>();
  const keyOf = (r: ReportRow) => JSON.stringify([r.group, r.offset, r.family, r.category]);
  for (const r of rows) {
    if (r.schoolYear === null || r.percent === null) continue;
    yearly.set(keyOf(r), [...(yearly.get(keyOf(r)) ?? []), r.percent]);
  }
  rows.forEach((r, i) => {
    if (r.schoolYear !== null) return;
    rows[i] = { ...r, spread: spreadOf(yearly.get(keyOf(r)) ?? []) };
  });
}

const one = (x: number): number => Math.round(x * 10) / 10;

export function spreadOf(percents: readonly number[]): Spread {
  if (percents.length === 0) return { years: 0, min: null, max: null, sd: null };
  const mean = percents.reduce((a, b) => a + b, 0) / percents.length;
  const variance = percents.reduce((a, b) => a + (b - mean) ** 2, 0) / percents.length;
  return { years: percents.length, min: Math.min(...percents), max: Math.max(...percents), sd: one(Math.sqrt(variance)) };
}

// ---------------------------------------------------------------- the lattice

class LatticeBuilder {
  readonly settled = new Map<string, Table>();
  private readonly maxAreaDepth = new Map<Indicator, number>();

  constructor(
    private readonly finest: readonly string[],
    private readonly atoms: ReadonlyMap<Indicator, readonly Atom[]>,
    private readonly rules: RuleSet,
    private readonly minCell: number,
    private readonly unsuppressed: boolean,
  ) {
    // Per indicator, as a direct request of the related table would see it.
    for (const [indicator, list] of atoms) {
      let depth = 0;
      if (finest.includes('area')) for (const a of list) if ((a.group['area'] ?? 'unknown') !== 'unknown') depth = Math.max(depth, areaDepth(a));
      this.maxAreaDepth.set(indicator, depth);
    }
  }

  settle(indicator: Indicator, dims: readonly string[]): Table {
    const key = tableKey(indicator, dims);
    const held = this.settled.get(key);
    if (held) return held;
    const sorted = [...dims].sort();
    const def = INDICATOR_DEFS[indicator];
    const atoms = this.atoms.get(indicator) ?? [];
    const table = new Table(indicator, sorted, def, atoms, this.finest, this.rules);
    if (this.unsuppressed) {
      this.settled.set(key, table);
      return table;
    }
    table.minCellFor = this.minCell;
    const parents = coarser(sorted, this.maxAreaDepth.get(indicator) ?? 0).map((d) => this.settle(indicator, d));
    const relations: PCell[][] = [...table.relations];
    const free: PCell[] = [...table.cells.values()];
    const knownSums = new Set<PCell>();
    for (const parent of parents) {
      const cross = crossRelations(table, parent, atoms);
      relations.push(...cross.relations);
      free.push(...cross.parts);
      for (const c of cross.sumsOfHidden) knownSums.add(c);
    }
    if (indicator === 'transitions') relations.push(...distributionRelations(table, this.settle('distribution', sorted)));
    suppress(free, canonicalOrder(relations), this.minCell);
    // A relation left with one hidden member gives that member away. When that member is a split cell (area:N
    // learners of unknown area, whose parents differ) made only of parts of hidden coarser cells, what comes out
    // is a sum of several hidden learners' groups, never one of them: the parts stay protected by their own relations.
    table.unresolved = relations.filter((r) => {
      if (r.length < 2) return false;
      const hidden = r.filter((c) => c.hidden);
      return hidden.length === 1 && !knownSums.has(hidden[0]!);
    }).length;
    this.settled.set(key, table);
    return table;
  }
}

/**
 * Relations between a table and a coarser one. Atoms say which fine cell adds
 * to which coarse cell. A fine cell that adds to one coarse cell only is a
 * whole part of it; one that adds to several (`area:N` learners of unknown
 * area, some of whom have an area at depth N-1) is split into unpublished
 * parts, one per coarse cell, counted like any small cell: the difference
 * between a parent area and its children (the learners living in the parent
 * itself) is protected as a cell of its own.
 */
function crossRelations(fine: Table, coarse: Table, atoms: readonly Atom[]): { relations: PCell[][]; parts: PCell[]; sumsOfHidden: PCell[] } {
  // Atoms of one fine and one coarse instance link the same cells: line them up once per pair.
  const pairs = new Map<Inst, Map<Inst, Atom[]>>();
  for (const a of atoms) {
    const f = fine.instanceOfAtom(a);
    const c = coarse.instanceOfAtom(a);
    const byCoarse = pairs.get(f) ?? new Map<Inst, Atom[]>();
    byCoarse.set(c, [...(byCoarse.get(c) ?? []), a]);
    pairs.set(f, byCoarse);
  }
  const links = new Map<PCell, Map<PCell, number>>();
  for (const [f, byCoarse] of pairs) {
    for (const [c, list] of byCoarse) {
      // Cells of both tables line up by role: denominator, complement, then each category.
      const coarseByRole = new Map(cellsOf(c).map((x) => [x.role, x]));
      for (const cell of cellsOf(f)) {
        const other = coarseByRole.get(cell.role);
        if (!other) continue;
        const to = links.get(cell) ?? new Map<PCell, number>();
        to.set(other, (to.get(other) ?? 0) + list.reduce((n, a) => n + contribution(a, cell.role), 0));
        links.set(cell, to);
      }
    }
  }
  const members = new Map<PCell, PCell[]>();
  const relations: PCell[][] = [];
  const parts: PCell[] = [];
  const sumsOfHidden: PCell[] = [];
  for (const [cell, to] of links) {
    if (to.size === 1) {
      const [c] = [...to.keys()];
      members.set(c!, [...(members.get(c!) ?? []), cell]);
      continue;
    }
    const split: PCell[] = [];
    for (const [c, count] of to) {
      const part: PCell = {
        key: `${cell.key}\n${c.key}`, slot: cell.slot, role: `part|${cell.role}`, count, virtual: true, isDenominator: cell.isDenominator,
        stratum: cell.stratum, order: 0, hidden: false, primary: false,
      };
      split.push(part);
      members.set(c, [...(members.get(c) ?? []), part]);
    }
    parts.push(...split);
    relations.push([cell, ...split]);
    if ([...to.keys()].every((c) => c.hidden)) sumsOfHidden.push(cell);
  }
  for (const [c, list] of members) relations.push([c, ...list]);
  // Parts come after the table's own cells in its canonical order.
  parts.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).forEach((p, i) => { (p as Mutable<PCell>).order = fine.cells.size + i; });
  return { relations, parts, sumsOfHidden };
}

/** The cells an instance's atoms add to (some with nothing): its denominator, complement and categories. */
const cellsOf = (inst: Inst): PCell[] => [inst.den, ...(inst.complement ? [inst.complement] : []), ...inst.cats.map(([, c]) => c)];

/** What one atom adds to a cell of the given role. */
function contribution(a: Atom, role: string): number {
  if (role.startsWith('d|')) return a.denominator;
  if (role.startsWith('v|')) return a.denominator - [...a.counts.values()].reduce((n, x) => n + x, 0);
  const own = `c|${a.family}|`;
  // A count cell of another family is this family's denominator (a success's attempts).
  return role.startsWith(own) ? a.counts.get(role.slice(own.length)) ?? 0 : a.denominator;
}

/**
 * Transitions against the distribution: a state's outgoing transitions add up
 * to its count at offset k, its incoming ones to its count at k+1, and the
 * denominators are the same cohort.
 */
function distributionRelations(transitions: Table, distribution: Table): PCell[][] {
  const out: PCell[][] = [];
  const ends = new Map<string, PCell[]>();
  const state = (g: readonly string[], offset: number | null, s: string) => distribution.cells.get(countKey(slotKey(g, offset, null), 'state', s));
  const denOf = (g: readonly string[], offset: number | null) => distribution.cells.get(`${slotKey(g, offset, null)}|d|learner`);
  for (const inst of transitions.instances.values()) {
    const k = inst.offset ?? 0;
    for (const d of [denOf(inst.g, k), denOf(inst.g, k + 1)]) if (d) out.push([inst.den, d]);
    for (const [category, cell] of inst.cats) {
      const e = inst.edges.get(category) ?? edgeEnds(category);
      if (!e) continue;
      for (const [key, s, at] of [[`o|${k}`, e.from, k], [`i|${k + 1}`, e.to, k + 1]] as const) {
        const id = JSON.stringify([inst.g, key, s]);
        if (!ends.has(id)) ends.set(id, [...(state(inst.g, at, s) ? [state(inst.g, at, s)!] : [])]);
        ends.get(id)!.push(cell);
      }
    }
  }
  for (const rel of ends.values()) if (rel.length >= 2) out.push(rel);
  return out;
}

/**
 * Relations in an order fixed by their members' keys: the greedy choice of
 * complementary cells follows this order, so the same table gets the same
 * pattern however it was reached.
 */
function canonicalOrder(relations: PCell[][]): PCell[][] {
  const keyed = relations.map((r) => ({ r, k: r.map((c) => c.key).sort().join('\n') }));
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  return keyed.map((x) => x.r);
}
