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
 *
 * How it is computed (the rows are what they were when cells, slots and
 * relations were keyed by JSON text; the orders below are proved equal to
 * those of the text keys):
 * - strings that identify things (group values, families, roles) are
 *   interned once per lattice, and slots and instances are found through
 *   keys made of those numbers;
 * - a cell's key was `<slot as JSON>|<role>`. A slot's JSON is a complete
 *   array, so no slot's text is a prefix of another's: keys sort by slot
 *   text, then role text. Slots and roles are far fewer than cells, so only
 *   they are sorted as text; cells are ordered by the two ranks;
 * - natural order (Intl.Collator, about a microsecond a comparison) is read
 *   from ranks: the distinct strings sorted once (NaturalOrder);
 * - relations are put in canonical order by numbers standing for their
 *   members' keys (canonicalOrder says why that is the order of the joined
 *   key text).
 */
import { effectiveMinCell, ruleSetNamed, type RuleSet } from '@leerroutes/domain';
import { SCHOOL_DERIVED, type Indicator, type ReportRequest, type ReportRow, type Spread } from './contract.js';
import { isSmall, suppressIndexed } from './suppress.js';
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
  return (await publishChecked(request, table, context)).rows;
}

/** The rows, and how many of their hidden cells a reader can still work out (0 when unsuppressed: nothing is hidden). */
export async function publishChecked(request: ReportRequest, table: CountTable, context: PublishContext): Promise<{ rows: ReportRow[]; unprotected: number }> {
  const lattice = await settleLattice(request, table, context);
  return { rows: lattice.requested.rows(request.by), unprotected: lattice.requested.unresolved };
}

/** A table of the lattice, settled: its rows for any order of its dimensions. */
export interface SettledTable {
  readonly indicator: Indicator;
  /** Its breakdown dimensions, sorted. */
  readonly dims: readonly string[];
  /** Small hidden cells (1 .. minCell-1) a reader can still work out from it and its coarser tables (0 unless they leave one no way out). */
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

// ---------------------------------------------------------------- orders

/** Natural order (`3` before `10`); one collator, as localeCompare with options builds one per call. */
const natural = new Intl.Collator('en', { numeric: true }).compare;

/**
 * Natural order as ranks: strings are added, then ranked in one go (sorted
 * with the collator, merged with those ranked before). Strings the collator
 * holds equal (`01` and `1`) share a rank, so a stable sort by rank puts
 * things in the order a stable sort by the collator does.
 */
class NaturalOrder {
  private readonly rank = new Map<string, number>();
  /** Ranked strings, as classes the collator holds equal, in order. */
  private classes: string[][] = [];
  private pending: string[] = [];

  add(s: string): void {
    if (this.rank.has(s)) return;
    this.rank.set(s, -1);
    this.pending.push(s);
  }

  /** The rank of an added string (after flush). */
  of(s: string): number {
    return this.rank.get(s)!;
  }

  /**
   * Ids of strings in natural order of the strings, stably (equal ranks keep
   * their order), given each id's rank: rank and position packed in one
   * number, sorted natively.
   */
  static sorted(ids: readonly number[], rank: readonly number[]): readonly number[] {
    const n = ids.length;
    if (n < 2) return ids;
    if (n >= 2 ** 21) return ids.map((id, i) => ({ id, i })).sort((a, b) => rank[a.id]! - rank[b.id]! || a.i - b.i).map((x) => x.id);
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = rank[ids[i]!]! * 2 ** 21 + i;
    keys.sort();
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = ids[keys[i]! % 2 ** 21]!;
    return out;
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const fresh: string[][] = [];
    for (const s of this.pending.sort(natural)) {
      const last = fresh[fresh.length - 1];
      if (last && natural(last[0]!, s) === 0) last.push(s);
      else fresh.push([s]);
    }
    this.pending = [];
    const merged: string[][] = [];
    let i = 0;
    let j = 0;
    while (i < this.classes.length || j < fresh.length) {
      const c = i < this.classes.length && j < fresh.length ? natural(this.classes[i]![0]!, fresh[j]![0]!) : i < this.classes.length ? -1 : 1;
      if (c < 0) merged.push(this.classes[i++]!);
      else if (c > 0) merged.push(fresh[j++]!);
      else merged.push([...this.classes[i++]!, ...fresh[j++]!]);
    }
    this.classes = merged;
    merged.forEach((strings, r) => { for (const s of strings) this.rank.set(s, r); });
  }

}

/** Strings as small numbers (ids in order of first sight). */
class Interner {
  private readonly ids = new Map<string, number>();
  readonly strings: string[] = [];

  id(s: string): number {
    let i = this.ids.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.ids.set(s, i);
      this.strings.push(s);
    }
    return i;
  }
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Whether a short list holds an id. Helpers of per-instance loops live out
 * here rather than as closures in them: tsx (keepNames) names every closure
 * it makes with a defineProperty call, which cost about a tenth of
 * publishing a school-profile table.
 */
const holds = (ids: readonly number[], id: number): boolean => {
  for (const x of ids) if (x === id) return true;
  return false;
};

/** A character that sorts at or before the `\n` joining keys: a key holding one voids canonicalOrder's argument. */
const AT_OR_BEFORE_NEWLINE = /[\u0000-\n]/;

/**
 * Roles (`d|<unit>`, `v|<family>`, `c|<family>|<category>`) of the whole
 * lattice, interned, with their rank in text order (recomputed when roles
 * were added since).
 */
class Roles {
  private readonly interner = new Interner();
  private readonly counts = new Map<string, Map<string, number>>();
  private ranks = new Int32Array(0);
  /** Some role holds a character at or before `\n` (canonicalOrder then compares key text). */
  unusual = false;

  id(role: string): number {
    const before = this.interner.strings.length;
    const id = this.interner.id(role);
    if (id === before && AT_OR_BEFORE_NEWLINE.test(role)) this.unusual = true;
    return id;
  }

  private readonly countsById = new Map<number, number[]>();

  /** count() by family and category ids (the lattice's), kept in an array per family. */
  countById(familyId: number, categoryId: number, family: string, category: string): number {
    let byCategory = this.countsById.get(familyId);
    if (!byCategory) this.countsById.set(familyId, (byCategory = []));
    let id = byCategory[categoryId];
    if (id === undefined) byCategory[categoryId] = id = this.count(family, category);
    return id;
  }

  /** The role of a count cell: `c|<family>|<category>`. */
  count(family: string, category: string): number {
    let byCategory = this.counts.get(family);
    if (!byCategory) this.counts.set(family, (byCategory = new Map()));
    let id = byCategory.get(category);
    if (id === undefined) byCategory.set(category, (id = this.id(`c|${family}|${category}`)));
    return id;
  }

  text(id: number): string {
    return this.interner.strings[id]!;
  }

  get size(): number {
    return this.interner.strings.length;
  }

  /** Rank of each role id in text order. */
  rankOf(): Int32Array {
    const strings = this.interner.strings;
    if (this.ranks.length !== strings.length) {
      const ids = strings.map((_, i) => i).sort((a, b) => byText(strings[a]!, strings[b]!));
      this.ranks = new Int32Array(strings.length);
      ids.forEach((id, r) => { this.ranks[id] = r; });
    }
    return this.ranks;
  }
}

// ---------------------------------------------------------------- atoms

/** A count instance of the requested table, with instances of one slot added up. */
type Atom = CountInstance;

function atomsOf(indicator: Indicator, table: CountTable): Atom[] {
  // A slot's atom keeps its first instance's maps until a second instance adds to it (the caller's are never changed).
  interface Merged { first: CountInstance; schoolYear: string | null; counts: ReadonlyMap<string, number>; edges: ReadonlyMap<string, { from: string; to: string }>; denominator: number; own: boolean }
  const merged = new Map<number | string, Merged>();
  const noEdges: ReadonlyMap<string, { from: string; to: string }> = new Map();
  const tails = new Map<number | null, Map<string | null, string>>();
  // The key as a number where it can be: the ids of its two parts (slotKeyOf's tail and body, each text one-to-one
  // with its id), so that a yearly instance and its pooled one hash their long text once.
  const bodyIds = new Map<string, number>();
  const tailIds = new Map<string, number>();
  const add = (i: CountInstance, schoolYear: string | null, body: number | null) => {
    let key: number | string;
    if (body === null) key = slotKeyOf(i, schoolYear, tails);
    else {
      const tail = tailOf(i.offset, schoolYear, tails);
      let t = tailIds.get(tail);
      if (t === undefined) tailIds.set(tail, (t = tailIds.size));
      key = t < 2 ** 21 ? body * 2 ** 21 + t : `${tail}${body}`;
    }
    const m = merged.get(key);
    if (!m) {
      merged.set(key, { first: i, schoolYear, counts: i.counts, edges: i.edges ?? noEdges, denominator: i.denominator, own: false });
      return;
    }
    if (!m.own) {
      m.counts = new Map(m.counts);
      m.edges = new Map(m.edges);
      m.own = true;
    }
    const counts = m.counts as Map<string, number>;
    const edges = m.edges as Map<string, { from: string; to: string }>;
    m.denominator += i.denominator;
    for (const [c, n] of i.counts) counts.set(c, (counts.get(c) ?? 0) + n);
    for (const [c, e] of i.edges ?? []) edges.set(c, e);
  };
  const pooled = INDICATOR_DEFS[indicator].pooled === true;
  for (const i of table) {
    // The key's text of group, lineage and family is the same for a yearly instance and its pooled one: made once.
    const text = slotKeyBody(i);
    let body: number | null = null;
    if (text !== null) {
      body = bodyIds.get(text) ?? null;
      if (body === null) bodyIds.set(text, (body = bodyIds.size));
    }
    add(i, i.schoolYear, body);
    // Pooled rows are the sum of the years: one more instance per yearly one.
    if (pooled && i.schoolYear !== null) add(i, null, body);
  }
  const out: Atom[] = [];
  for (const { first, schoolYear, counts, edges, denominator } of merged.values()) {
    out.push({ group: first.group, lineage: first.lineage, offset: first.offset, schoolYear, family: first.family, denominator, counts, edges });
  }
  return out;
}

/**
 * Which instances atomsOf adds up: those whose JSON text of
 * `[entries(group), entries(lineage), offset, schoolYear, family]` is equal.
 * That text is costly per instance, so this key stands in for it with the same
 * equalities: string keys and values as length-prefixed text (JSON text of
 * strings is one-to-one, and so is this), offset and school year by their
 * JSON text (kept per pair; it holds -0 equal to 0), and any value that is
 * not a string by the JSON text itself, under another prefix (JSON never
 * writes such a value as a string, so it never equals a key of strings).
 */
function slotKeyOf(i: CountInstance, schoolYear: string | null, tails: Map<number | null, Map<string | null, string>>): string {
  const body = slotKeyBody(i);
  return body === null ? `J${JSON.stringify([Object.entries(i.group), Object.entries(i.lineage), i.offset, schoolYear, i.family])}` : `${tailOf(i.offset, schoolYear, tails)}${body}`;
}

/** The (offset, school year) part of slotKeyOf, kept per pair. */
function tailOf(offset: number | null, schoolYear: string | null, tails: Map<number | null, Map<string | null, string>>): string {
  let byYear = tails.get(offset);
  if (!byYear) tails.set(offset, (byYear = new Map()));
  let tail = byYear.get(schoolYear);
  if (tail === undefined) byYear.set(schoolYear, (tail = JSON.stringify([offset, schoolYear])));
  return tail;
}

/** The family, group and lineage part of slotKeyOf; null when a value is not a string (the key is then JSON text). */
function slotKeyBody(i: CountInstance): string | null {
  if (typeof i.family !== 'string') return null;
  let key = `${i.family.length}:${i.family}`;
  for (let r = 0; r < 2; r++) {
    const record = r === 0 ? i.group : i.lineage;
    let n = 0;
    let text = '';
    for (const k in record) {
      if (!Object.prototype.hasOwnProperty.call(record, k)) continue;
      const v = record[k];
      if (typeof v !== 'string') return null;
      text += `${k.length}:${k}${v.length}:${v}`;
      n++;
    }
    key += `|${n}|${text}`;
  }
  return key;
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

/**
 * The atoms of one indicator with what every table of the lattice reads off
 * them, worked out once: each dimension's value (interned) per atom, the
 * (offset, school year) and family ids, and the sum of the counts.
 */
class AtomSet {
  /** (offset, school year) as an interned id. */
  readonly tail: Int32Array;
  readonly family: Int32Array;
  readonly countSum: Float64Array;
  /** Atom i's counts, as category ids and numbers in the map's order: countCat/countN[countStart[i] .. countStart[i + 1]). */
  readonly countStart: Int32Array;
  readonly countCat: Int32Array;
  readonly countN: Float64Array;
  /** Atom i's edges likewise: edgeCat and edgeEnds[edgeStart[i] .. edgeStart[i + 1]). */
  readonly edgeStart: Int32Array;
  readonly edgeCat: Int32Array;
  readonly edgeEnds: Ends[] = [];
  private readonly columns = new Map<string, Int32Array>();

  constructor(
    readonly list: readonly Atom[],
    private readonly finest: readonly string[],
    private readonly lattice: LatticeBuilder,
  ) {
    this.tail = new Int32Array(list.length);
    this.family = new Int32Array(list.length);
    this.countSum = new Float64Array(list.length);
    this.countStart = new Int32Array(list.length + 1);
    this.edgeStart = new Int32Array(list.length + 1);
    list.forEach((a, i) => {
      this.countStart[i + 1] = this.countStart[i]! + a.counts.size;
      this.edgeStart[i + 1] = this.edgeStart[i]! + (a.edges?.size ?? 0);
    });
    this.countCat = new Int32Array(this.countStart[list.length]!);
    this.countN = new Float64Array(this.countStart[list.length]!);
    this.edgeCat = new Int32Array(this.edgeStart[list.length]!);
    const categories = lattice.categories;
    list.forEach((a, i) => {
      this.tail[i] = lattice.tailId(a.offset, a.schoolYear);
      this.family[i] = lattice.families.id(a.family);
      let sum = 0;
      let k = this.countStart[i]!;
      for (const [c, n] of a.counts) {
        sum += n;
        this.countCat[k] = categories.id(c);
        this.countN[k++] = n;
      }
      this.countSum[i] = sum;
      k = this.edgeStart[i]!;
      for (const [c, e] of a.edges ?? []) {
        this.edgeCat[k++] = categories.id(c);
        this.edgeEnds.push(lattice.ends(e.from, e.to));
      }
    });
  }

  /** Interned values per atom of a breakdown dimension (`dim`) or of one of the indicator's fixed keys. */
  column(name: string, kind: 'dim' | 'fixed'): Int32Array {
    const key = `${kind}:${name}`;
    let column = this.columns.get(key);
    if (!column) {
      const value = kind === 'dim' ? projector(this.finest, name) : (a: Atom) => a.group[name] ?? 'unknown';
      column = new Int32Array(this.list.length);
      for (let i = 0; i < this.list.length; i++) column[i] = this.lattice.values.id(value(this.list[i]!));
      this.columns.set(key, column);
    }
    return column;
  }
}

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

// ---------------------------------------------------------------- cells and relations

type Kind = 0 | 1 | 2 | 3;
const DENOMINATOR = 0;
const COMPLEMENT = 1;
const COUNT = 2;
const PART = 3;

/**
 * Every cell of the lattice, as columns indexed by cell id: a lattice holds
 * hundreds of thousands of cells and relations list them millions of times,
 * so cells are numbers and their fields sit in typed arrays rather than in
 * objects all over the heap. A table's cells are one range of ids (a table
 * makes them all at once), so are the parts of one crossRelations.
 */
class CellStore {
  size = 0;
  count = new Float64Array(1024);
  stratum = new Float64Array(1024);
  /** Position in its table's canonical order; parts after the table's cells. */
  order = new Float64Array(1024);
  slot = new Int32Array(1024);
  /** Role id; -1 for a part. */
  role = new Int32Array(1024);
  /** Count cells: the family's id (LatticeBuilder.families); -1 otherwise. */
  family = new Int32Array(1024);
  kind = new Uint8Array(1024);
  virtual = new Uint8Array(1024);
  isDenominator = new Uint8Array(1024);
  /** Published whatever its state; the others (zero cells completing an open list) only when hidden. */
  published = new Uint8Array(1024);
  hidden = new Uint8Array(1024);
  primary = new Uint8Array(1024);
  /** A part: the fine cell it is part of and the coarse cell it adds to. */
  fine = new Int32Array(1024);
  coarse = new Int32Array(1024);
  /** Count cells: the category's id (LatticeBuilder.categories); -1 otherwise. */
  cat = new Int32Array(1024);

  add(slot: number, role: number, kind: Kind, family: number, cat: number, count: number, stratum: number, virtual: boolean, isDenominator: boolean): number {
    if (this.size === this.count.length) this.grow();
    const id = this.size++;
    this.count[id] = count;
    this.stratum[id] = stratum;
    this.order[id] = 0;
    this.slot[id] = slot;
    this.role[id] = role;
    this.family[id] = family;
    this.kind[id] = kind;
    this.virtual[id] = virtual ? 1 : 0;
    this.isDenominator[id] = isDenominator ? 1 : 0;
    this.published[id] = 0;
    this.hidden[id] = 0;
    this.primary[id] = 0;
    this.fine[id] = -1;
    this.coarse[id] = -1;
    this.cat[id] = cat;
    return id;
  }

  private grow(): void {
    const n = this.count.length * 2;
    const more = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: new (n: number) => T): T => {
      const b = new make(n);
      b.set(a);
      return b;
    };
    this.count = more(this.count, Float64Array);
    this.stratum = more(this.stratum, Float64Array);
    this.order = more(this.order, Float64Array);
    this.slot = more(this.slot, Int32Array);
    this.role = more(this.role, Int32Array);
    this.family = more(this.family, Int32Array);
    this.kind = more(this.kind, Uint8Array);
    this.virtual = more(this.virtual, Uint8Array);
    this.isDenominator = more(this.isDenominator, Uint8Array);
    this.published = more(this.published, Uint8Array);
    this.hidden = more(this.hidden, Uint8Array);
    this.primary = more(this.primary, Uint8Array);
    this.fine = more(this.fine, Int32Array);
    this.coarse = more(this.coarse, Int32Array);
    this.cat = more(this.cat, Int32Array);
  }
}

/** Relations as runs of cell ids in one buffer: relation i is `members[start[i] .. start[i + 1])`. */
class Relations {
  count = 0;
  size = 0;
  start = new Int32Array(256);
  members = new Int32Array(1024);

  /** Add a member to the relation being built. */
  push(id: number): void {
    if (this.size === this.members.length) {
      const grown = new Int32Array(this.members.length * 2);
      grown.set(this.members);
      this.members = grown;
    }
    this.members[this.size++] = id;
  }

  /** End the relation being built. */
  close(): void {
    if (this.count + 2 > this.start.length) {
      const grown = new Int32Array(this.start.length * 2);
      grown.set(this.start);
      this.start = grown;
    }
    this.start[++this.count] = this.size;
  }

  add(ids: readonly number[]): void {
    for (const id of ids) this.push(id);
    this.close();
  }

  length(i: number): number {
    return this.start[i + 1]! - this.start[i]!;
  }
}

// ---------------------------------------------------------------- tables

/** Where cells are: group values, offset, school year; the slot key of old was its JSON text. */
interface Slot {
  readonly id: number;
  readonly g: readonly string[];
  /** The group values' ids joined: equal for equal groups, in every table of the lattice. */
  readonly gKey: string;
  readonly offset: number | null;
  readonly schoolYear: string | null;
  /** `JSON.stringify([g, offset, schoolYear])`: what orders slots. */
  readonly json: string;
  /** Its instances (its cells are theirs). */
  readonly insts: Inst[];
  /** How many cells it has. */
  cellCount: number;
  /** Denominators and complements by role id (shared by the families of a slot; cell() finds them here). */
  readonly shared: Map<number, number>;
  /** All its cells by role id, made when first asked (cellAt) and again when cells were added: most slots are never searched by role. */
  byRole: Map<number, number> | null;
  byRoleCount: number;
  /** Position in its table's slots in text order. */
  rank: number;
}

/** The ends of an edge category, with their ids as categories (the distribution's states). */
interface Ends {
  readonly from: string;
  readonly to: string;
  readonly fromId: number;
  readonly toId: number;
}

const NO_CELLS = new Int32Array(0);
const NO_EDGES: ReadonlyMap<number, Ends> = new Map();

/** An instance's edges to add to: its own map, made at the first edge. */
function edgesOf(inst: Inst): Map<number, Ends> {
  if (inst.edges === NO_EDGES) inst.edges = new Map();
  return inst.edges as Map<number, Ends>;
}

interface Inst {
  /** Position in its table's instances. */
  readonly index: number;
  readonly slot: Slot;
  readonly family: FamilyDef;
  readonly familyId: number;
  denominator: number;
  /** The sum of its atoms' counts (every category). */
  countSum: number;
  /** Counts and edge ends by category id; most instances have no edges and share NO_EDGES until they get one (edgesOf). */
  readonly counts: Map<number, number>;
  edges: ReadonlyMap<number, Ends>;
  /** The cells of its categories, in publishing order. */
  cats: Int32Array;
  den: number;
  /** -1 when it has none. */
  complement: number;
  /** Its cells by role (crossRelations looks coarse cells up by the fine cell's role). */
  byRole: Map<number, number> | null;
}

class Table implements SettledTable {
  /** Its cells are the ids first .. first + cellCount. */
  readonly first: number;
  cellCount = 0;
  /** Instances in order of their first atom. */
  readonly insts: Inst[] = [];
  /** Atom index -> its instance here. */
  readonly atomInst: Int32Array;
  /** Relations within the table (settle adds those with coarser tables). */
  readonly relations = new Relations();
  unresolved = 0;
  /** The threshold a percentage's denominator must exceed; null when unsuppressed (any denominator above 0). */
  minCellFor: number | null = null;
  /** Slots by `gKey|tail id`. */
  private readonly slotByKey = new Map<string, Slot>();
  private readonly roles: Roles;
  private readonly store: CellStore;

  constructor(
    readonly indicator: Indicator,
    readonly dims: readonly string[],
    readonly def: IndicatorDef,
    atoms: AtomSet,
    private readonly lattice: LatticeBuilder,
    rules: RuleSet,
  ) {
    this.roles = lattice.roles;
    this.store = lattice.store;
    this.first = this.store.size;
    const columns = [...dims.map((d) => atoms.column(d, 'dim')), ...def.fixedKeys.map((k) => atoms.column(k, 'fixed'))];
    const values = lattice.values.strings;
    const list = atoms.list;
    // An atom's slot and instance as one number each (group value ids, tail and family ids in mixed radix) where
    // they fit in a double, else as text: found per atom and per table, where joining text costs most.
    const radix = values.length + 1;
    let tails = 1;
    let families = 1;
    for (let ai = 0; ai < list.length; ai++) {
      tails = Math.max(tails, atoms.tail[ai]! + 1);
      families = Math.max(families, atoms.family[ai]! + 1);
    }
    const numeric = radix ** columns.length * tails * families < Number.MAX_SAFE_INTEGER;
    const instByKey = new Map<number | string, Inst>();
    const slotByNumber = new Map<number, Slot>();
    this.atomInst = new Int32Array(list.length);
    for (let ai = 0; ai < list.length; ai++) {
      const a = list[ai]!;
      let slotNumber = 0;
      let instKey: number | string;
      if (numeric) {
        for (let j = 0; j < columns.length; j++) slotNumber = slotNumber * radix + columns[j]![ai]!;
        slotNumber = slotNumber * tails + atoms.tail[ai]!;
        instKey = slotNumber * families + atoms.family[ai]!;
      } else instKey = `${this.gKeyOf(columns, ai)}|${atoms.tail[ai]}|${atoms.family[ai]}`;
      let inst = instByKey.get(instKey);
      if (!inst) {
        let slot = numeric ? slotByNumber.get(slotNumber) : this.slotByKey.get(`${this.gKeyOf(columns, ai)}|${atoms.tail[ai]}`);
        if (!slot) {
          const gKey = this.gKeyOf(columns, ai);
          const slotKey = `${gKey}|${atoms.tail[ai]}`;
          const g = columns.map((c) => values[c[ai]!]!);
          slot = {
            id: lattice.slots.length, g, gKey, offset: a.offset, schoolYear: a.schoolYear, json: JSON.stringify([g, a.offset, a.schoolYear]),
            insts: [], cellCount: 0, shared: new Map(), byRole: null, byRoleCount: 0, rank: 0,
          };
          lattice.slots.push(slot);
          this.slotByKey.set(slotKey, slot);
          if (numeric) slotByNumber.set(slotNumber, slot);
        }
        inst = {
          index: this.insts.length, slot, family: familyDef(def, a.family), familyId: atoms.family[ai]!, denominator: 0, countSum: 0,
          counts: new Map(), edges: NO_EDGES, cats: NO_CELLS, den: -1, complement: -1, byRole: null,
        };
        slot.insts.push(inst);
        instByKey.set(instKey, inst);
        this.insts.push(inst);
      }
      this.atomInst[ai] = inst.index;
      inst.denominator += a.denominator;
      inst.countSum += atoms.countSum[ai]!;
      for (let k = atoms.countStart[ai]!; k < atoms.countStart[ai + 1]!; k++) {
        const c = atoms.countCat[k]!;
        inst.counts.set(c, (inst.counts.get(c) ?? 0) + atoms.countN[k]!);
      }
      for (let k = atoms.edgeStart[ai]!; k < atoms.edgeStart[ai + 1]!; k++) edgesOf(inst).set(atoms.edgeCat[k]!, atoms.edgeEnds[k]!);
    }
    this.makeCells(rules);
  }

  /** An atom's group value ids joined: a slot's gKey. */
  private gKeyOf(columns: readonly Int32Array[], ai: number): string {
    let gKey = '';
    for (let j = 0; j < columns.length; j++) gKey += j === 0 ? `${columns[j]![ai]}` : `,${columns[j]![ai]}`;
    return gKey;
  }

  /** A slot's cell of a role, or -1 (a role has one cell in a slot). */
  cellAt(slot: Slot, role: number): number {
    let byRole = slot.byRole;
    if (!byRole || slot.byRoleCount !== slot.cellCount) {
      byRole = slot.byRole = new Map();
      slot.byRoleCount = slot.cellCount;
      const store = this.store;
      for (const inst of slot.insts) {
        if (inst.den >= 0) byRole.set(store.role[inst.den]!, inst.den);
        if (inst.complement >= 0) byRole.set(store.role[inst.complement]!, inst.complement);
        for (const c of inst.cats) byRole.set(store.role[c]!, c);
      }
    }
    return byRole.get(role) ?? -1;
  }

  /** The slot of a group (by gKey), offset and school year, if the table has it. */
  slotAt(gKey: string, offset: number | null, schoolYear: string | null): Slot | undefined {
    return this.slotByKey.get(`${gKey}|${this.lattice.tailId(offset, schoolYear)}`);
  }

  /**
   * The cell of a role in a slot, made if new; a cell asked for again must count the same. Denominators and
   * complements are found by role (families of a slot share them); a count cell belongs to the one instance of its
   * family in the slot, so only that instance can ask for it again (`held`: its own cell of that category, or -1).
   */
  private cell(slot: Slot, role: number, kind: Kind, family: number, cat: number, count: number, stratum: number, virtual: boolean, isDenominator: boolean, held = -1): number {
    const store = this.store;
    if (kind !== COUNT) held = slot.shared.get(role) ?? -1;
    if (held >= 0) {
      if (store.count[held] !== count) throw new Error(`${this.indicator}: cell ${this.lattice.keyText(held)} counted as both ${store.count[held]} and ${count} (families sharing a denominator disagree)`);
      store.stratum[held] = Math.min(store.stratum[held]!, stratum);
      return held;
    }
    const made = store.add(slot.id, role, kind, family, cat, count, stratum, virtual, isDenominator);
    if (kind !== COUNT) slot.shared.set(role, made);
    slot.cellCount++;
    this.cellCount++;
    return made;
  }

  private stratumOf(inst: Inst): number {
    // Pooled rows are settled before the years they add up.
    if (this.def.pooled) return inst.slot.schoolYear === null ? 0 : 1;
    return inst.family.stratum ?? 0;
  }

  /**
   * The categories of an instance: its fixed list and what it observed, and,
   * as zero cells a reader cannot tell from absent ones unless they are shown
   * hidden, the categories of an open list observed in another group of the
   * same offset or year and the edges between the ends this instance has.
   * Without them a category only one group has, or the one edge into a
   * state, would be known from a coarser table and could protect nothing.
   * Returned unsorted (observed, completion); makeCells sorts them.
   */
  private categoriesOf(inst: Inst, observedInSlice: ReadonlySet<number>): { observed: number[]; completion: number[] } {
    const lattice = this.lattice;
    const fixed = this.fixedOf(inst.family);
    // Sets of category ids as marks: this call's stamp in an array by id.
    const stamp = ++lattice.stamp;
    const { observedMark, completionMark, fromMark, toMark } = lattice;
    const observed: number[] = [];
    for (const [c, n] of inst.counts) {
      if (n > 0 && !holds(fixed, c)) {
        observedMark[c] = stamp;
        observed.push(c);
      }
    }
    const completion: number[] = [];
    for (const c of observedInSlice) {
      if (observedMark[c] !== stamp && !holds(fixed, c)) {
        completionMark[c] = stamp;
        completion.push(c);
      }
    }
    if (inst.family.edges) {
      const froms: number[] = [];
      const tos: number[] = [];
      for (const c of observed) {
        const e = inst.edges.get(c) ?? lattice.endsOf(c);
        if (e === null) continue;
        if (fromMark[e.fromId] !== stamp) {
          fromMark[e.fromId] = stamp;
          froms.push(e.fromId);
        }
        if (toMark[e.toId] !== stamp) {
          toMark[e.toId] = stamp;
          tos.push(e.toId);
        }
      }
      for (const from of froms) {
        for (const to of tos) {
          const e = lattice.edge(this.def, from, to);
          if (observedMark[e.cat] !== stamp && e.possible) {
            if (completionMark[e.cat] !== stamp) {
              completionMark[e.cat] = stamp;
              completion.push(e.cat);
            }
            edgesOf(inst).set(e.cat, e.ends);
          }
        }
      }
    }
    return { observed, completion };
  }

  /** A family's fixed categories as ids. */
  private readonly fixedIds = new Map<string, number[]>();
  private fixedOf(family: FamilyDef): number[] {
    let ids = this.fixedIds.get(family.name);
    if (!ids) this.fixedIds.set(family.name, (ids = family.fixed.map((c) => this.lattice.categories.id(c))));
    return ids;
  }

  private makeCells(rules: RuleSet): void {
    const store = this.store;
    // Slots in text order (rank), then instances as their old key `<slot>|<family>` sorts: by slot, then family.
    const slots = [...this.slotByKey.values()].sort((a, b) => byText(a.json, b.json));
    slots.forEach((s, i) => { s.rank = i; });
    const familyRank = this.lattice.familyTextRanks();
    const ordered = [...this.insts].sort((a, b) => a.slot.rank - b.slot.rank || familyRank[a.familyId]! - familyRank[b.familyId]!);
    // Slices (tail, family) as one number each.
    const families = this.lattice.families.strings.length;
    const observedInSlice = new Map<number, Set<number>>();
    const sliceOf = (inst: Inst) => this.lattice.tailId(inst.slot.offset, inst.slot.schoolYear) * families + inst.familyId;
    for (const inst of ordered) {
      const key = sliceOf(inst);
      let set = observedInSlice.get(key);
      if (!set) observedInSlice.set(key, (set = new Set<number>()));
      for (const [c, n] of inst.counts) if (n > 0) set.add(c);
    }
    // Categories of every instance first, then one natural ranking of them all, then each list sorted by it.
    const lists = ordered.map((inst) => this.categoriesOf(inst, observedInSlice.get(sliceOf(inst))!));
    const rank = this.lattice.naturalRanks();
    const strings = this.lattice.categories.strings;
    ordered.forEach((inst, i) => {
      const { observed, completion } = lists[i]!;
      const stratum = this.stratumOf(inst);
      const family = inst.family.name;
      const familyId = inst.familyId;
      const fixed = this.fixedOf(inst.family);
      const cats = new Int32Array(fixed.length + observed.length + completion.length);
      let k = 0;
      // A category can come twice only as a fixed one and again as an edge between observed ends.
      const own = inst.family.fixed.length > 0 && inst.family.edges ? new Map<number, number>() : null;
      k = this.makeCountCells(inst, fixed, true, cats, k, own, stratum, family, familyId, strings);
      k = this.makeCountCells(inst, NaturalOrder.sorted(observed, rank), true, cats, k, own, stratum, family, familyId, strings);
      this.makeCountCells(inst, NaturalOrder.sorted(completion, rank), false, cats, k, own, stratum, family, familyId, strings);
      inst.cats = cats;
    });
    for (const inst of ordered) {
      const slot = inst.slot;
      const stratum = this.stratumOf(inst);
      const from = this.def.denominatorOf?.(inst.family.name) ?? null;
      if (from) {
        const den = this.cellAt(slot, this.roles.count(from[0], from[1]));
        if (den < 0 || store.count[den] !== inst.denominator) {
          throw new Error(`${this.indicator}: ${inst.family.name} counts ${inst.denominator} units but ${from[0]} ${from[1]} has ${den < 0 ? 'none' : store.count[den]}`);
        }
        inst.den = den;
      } else {
        inst.den = this.cell(slot, this.roles.id(`d|${inst.family.unit}`), DENOMINATOR, -1, -1, inst.denominator, stratum, false, true);
      }
      let counted = 0;
      for (const c of inst.cats) counted += store.count[c]!;
      if (inst.family.kind === 'binary') {
        inst.complement = this.cell(slot, this.roles.id(`v|${inst.family.name}`), COMPLEMENT, -1, -1, inst.denominator - counted, stratum, true, false);
      }
      if (inst.family.kind === 'exclusive' && counted !== inst.denominator) {
        throw new Error(`${this.indicator}: the categories of ${inst.family.name} add up to ${counted}, not to its ${inst.denominator} units`);
      }
    }
    // The canonical order of the cells: their keys in text order, that is by slot, then by role.
    const roleRank = this.roles.rankOf();
    let order = 0;
    const seen = new Uint8Array(this.cellCount);
    const cells: number[] = [];
    for (const slot of slots) {
      // The slot's cells: its instances' (a denominator may be shared).
      cells.length = 0;
      for (const inst of slot.insts) {
        for (const c of [inst.den, inst.complement]) {
          if (c >= 0 && !seen[c - this.first]) {
            seen[c - this.first] = 1;
            cells.push(c);
          }
        }
        for (const c of inst.cats) {
          if (!seen[c - this.first]) {
            seen[c - this.first] = 1;
            cells.push(c);
          }
        }
      }
      if (cells.length > 1) sortStably(cells, 0, cells.length, (a, b) => roleRank[store.role[a]!]! - roleRank[store.role[b]!]!);
      for (const c of cells) store.order[c] = order++;
    }
    this.withinRelations(ordered, rules);
  }

  /** An instance's count cells of some categories, into `cats` from `k` on; returns where the next go. */
  private makeCountCells(
    inst: Inst, categories: readonly number[], published: boolean, cats: Int32Array, k: number, own: Map<number, number> | null,
    stratum: number, family: string, familyId: number, strings: readonly string[],
  ): number {
    const store = this.store;
    for (const c of categories) {
      const role = this.roles.countById(familyId, c, family, strings[c]!);
      const cell = this.cell(inst.slot, role, COUNT, familyId, c, inst.counts.get(c) ?? 0, stratum, false, false, own?.get(c) ?? -1);
      own?.set(c, cell);
      if (published) store.published[cell] = 1;
      cats[k++] = cell;
    }
    return k;
  }

  private withinRelations(ordered: readonly Inst[], rules: RuleSet): void {
    const rels = this.relations;
    const bySlot = new Map<Slot, Inst[]>();
    for (const inst of ordered) {
      const kind = inst.family.kind;
      if (kind === 'exclusive' || kind === 'binary') {
        rels.push(inst.den);
        for (const c of inst.cats) rels.push(c);
        if (kind === 'binary') rels.push(inst.complement);
        rels.close();
      }
      if (!this.def.links) continue;
      const list = bySlot.get(inst.slot);
      if (list) list.push(inst);
      else bySlot.set(inst.slot, [inst]);
    }
    if (this.def.links) {
      const store = this.store;
      for (const [slot, insts] of bySlot) {
        const strings = this.lattice.categories.strings;
        const present = new Map(insts.map((i) => [i.family.name, Array.from(i.cats, (c) => strings[store.cat[c]!]!)]));
        for (const link of this.def.links(present, rules)) {
          // A member that is not there is zero; a link left with one member pins it (suppress.ts).
          const members = link.map(([f, c]) => this.cellAt(slot, this.roles.count(f, c))).filter((c) => c >= 0);
          if (members.length >= 1) rels.add(members);
        }
      }
    }
    if (this.def.pooled) {
      // A pooled cell is the sum of the same cell over the years: per (pooled slot, role), in order of first sight,
      // the yearly cells of that role, each once (a denominator families share comes once per family). A yearly cell
      // has one pooled slot and one role, so it is in one list: seen once is listed.
      const store = this.store;
      const roleCount = this.roles.size;
      const keyOf = new Map<number, number>();
      const keySlot: Slot[] = [];
      const keyRole: number[] = [];
      const cellKey = new Int32Array(this.cellCount).fill(-1);
      const pooledOf = new Map<Slot, Slot | undefined>();
      const listed: number[] = [];
      // The pooled slot of the instance at hand (one closure for all of them, see holds).
      let to: Slot | undefined;
      const see = (c: number) => {
        if (cellKey[c - this.first] !== -1) return;
        const role = store.role[c]!;
        const number = to!.id * roleCount + role;
        let key = keyOf.get(number);
        if (key === undefined) {
          keyOf.set(number, (key = keySlot.length));
          keySlot.push(to!);
          keyRole.push(role);
        }
        cellKey[c - this.first] = key;
        listed.push(c);
      };
      for (const inst of ordered) {
        if (inst.slot.schoolYear === null) continue;
        let pooled = pooledOf.get(inst.slot);
        if (pooled === undefined && !pooledOf.has(inst.slot)) pooledOf.set(inst.slot, (pooled = this.slotAt(inst.slot.gKey, inst.slot.offset, null)));
        if (!pooled) continue;
        to = pooled;
        see(inst.den);
        if (inst.complement >= 0) see(inst.complement);
        for (const c of inst.cats) see(c);
      }
      // The lists as runs of one array (counting sort by key, cells in order of sight).
      const keys = keySlot.length;
      const at = new Int32Array(keys + 1);
      for (const c of listed) {
        const k = cellKey[c - this.first]! + 1;
        at[k] = at[k]! + 1;
      }
      for (let k = 0; k < keys; k++) at[k + 1] = at[k + 1]! + at[k]!;
      const fill = at.slice(0, keys);
      const members = new Int32Array(listed.length);
      for (const c of listed) {
        const k = cellKey[c - this.first]!;
        members[fill[k]!] = c;
        fill[k] = fill[k]! + 1;
      }
      for (let k = 0; k < keys; k++) {
        const pooled = this.cellAt(keySlot[k]!, keyRole[k]!);
        if (pooled < 0) continue;
        rels.push(pooled);
        for (let m = at[k]!; m < at[k + 1]!; m++) rels.push(members[m]!);
        rels.close();
      }
    }
  }

  /** The cells an instance's atoms add to (some with nothing): its denominator, complement and categories. */
  cellsOf(inst: Inst): number[] {
    return inst.complement >= 0 ? [inst.den, inst.complement, ...inst.cats] : [inst.den, ...inst.cats];
  }


  /** An instance's cells by role (the last of a role wins, as a Map built from cellsOf did). */
  byRole(inst: Inst): Map<number, number> {
    if (!inst.byRole) {
      inst.byRole = new Map();
      for (const c of this.cellsOf(inst)) inst.byRole.set(this.store.role[c]!, c);
    }
    return inst.byRole;
  }

  rows(by: readonly string[]): ReportRow[] {
    const store = this.store;
    const canonical = [...this.dims];
    const at = by.map((d) => canonical.indexOf(d));
    if (at.some((i) => i < 0) || by.length !== canonical.length) throw new Error(`rows by ${by.join(', ')} of a table by ${canonical.join(', ')}`);
    const names = [...by, ...this.def.fixedKeys];
    const familyOrders = new Map<string, number>();
    const familyOrder = (f: FamilyDef) => {
      let i = familyOrders.get(f.name);
      if (i === undefined) {
        i = this.def.families.findIndex((x) => x.name === f.name);
        familyOrders.set(f.name, (i = i < 0 ? this.def.families.length : i));
      }
      return i;
    };
    const nat = this.lattice.natural;
    // What rows read off a slot, once per slot (its instances, one per family, share it): the group's values in the
    // order asked, the group itself (rows of a slot share it, as rows of an instance did), and the slot's place.
    const slots: Slot[] = [];
    const slotIndex = new Map<Slot, number>();
    for (const inst of this.insts) {
      if (!slotIndex.has(inst.slot)) {
        slotIndex.set(inst.slot, slots.length);
        slots.push(inst.slot);
      }
    }
    const slotValues = slots.map((slot) => [...at.map((i) => slot.g[i]!), ...slot.g.slice(canonical.length)]);
    for (let s = 0; s < slots.length; s++) {
      for (const v of slotValues[s]!) nat.add(v);
      nat.add(slots[s]!.schoolYear ?? '~');
    }
    for (const inst of this.insts) nat.add(inst.family.name);
    nat.flush();
    // Slots in row order: by the values' natural ranks, offset and school year; slots that tie share a place, so
    // that their instances then sort by family, stably, as when instances were compared one by one.
    const slotRanks = slotValues.map((values) => values.map((v) => nat.of(v)));
    const slotYear = slots.map((slot) => nat.of(slot.schoolYear ?? '~'));
    const compareSlots = (a: number, b: number): number => {
      const ra = slotRanks[a]!;
      const rb = slotRanks[b]!;
      for (let i = 0; i < ra.length; i++) {
        const c = ra[i]! - rb[i]!;
        if (c) return c;
      }
      return (slots[a]!.offset ?? -1e9) - (slots[b]!.offset ?? -1e9) || slotYear[a]! - slotYear[b]!;
    };
    const bySlot = slots.map((_, i) => i).sort(compareSlots);
    const place = new Int32Array(slots.length);
    for (let k = 0; k < bySlot.length; k++) place[bySlot[k]!] = k > 0 && compareSlots(bySlot[k - 1]!, bySlot[k]!) === 0 ? place[bySlot[k - 1]!]! : k;
    const keyed = this.insts.map((inst) => ({ inst, slot: slotIndex.get(inst.slot)!, familyOrder: familyOrder(inst.family), familyRank: nat.of(inst.family.name) }));
    keyed.sort((a, b) => place[a.slot]! - place[b.slot]! || a.familyOrder - b.familyOrder || a.familyRank - b.familyRank);
    const groups: (Record<string, string> | undefined)[] = new Array(slots.length);
    const rows: ReportRow[] = [];
    const strings = this.lattice.categories.strings;
    // school-profile: each pooled row carries the spread of its published yearly percentages (in row order); it is
    // made once they are all known, in its place. The years of a group, offset and family are found by the group's
    // value ids, the offset's tail id (its JSON text) and the family.
    const yearly = this.def.pooled ? new Map<string, Map<string, number[]>>() : null;
    // A name twice (a breakdown that is also a fixed key) keeps one value in the group: then the group's text says which years go together.
    const distinctNames = new Set(names).size === names.length;
    const pooledRows: { index: number; percents: Map<string, number[]>; category: string }[] = [];
    for (const { inst, slot: s } of keyed) {
      const slot = inst.slot;
      const values = slotValues[s]!;
      let group = groups[s];
      if (!group) {
        group = {};
        for (let i = 0; i < names.length; i++) group[names[i]!] = values[i]!;
        groups[s] = group;
      }
      const offset = slot.offset;
      const schoolYear = slot.schoolYear;
      const family = inst.family.name;
      let percents: Map<string, number[]> | null = null;
      if (yearly) {
        const key = `${distinctNames ? slot.gKey : JSON.stringify(group)}|${this.lattice.tailId(offset, null)}|${family}`;
        percents = yearly.get(key) ?? null;
        if (!percents) yearly.set(key, (percents = new Map()));
      }
      const den = inst.den;
      const denHidden = store.hidden[den] === 1;
      const denCount = store.count[den]!;
      for (const cell of inst.cats) {
        const hidden = store.hidden[cell] === 1;
        if (!hidden && store.published[cell] !== 1) continue;
        const cat = store.cat[cell]!;
        const category = strings[cat]!;
        const count = store.count[cell]!;
        const edge = inst.family.edges ? inst.edges.get(cat) ?? this.lattice.endsOf(cat) : null;
        const percentShown = !hidden && !denHidden && denCount > 0 && (this.minCellFor === null || denCount > this.minCellFor);
        const percent = percentShown ? Math.round((count / denCount) * 1000) / 10 : null;
        if (percents) {
          if (schoolYear === null) pooledRows.push({ index: rows.length, percents, category });
          else if (percent !== null) {
            const list = percents.get(category);
            if (list) list.push(percent);
            else percents.set(category, [percent]);
          }
        }
        const shown = hidden ? null : count;
        const denominator = denHidden ? null : denCount;
        const suppression = hidden ? (store.primary[cell] === 1 ? 'primary' : 'complementary') : null;
        // Two literal shapes rather than a spread: the same keys in the same order, without an object per row to spread.
        rows.push(edge
          ? { group, offset, schoolYear, from: edge.from, to: edge.to, family, category, count: shown, denominator, percent, suppressed: hidden, suppression }
          : { group, offset, schoolYear, family, category, count: shown, denominator, percent, suppressed: hidden, suppression });
      }
    }
    for (const { index, percents, category } of pooledRows) rows[index] = { ...rows[index]!, spread: spreadOf(percents.get(category) ?? []) };
    return rows;
  }
}

const one = (x: number): number => Math.round(x * 10) / 10;

export function spreadOf(percents: readonly number[]): Spread {
  if (percents.length === 0) return { years: 0, min: null, max: null, sd: null };
  const mean = percents.reduce((a, b) => a + b, 0) / percents.length;
  const variance = percents.reduce((a, b) => a + (b - mean) ** 2, 0) / percents.length;
  return { years: percents.length, min: Math.min(...percents), max: Math.max(...percents), sd: one(Math.sqrt(variance)) };
}

// ---------------------------------------------------------------- the lattice

/** An edge category between two ends (category ids), its ends, and whether the indicator allows it. */
type EdgeEntry = { readonly cat: number; readonly ends: Ends; readonly possible: boolean };

class LatticeBuilder {
  readonly settled = new Map<string, Table>();
  private readonly maxAreaDepth = new Map<Indicator, number>();
  /** Interned group values, families and (offset, school year) pairs, shared by every table. */
  readonly values = new Interner();
  readonly families = new Interner();
  private readonly tails = new Interner();
  readonly roles = new Roles();
  readonly natural = new NaturalOrder();
  readonly store = new CellStore();
  readonly slots: Slot[] = [];
  private readonly atomSets = new Map<Indicator, AtomSet>();
  private readonly edges = new Map<IndicatorDef, (EdgeEntry | undefined)[][]>();
  /** Categories (and edge ends, which are the distribution's categories) as ids. */
  readonly categories = new Interner();
  /** Each category's ends read from its text, null when it is no edge (endsOf). */
  private readonly parsed: (Ends | null | undefined)[] = [];
  /** Scratch of Table.categoriesOf: sets of category ids as stamps. */
  readonly observedMark: number[] = [];
  readonly completionMark: number[] = [];
  readonly fromMark: number[] = [];
  readonly toMark: number[] = [];
  stamp = 0;
  private readonly rankOfCategory: number[] = [];
  private catCell = new Int32Array(0);

  /** An array by category id, all -1 (linkWhole sets and resets entries). */
  categoryScratch(): Int32Array {
    if (this.catCell.length < this.categories.strings.length) {
      this.catCell = new Int32Array(this.categories.strings.length * 2).fill(-1);
    }
    return this.catCell;
  }
  /** Scratch of settle, by cell id: the settle that numbered a cell, and its number there. */
  private numbered = new Int32Array(0);
  private local = new Int32Array(0);
  private settleStamp = 0;

  constructor(
    private readonly finest: readonly string[],
    atoms: ReadonlyMap<Indicator, readonly Atom[]>,
    private readonly rules: RuleSet,
    private readonly minCell: number,
    private readonly unsuppressed: boolean,
  ) {
    // Per indicator, as a direct request of the related table would see it.
    for (const [indicator, list] of atoms) {
      let depth = 0;
      if (finest.includes('area')) for (const a of list) if ((a.group['area'] ?? 'unknown') !== 'unknown') depth = Math.max(depth, areaDepth(a));
      this.maxAreaDepth.set(indicator, depth);
      this.atomSets.set(indicator, new AtomSet(list, finest, this));
    }
  }

  /** The edge category between two ends (category ids), its ends, and whether the indicator allows it: made once per lattice. */
  edge(def: IndicatorDef, from: number, to: number): EdgeEntry {
    let byFrom = this.edges.get(def);
    if (!byFrom) this.edges.set(def, (byFrom = []));
    const byTo = (byFrom[from] ??= []);
    let e = byTo[to];
    if (!e) {
      const [f, t] = [this.categories.strings[from]!, this.categories.strings[to]!];
      byTo[to] = e = { cat: this.categories.id(`${f} -> ${t}`), ends: this.ends(f, t), possible: def.possibleEdge?.(f, t) ?? true };
    }
    return e;
  }

  /** Edge ends with their ids. */
  ends(from: string, to: string): Ends {
    return { from, to, fromId: this.categories.id(from), toId: this.categories.id(to) };
  }

  /** A category's ends read from its text (`<from> -> <to>`), or null. */
  endsOf(cat: number): Ends | null {
    let e = this.parsed[cat];
    if (e === undefined) {
      const read = edgeEnds(this.categories.strings[cat]!);
      this.parsed[cat] = e = read ? this.ends(read.from, read.to) : null;
    }
    return e;
  }

  /** Natural rank of every category by id (all ranked in one go, NaturalOrder). */
  naturalRanks(): readonly number[] {
    const strings = this.categories.strings;
    const known = this.rankOfCategory.length;
    if (known === strings.length) return this.rankOfCategory;
    for (let c = known; c < strings.length; c++) this.natural.add(strings[c]!);
    this.natural.flush();
    for (let c = 0; c < strings.length; c++) this.rankOfCategory[c] = this.natural.of(strings[c]!);
    return this.rankOfCategory;
  }

  /** tailId's answers by offset, then school year: it is asked per atom and per table, and JSON text costs more than two lookups. */
  private readonly tailIds = new Map<number | null, Map<string | null, number>>();

  private familyRanks = new Int32Array(0);

  /** Each family id's rank in text order of the names (equal names being one id). */
  familyTextRanks(): Int32Array {
    const names = this.families.strings;
    if (this.familyRanks.length !== names.length) {
      const ids = names.map((_, i) => i).sort((a, b) => byText(names[a]!, names[b]!));
      this.familyRanks = new Int32Array(names.length);
      ids.forEach((id, r) => { this.familyRanks[id] = r; });
    }
    return this.familyRanks;
  }

  tailId(offset: number | null, schoolYear: string | null): number {
    let byYear = this.tailIds.get(offset);
    if (!byYear) this.tailIds.set(offset, (byYear = new Map()));
    let id = byYear.get(schoolYear);
    if (id === undefined) byYear.set(schoolYear, (id = this.tails.id(JSON.stringify([offset, schoolYear]))));
    return id;
  }

  /** The old text key of a cell, `<slot JSON>|<role>`, and of a part `<fine key>\n<coarse key>`. */
  keyText(id: number): string {
    const s = this.store;
    return s.kind[id] === PART ? `${this.keyText(s.fine[id]!)}\n${this.keyText(s.coarse[id]!)}` : `${this.slots[s.slot[id]!]!.json}|${this.roles.text(s.role[id]!)}`;
  }

  settle(indicator: Indicator, dims: readonly string[]): Table {
    const key = tableKey(indicator, dims);
    const held = this.settled.get(key);
    if (held) return held;
    const sorted = [...dims].sort();
    const def = INDICATOR_DEFS[indicator];
    const atoms = this.atomSets.get(indicator) ?? new AtomSet([], this.finest, this);
    const table = new Table(indicator, sorted, def, atoms, this, this.rules);
    if (this.unsuppressed) {
      this.settled.set(key, table);
      return table;
    }
    table.minCellFor = this.minCell;
    const parents = coarser(sorted, this.maxAreaDepth.get(indicator) ?? 0).map((d) => this.settle(indicator, d));
    // The table's relations, then those with each coarser table, then with the distribution.
    const relations = table.relations;
    const free: [number, number][] = [[table.first, table.first + table.cellCount]];
    for (const parent of parents) free.push(crossRelations(this, table, parent, atoms, relations));
    if (indicator === 'transitions') distributionRelations(this, table, this.settle('distribution', sorted), relations);
    const order = canonicalOrder(this, relations);

    // Number the cells for suppressIndexed: the free ones first, then the settled cells of coarser tables as met.
    const store = this.store;
    if (this.numbered.length < store.size) {
      this.numbered = new Int32Array(store.size * 2);
      this.local = new Int32Array(store.size * 2);
    }
    const stamp = ++this.settleStamp;
    const numbered = this.numbered;
    const local = this.local;
    const ids = new Int32Array(store.size);
    let n = 0;
    for (const [from, to] of free) {
      for (let id = from; id < to; id++) {
        numbered[id] = stamp;
        local[id] = n;
        ids[n++] = id;
      }
    }
    const freeCount = n;
    const count = relations.count;
    const start = new Int32Array(count + 1);
    const members = new Int32Array(relations.size);
    let k = 0;
    for (let i = 0; i < count; i++) {
      const r = order[i]!;
      for (let m = relations.start[r]!; m < relations.start[r + 1]!; m++) {
        const id = relations.members[m]!;
        if (numbered[id] !== stamp) {
          numbered[id] = stamp;
          local[id] = n;
          ids[n++] = id;
        }
        members[k++] = local[id]!;
      }
      start[i + 1] = k;
    }
    const gather = <T extends Float64Array | Uint8Array>(column: T, make: new (n: number) => T, n: number): T => {
      const out = new make(n);
      for (let c = 0; c < n; c++) out[c] = column[ids[c]!]!;
      return out;
    };
    const { hidden, primary } = suppressIndexed(n, freeCount, {
      count: gather(store.count, Float64Array, freeCount), stratum: gather(store.stratum, Float64Array, freeCount),
      order: gather(store.order, Float64Array, freeCount), virtual: gather(store.virtual, Uint8Array, freeCount),
      isDenominator: gather(store.isDenominator, Uint8Array, freeCount), hidden: gather(store.hidden, Uint8Array, n),
    }, start, members, this.minCell);
    for (let c = 0; c < freeCount; c++) {
      store.hidden[ids[c]!] = hidden[c]!;
      store.primary[ids[c]!] = primary[c]!;
    }
    // What a reader can still work out, sum by sum, from what is shown: every small cell that comes out is one this
    // table could not protect.
    table.unresolved = exposedCells(n, hidden, start, members, (c) => isSmall(store.count[ids[c]!]!, this.minCell));
    this.settled.set(key, table);
    return table;
  }
}

/**
 * The small hidden cells (1 .. minCell-1 learners, `small`) a reader can
 * recover from the settled table and its coarser tables: solve every
 * relation with one unknown member, over and over, as test/attack.ts does.
 * Each one is a group the table could not protect; a split cell (learners
 * of unknown `area:N` whose parents differ) counts like any other, as it is
 * a group the table shows. A hidden zero or a large complementary cell that
 * comes out discloses no small group by itself; what it gives away further
 * is followed and counted.
 */
function exposedCells(n: number, hidden: Uint8Array, start: Int32Array, members: Int32Array, small: (c: number) => boolean): number {
  const count = start.length - 1;
  const known = new Uint8Array(n);
  for (let c = 0; c < n; c++) known[c] = hidden[c] === 1 ? 0 : 1;
  // Each cell's relations, once per time it is listed (CSR), and each relation's unknown members.
  const first = new Int32Array(n + 1);
  const total = start[count]!;
  for (let k = 0; k < total; k++) first[members[k]! + 1] = first[members[k]! + 1]! + 1;
  for (let c = 0; c < n; c++) first[c + 1] = first[c + 1]! + first[c]!;
  const relationsOf = new Int32Array(total);
  const fill = first.slice(0, n);
  const unknown = new Int32Array(count);
  const queue: number[] = [];
  for (let i = 0; i < count; i++) {
    for (let k = start[i]!; k < start[i + 1]!; k++) {
      const c = members[k]!;
      relationsOf[fill[c]!] = i;
      fill[c] = fill[c]! + 1;
      if (!known[c]) unknown[i] = unknown[i]! + 1;
    }
    if (start[i + 1]! - start[i]! >= 2 && unknown[i] === 1) queue.push(i);
  }
  let exposed = 0;
  while (queue.length > 0) {
    const i = queue.pop()!;
    if (unknown[i] !== 1) continue;
    let k = start[i]!;
    while (known[members[k]!]) k++;
    const c = members[k]!;
    known[c] = 1;
    if (small(c)) exposed++;
    for (let p = first[c]!; p < first[c + 1]!; p++) {
      const j = relationsOf[p]!;
      unknown[j] = unknown[j]! - 1;
      if (unknown[j] === 1 && start[j + 1]! - start[j]! >= 2) queue.push(j);
    }
  }
  return exposed;
}

/**
 * Relations between a table and a coarser one, added to `out`; returns the
 * range of the parts it made. Atoms say which fine cell adds to which coarse
 * cell. A fine cell that adds to one coarse cell only is a whole part of it;
 * one that adds to several (`area:N` learners of unknown area, some of whom
 * have an area at depth N-1) is split into unpublished parts, one per coarse
 * cell, counted like any small cell: the difference between a parent area
 * and its children (the learners living in the parent itself) is protected
 * as a cell of its own.
 */
function crossRelations(lattice: LatticeBuilder, fine: Table, coarse: Table, atoms: AtomSet, out: Relations): [number, number] {
  const store = lattice.store;
  // Each fine instance's coarse instance, fine instances in order of first atom; whether some fine instance is split
  // over several coarse ones (then linkInOrder needs the atoms of each pair).
  const coarseOf = new Int32Array(fine.insts.length).fill(-1);
  const fineOrder: number[] = [];
  let split = false;
  for (let ai = 0; ai < atoms.list.length; ai++) {
    const f = fine.atomInst[ai]!;
    const c = coarse.atomInst[ai]!;
    if (coarseOf[f] === -1) {
      coarseOf[f] = c;
      fineOrder.push(f);
    } else if (coarseOf[f] !== c) split = true;
  }
  // Per fine cell (by its index in the table), the coarse cells it adds to with how much, in order of first link;
  // fine cells in order of first link (typed: these lists run to hundreds of thousands). Nearly every fine cell adds
  // to one coarse cell: that link is kept in arrays, any further ones aside.
  const firstTo = new Int32Array(fine.cellCount).fill(-1);
  const firstCount = new Float64Array(fine.cellCount);
  const moreTo = new Map<number, { to: number; count: number }[]>();
  const linked = new Int32Array(fine.cellCount);
  let linkedCount = split ? -1 : linkWhole(lattice, fine, coarse, fineOrder, coarseOf, firstTo, firstCount, linked);
  if (linkedCount < 0) {
    // Atoms of one fine and one coarse instance link the same cells: line them up once per pair, in order of first atom.
    const pairsOf: ({ c: number; atoms: number[] }[] | undefined)[] = new Array(fine.insts.length);
    for (let ai = 0; ai < atoms.list.length; ai++) {
      const f = fine.atomInst[ai]!;
      const c = coarse.atomInst[ai]!;
      let pairs = pairsOf[f];
      if (!pairs) pairsOf[f] = pairs = [];
      let pair = pairs.find((p) => p.c === c);
      if (!pair) pairs.push((pair = { c, atoms: [] }));
      pair.atoms.push(ai);
    }
    linkedCount = linkInOrder(lattice, fine, coarse, atoms, fineOrder, pairsOf, firstTo, firstCount, moreTo, linked);
  }
  // The split cells' relations now; each coarse cell's relation (the cell, then its fine members, in order of the
  // first member) once all members are known, from (coarse cell, member) pairs grouped by coarse cell.
  let pairCount = linkedCount;
  for (const more of moreTo.values()) pairCount += more.length + 1;
  const targets = new Int32Array(pairCount);
  const memberOf = new Int32Array(pairCount);
  let t = 0;
  const partsFrom = store.size;
  for (let l = 0; l < linkedCount; l++) {
    const cell = linked[l]!;
    const i = cell - fine.first;
    const more = moreTo.size > 0 ? moreTo.get(i) : undefined;
    if (!more) {
      targets[t] = firstTo[i]!;
      memberOf[t++] = cell;
      continue;
    }
    const to = [{ to: firstTo[i]!, count: firstCount[i]! }, ...more];
    out.push(cell);
    for (const { to: c, count } of to) {
      const part = store.add(store.slot[cell]!, -1, PART, -1, -1, count, store.stratum[cell]!, true, store.isDenominator[cell] === 1);
      store.fine[part] = cell;
      store.coarse[part] = c;
      out.push(part);
      targets[t] = c;
      memberOf[t++] = part;
    }
    out.close();
  }
  const partsTo = store.size;
  // Group the pairs by coarse cell (counting sort), coarse cells in order of their first member.
  const size = new Int32Array(coarse.cellCount);
  const coarseOrder = new Int32Array(coarse.cellCount);
  let coarseCount = 0;
  for (let k = 0; k < t; k++) {
    const c = targets[k]! - coarse.first;
    if (size[c] === 0) coarseOrder[coarseCount++] = c;
    size[c] = size[c]! + 1;
  }
  const at = new Int32Array(coarse.cellCount);
  let offset = 0;
  for (let k = 0; k < coarseCount; k++) {
    const c = coarseOrder[k]!;
    at[c] = offset;
    offset += size[c]!;
  }
  const grouped = new Int32Array(t);
  for (let k = 0; k < t; k++) {
    const c = targets[k]! - coarse.first;
    grouped[at[c]!] = memberOf[k]!;
    at[c] = at[c]! + 1;
  }
  offset = 0;
  for (let k = 0; k < coarseCount; k++) {
    const c = coarseOrder[k]!;
    out.push(coarse.first + c);
    const n = size[c]!;
    for (let m = offset; m < offset + n; m++) out.push(grouped[m]!);
    offset += n;
    out.close();
  }
  // Parts come after the table's own cells in its canonical order, as their keys `<fine key>\n<coarse key>` sort:
  // by fine cell, then coarse cell (see canonicalOrder on `\n`), unless a role holds such a character.
  const parts = Array.from({ length: partsTo - partsFrom }, (_, k) => partsFrom + k);
  if (lattice.roles.unusual) parts.sort((a, b) => byText(lattice.keyText(a), lattice.keyText(b)));
  else parts.sort((a, b) => store.order[store.fine[a]!]! - store.order[store.fine[b]!]! || store.order[store.coarse[a]!]! - store.order[store.coarse[b]!]!);
  parts.forEach((p, k) => { store.order[p] = fine.cellCount + k; });
  return [partsFrom, partsTo];
}

/** crossRelations' links in order: per fine instance and coarse instance its atoms add to, each cell's share. */
function linkInOrder(
  lattice: LatticeBuilder, fine: Table, coarse: Table, atoms: AtomSet, fineOrder: readonly number[],
  pairsOf: readonly ({ c: number; atoms: number[] }[] | undefined)[],
  firstTo: Int32Array, firstCount: Float64Array, moreTo: Map<number, { to: number; count: number }[]>, linked: Int32Array,
): number {
  const store = lattice.store;
  let linkedCount = 0;
  for (const f of fineOrder) {
    const inst = fine.insts[f]!;
    const pairs = pairsOf[f]!;
    const whole = pairs.length === 1;
    for (const pair of pairs) {
      // Cells of both tables line up by role: denominator, complement, then each category.
      const coarseByRole = coarse.byRole(coarse.insts[pair.c]!);
      const link = (cell: number) => {
        const other = coarseByRole.get(store.role[cell]!);
        if (other === undefined) return;
        let count = 0;
        const kind = store.kind[cell];
        // All of an instance's atoms in one coarse instance add what the instance holds: the sums of its atoms.
        if (whole && kind === DENOMINATOR) count = inst.denominator;
        else if (whole && kind === COMPLEMENT) count = inst.denominator - inst.countSum;
        else if (whole && kind === COUNT && store.family[cell] === inst.familyId) count = store.count[cell]!;
        else for (const ai of pair.atoms) count += contribution(lattice, atoms, ai, cell);
        const i = cell - fine.first;
        const first = firstTo[i]!;
        if (first < 0) {
          firstTo[i] = other;
          firstCount[i] = count;
          linked[linkedCount++] = cell;
        } else if (first === other) firstCount[i] = firstCount[i]! + count;
        else {
          let more = moreTo.get(i);
          if (!more) moreTo.set(i, (more = []));
          const held = more.find((x) => x.to === other);
          if (held) held.count += count;
          else more.push({ to: other, count });
        }
      };
      link(inst.den);
      if (inst.complement >= 0) link(inst.complement);
      for (const cell of inst.cats) link(cell);
    }
  }
  return linkedCount;
}

/**
 * crossRelations' links when every fine instance lies whole in one coarse
 * instance and every fine cell adds to one coarse cell (nearly always): a
 * fine cell adds what it counts to the coarse cell of its role - the coarse
 * instance's denominator, complement, or category of the same id. Fine
 * instances are taken per coarse instance, whose categories are laid out
 * once in an array by category id; the links' order (of first link, fine
 * instances in order of first atom) is read off afterwards into `linked`.
 * The caller has checked that no instance is split (coarseOf is each fine
 * instance's one coarse instance). Returns how many, or -1, leaving the
 * caller to link in order, when some cell is split.
 */
function linkWhole(
  lattice: LatticeBuilder, fine: Table, coarse: Table, fineOrder: readonly number[], coarseOf: Int32Array,
  firstTo: Int32Array, firstCount: Float64Array, linked: Int32Array,
): number {
  const store = lattice.store;
  // Fine instances grouped by their coarse instance (counting sort).
  const coarseCount = coarse.insts.length;
  const at = new Int32Array(coarseCount + 1);
  for (const f of fineOrder) {
    const c = coarseOf[f]!;
    at[c + 1] = at[c + 1]! + 1;
  }
  for (let c = 0; c < coarseCount; c++) at[c + 1] = at[c + 1]! + at[c]!;
  const byCoarse = new Int32Array(fineOrder.length);
  const fill = at.slice(0, coarseCount);
  for (const f of fineOrder) {
    const c = coarseOf[f]!;
    byCoarse[fill[c]!] = f;
    fill[c] = fill[c]! + 1;
  }
  const catCell = lattice.categoryScratch();
  const link = (cell: number, other: number, count: number): boolean => {
    const i = cell - fine.first;
    const first = firstTo[i]!;
    if (first < 0) {
      firstTo[i] = other;
      firstCount[i] = count;
    } else if (first === other) firstCount[i] = firstCount[i]! + count;
    else return false;
    return true;
  };
  let whole = true;
  for (let c = 0; c < coarseCount && whole; c++) {
    if (at[c] === at[c + 1]) continue;
    const to = coarse.insts[c]!;
    for (const cell of to.cats) catCell[store.cat[cell]!] = cell;
    for (let k = at[c]!; k < at[c + 1]! && whole; k++) {
      const inst = fine.insts[byCoarse[k]!]!;
      // A denominator that is a count cell of this family, or whose role text reads as one (a family name holding
      // `|`), is left to the caller, which reads each atom's contribution as the role text says.
      if (store.kind[inst.den] !== DENOMINATOR
        && (store.family[inst.den] === inst.familyId || lattice.roles.text(store.role[inst.den]!).startsWith(`c|${inst.family.name}|`))) {
        whole = false;
        break;
      }
      // What the instance holds is the sum of its atoms, all of which add to `to`.
      whole = link(inst.den, to.den, inst.denominator);
      if (whole && inst.complement >= 0) whole = link(inst.complement, to.complement, inst.denominator - inst.countSum);
      for (const cell of inst.cats) {
        const other = catCell[store.cat[cell]!]!;
        if (other >= 0 && whole) whole = link(cell, other, store.count[cell]!);
      }
    }
    for (const cell of to.cats) catCell[store.cat[cell]!] = -1;
  }
  if (!whole) {
    firstTo.fill(-1);
    firstCount.fill(0);
    return -1;
  }
  // Fine cells in order of first link: instances in order of first atom, each one's denominator, complement, categories.
  const seen = new Uint8Array(fine.cellCount);
  let count = 0;
  const see = (cell: number) => {
    const i = cell - fine.first;
    if (firstTo[i]! >= 0 && !seen[i]) {
      seen[i] = 1;
      linked[count++] = cell;
    }
  };
  for (const f of fineOrder) {
    const inst = fine.insts[f]!;
    see(inst.den);
    if (inst.complement >= 0) see(inst.complement);
    for (const cell of inst.cats) see(cell);
  }
  return count;
}

/** What one atom adds to a fine cell (its role as the old role text read it). */
function contribution(lattice: LatticeBuilder, atoms: AtomSet, ai: number, cell: number): number {
  const store = lattice.store;
  const a = atoms.list[ai]!;
  const kind = store.kind[cell];
  if (kind === DENOMINATOR) return a.denominator;
  if (kind === COMPLEMENT) return a.denominator - atoms.countSum[ai]!;
  if (store.family[cell] === atoms.family[ai]) return a.counts.get(lattice.categories.strings[store.cat[cell]!]!) ?? 0;
  // A count cell of another family is this family's denominator (a success's attempts); the old test on the role text, kept as it was.
  const role = lattice.roles.text(store.role[cell]!);
  const own = `c|${a.family}|`;
  return role.startsWith(own) ? a.counts.get(role.slice(own.length)) ?? 0 : a.denominator;
}

/**
 * Transitions against the distribution, added to `out`: a state's outgoing
 * transitions add up to its count at offset k, its incoming ones to its
 * count at k+1, and the denominators are the same cohort.
 */
function distributionRelations(lattice: LatticeBuilder, transitions: Table, distribution: Table, out: Relations): void {
  const roles = lattice.roles;
  const store = lattice.store;
  // A state's transitions out of offset k and into k+1 of one group: relations in order of first sight. The old key
  // (group, `o|k` or `i|k+1`, state) always comes from the instance of that group at offset k, so the states are
  // kept per (group, k).
  const ends: number[][] = [];
  const byGroupOffset = new Map<string, { out: Map<number, number[]>; in: Map<number, number[]> }>();
  const learners = roles.id('d|learner');
  const end = (states: Map<number, number[]>, slot: Slot | undefined, s: number, cell: number) => {
    let rel = states.get(s);
    if (!rel) {
      const st = slot ? distribution.cellAt(slot, roles.count('state', lattice.categories.strings[s]!)) : -1;
      states.set(s, (rel = st >= 0 ? [st] : []));
      ends.push(rel);
    }
    rel.push(cell);
  };
  for (const inst of transitions.insts) {
    const gKey = inst.slot.gKey;
    const k = inst.slot.offset ?? 0;
    const at = distribution.slotAt(gKey, k, null);
    const next = distribution.slotAt(gKey, k + 1, null);
    for (const slot of [at, next]) {
      const d = slot ? distribution.cellAt(slot, learners) : -1;
      if (d >= 0) out.add([inst.den, d]);
    }
    let states = byGroupOffset.get(`${gKey}|${k}`);
    if (!states) byGroupOffset.set(`${gKey}|${k}`, (states = { out: new Map(), in: new Map() }));
    for (const cell of inst.cats) {
      const cat = store.cat[cell]!;
      const e = inst.edges.get(cat) ?? lattice.endsOf(cat);
      if (!e) continue;
      end(states.out, at, e.fromId, cell);
      end(states.in, next, e.toId, cell);
    }
  }
  for (const rel of ends) if (rel.length >= 2) out.add(rel);
}

/**
 * Relations in an order fixed by their members' keys: the greedy choice of
 * complementary cells follows this order, so the same table gets the same
 * pattern however it was reached. Returns the relations' indices in that
 * order. The order is that of each relation's member keys, sorted, joined
 * with `\n` (`<slot JSON>|<role>`, and a part's `<fine key>\n<coarse key>`),
 * compared as text - computed without the text:
 *
 * - Every key is a sequence of tokens: a cell's key is one token, a part's
 *   two. No token holds a character at or before `\n` (slots are JSON, which
 *   escapes control characters; roles are checked, Roles.unusual), so texts
 *   joined with `\n` compare as their token sequences do, token by token,
 *   a sequence that ends first being smaller: at the first token that
 *   differs, either a character inside both decides, or one token is a
 *   prefix of the other and is followed by `\n` or nothing, below any
 *   character of the other. That holds for a part's key against another
 *   key (members sort by it) and for the joined relation texts.
 * - A token's place among tokens is (slot text, role text), as a key's is:
 *   here the slots of the cells involved are ranked by their text (equal
 *   texts, from different tables, share a rank) and roles by theirs.
 * - So a member is one or two numbers, members sort by them (a cell before
 *   its own parts), and relations sort by the flattened numbers: stably,
 *   like the sort of the texts, equal sequences being equal texts.
 */
function canonicalOrder(lattice: LatticeBuilder, relations: Relations): Int32Array {
  const store = lattice.store;
  const roles = lattice.roles;
  const count = relations.count;
  const { start, members } = relations;
  if (roles.unusual) {
    // Some role holds a character at or before `\n`: compare the key text itself.
    const keyed = Array.from({ length: count }, (_, i) => {
      const keys: string[] = [];
      for (let m = start[i]!; m < start[i + 1]!; m++) keys.push(lattice.keyText(members[m]!));
      return { i, k: keys.sort().join('\n') };
    });
    keyed.sort((a, b) => byText(a.k, b.k));
    return Int32Array.from(keyed, (x) => x.i);
  }
  // Rank the slots of every cell involved by their text; count the tokens (a part is two).
  const seen = new Uint8Array(lattice.slots.length);
  const slots: Slot[] = [];
  const see = (slot: number) => {
    if (!seen[slot]) {
      seen[slot] = 1;
      slots.push(lattice.slots[slot]!);
    }
  };
  let tokenCount = relations.size;
  let longest = 0;
  for (let i = 0; i < count; i++) longest = Math.max(longest, start[i + 1]! - start[i]!);
  for (let m = 0; m < relations.size; m++) {
    const c = members[m]!;
    see(store.slot[c]!);
    if (store.kind[c] === PART) {
      see(store.slot[store.coarse[c]!]!);
      tokenCount++;
    }
  }
  slots.sort((a, b) => byText(a.json, b.json));
  const slotToken = new Float64Array(lattice.slots.length);
  let rank = -1;
  slots.forEach((s, i) => {
    if (i === 0 || s.json !== slots[i - 1]!.json) rank++;
    slotToken[s.id] = rank;
  });
  const roleRank = roles.rankOf();
  const roleCount = roles.size;
  const token = (c: number) => slotToken[store.slot[c]!]! * roleCount + roleRank[store.role[c]!]!;
  // A member with a part as one number: cell t -> t * K, part (t, u) -> t * K + u + 1, exact while K * K fits in a double.
  const K = (rank + 1) * roleCount + 1;
  const exact = K * K < Number.MAX_SAFE_INTEGER;
  const encoded = new Float64Array(longest);
  // Every relation's tokens, its members sorted, in one buffer.
  const tokenStart = new Int32Array(count + 1);
  const tokens = new Float64Array(tokenCount);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const from = start[i]!;
    const n = start[i + 1]! - from;
    tokenStart[i] = at;
    let parts = false;
    for (let k = 0; k < n; k++) if (store.kind[members[from + k]!] === PART) parts = true;
    if (!parts) {
      // One token per member: sort the tokens.
      for (let k = 0; k < n; k++) tokens[at + k] = token(members[from + k]!);
      sortRange(tokens, at, at + n);
      at += n;
    } else if (exact) {
      for (let k = 0; k < n; k++) {
        const c = members[from + k]!;
        encoded[k] = store.kind[c] === PART ? token(store.fine[c]!) * K + token(store.coarse[c]!) + 1 : token(c) * K;
      }
      sortRange(encoded, 0, n);
      for (let k = 0; k < n; k++) {
        const v = encoded[k]!;
        // The quotient in floating point may land one off next to a multiple of K: correct it.
        let t = Math.floor(v / K);
        let u = v - t * K;
        if (u < 0) [t, u] = [t - 1, u + K];
        else if (u >= K) [t, u] = [t + 1, u - K];
        tokens[at++] = t;
        if (u > 0) tokens[at++] = u - 1;
      }
    } else {
      const pairs: [number, number][] = [];
      for (let k = 0; k < n; k++) {
        const c = members[from + k]!;
        pairs.push(store.kind[c] === PART ? [token(store.fine[c]!), token(store.coarse[c]!)] : [token(c), -1]);
      }
      pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      for (const [t, u] of pairs) {
        tokens[at++] = t;
        if (u >= 0) tokens[at++] = u;
      }
    }
  }
  tokenStart[count] = at;
  const compare = (a: number, b: number): number => {
    const x = tokenStart[a]!;
    const y = tokenStart[b]!;
    const nx = tokenStart[a + 1]! - x;
    const ny = tokenStart[b + 1]! - y;
    const n = Math.min(nx, ny);
    for (let i = 0; i < n; i++) {
      const d = tokens[x + i]! - tokens[y + i]!;
      if (d !== 0) return d;
    }
    return nx - ny;
  };
  // Sort by first token natively (first token and index packed in one number), then each run of equal first tokens.
  const firstMax = (rank + 1) * roleCount;
  if (count >= 2 ** 22 || firstMax >= 2 ** 30) return Int32Array.from(Array.from({ length: count }, (_, i) => i).sort(compare));
  const packed = new Float64Array(count);
  for (let i = 0; i < count; i++) packed[i] = (tokenStart[i + 1]! > tokenStart[i]! ? tokens[tokenStart[i]!]! + 1 : 0) * 2 ** 22 + i;
  packed.sort();
  const index = new Int32Array(count);
  for (let i = 0; i < count; i++) index[i] = packed[i]! % 2 ** 22;
  for (let i = 0; i < count;) {
    const head = Math.floor(packed[i]! / 2 ** 22);
    let j = i + 1;
    while (j < count && Math.floor(packed[j]! / 2 ** 22) === head) j++;
    if (j - i > 1) sortStably(index, i, j, compare);
    i = j;
  }
  return index;
}

/**
 * Sort part of an array stably in place: by insertion when short (nearly
 * every call: a slot's cells, a run of relations with the same first token),
 * where Array.prototype.sort's copies cost more than the comparisons, else
 * by that sort on a copy. A stable sort has one result, so both give it.
 */
function sortStably(a: Int32Array | number[], from: number, to: number, compare: (x: number, y: number) => number): void {
  if (to - from > 16) {
    const run = Array.from(a.slice(from, to)).sort(compare);
    for (let k = from; k < to; k++) a[k] = run[k - from]!;
    return;
  }
  for (let i = from + 1; i < to; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= from && compare(a[j]!, v) > 0) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}

/** Sort numbers in place between two positions: by insertion when few (most relations), natively otherwise. */
function sortRange(a: Float64Array, from: number, to: number): void {
  if (to - from > 24) {
    a.subarray(from, to).sort();
    return;
  }
  for (let i = from + 1; i < to; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= from && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}
