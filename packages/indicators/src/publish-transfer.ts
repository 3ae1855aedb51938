/**
 * Count tables to a publishing thread and report rows back, as typed arrays
 * and one list of distinct strings. Structured clone of the objects
 * themselves cost the calling thread about 250 ms of deserialising for the
 * 117,000 rows of school-profile by two breakdowns at 110,000 learners (and
 * the sender as much again), which is the very blocking the threads are
 * there to avoid; typed arrays are moved, not copied, and the objects are
 * made again on arrival in the order and shape publish.ts made them (the
 * same JSON text: key order included; rows of one group share its object).
 * Packing a table and unpacking rows run on the thread that serves, so they
 * give other requests a turn every 16,384 instances or rows.
 */
import { nextTurn, turnsEvery } from '@leerroutes/threads/next-turn';
import type { ReportRow } from './contract.js';
import type { CountInstance, CountTable } from './table.js';

class Strings {
  readonly list: string[] = [];
  private readonly ids = new Map<string, number>();
  id(s: string): number {
    let i = this.ids.get(s);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(s);
      this.ids.set(s, i);
    }
    return i;
  }
}

/** A growable Int32Array or Float64Array, handed over trimmed. */
class Ints {
  a = new Int32Array(1024);
  n = 0;
  push(x: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
  done(): Int32Array {
    return this.a.slice(0, this.n);
  }
}

class Floats {
  a = new Float64Array(1024);
  n = 0;
  push(x: number | null): void {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x === null ? NaN : x;
  }
  done(): Float64Array {
    return this.a.slice(0, this.n);
  }
}

const orNull = (x: number): number | null => (Number.isNaN(x) ? null : x);

function pushRecord(ints: Ints, strings: Strings, record: Readonly<Record<string, string>>): void {
  const keys = Object.keys(record);
  ints.push(keys.length);
  for (const k of keys) {
    ints.push(strings.id(k));
    ints.push(strings.id(record[k]!));
  }
}

/** Reads a packed record at `at`, returning it and the position after it. */
function readRecord(ints: Int32Array, at: number, strings: readonly string[]): [Record<string, string>, number] {
  const record: Record<string, string> = {};
  const n = ints[at++]!;
  for (let i = 0; i < n; i++, at += 2) record[strings[ints[at]!]!] = strings[ints[at + 1]!]!;
  return [record, at];
}

export interface PackedTable {
  readonly strings: string[];
  readonly ints: Int32Array;
  readonly floats: Float64Array;
  readonly length: number;
}

/** Other requests' turns on the serving thread, in instances or rows. */
const TURN = 16_384;

export async function packTable(table: CountTable): Promise<PackedTable> {
  const strings = new Strings();
  const ints = new Ints();
  const floats = new Floats();
  const turns = turnsEvery(TURN);
  for (const i of table) {
    if (turns.due()) await nextTurn();
    pushRecord(ints, strings, i.group);
    pushRecord(ints, strings, i.lineage);
    ints.push(i.schoolYear === null ? -1 : strings.id(i.schoolYear));
    ints.push(strings.id(i.family));
    floats.push(i.offset);
    floats.push(i.denominator);
    ints.push(i.counts.size);
    for (const [category, n] of i.counts) {
      ints.push(strings.id(category));
      floats.push(n);
    }
    if (i.edges === undefined) ints.push(-1);
    else {
      ints.push(i.edges.size);
      for (const [category, e] of i.edges) {
        ints.push(strings.id(category));
        ints.push(strings.id(e.from));
        ints.push(strings.id(e.to));
      }
    }
  }
  return { strings: strings.list, ints: ints.done(), floats: floats.done(), length: table.length };
}

export function unpackTable(p: PackedTable): CountInstance[] {
  const { strings, ints, floats } = p;
  const out: CountInstance[] = new Array(p.length);
  let at = 0;
  let f = 0;
  for (let k = 0; k < p.length; k++) {
    let group: Record<string, string>;
    let lineage: Record<string, string>;
    [group, at] = readRecord(ints, at, strings);
    [lineage, at] = readRecord(ints, at, strings);
    const sy = ints[at++]!;
    const family = strings[ints[at++]!]!;
    const offset = orNull(floats[f++]!);
    const denominator = floats[f++]!;
    const counts = new Map<string, number>();
    for (let n = ints[at++]!; n > 0; n--) counts.set(strings[ints[at++]!]!, floats[f++]!);
    const edgeCount = ints[at++]!;
    let edges: Map<string, { from: string; to: string }> | undefined;
    if (edgeCount >= 0) {
      edges = new Map();
      for (let n = 0; n < edgeCount; n++, at += 3) edges.set(strings[ints[at]!]!, { from: strings[ints[at + 1]!]!, to: strings[ints[at + 2]!]! });
    }
    out[k] = { group, lineage, offset, schoolYear: sy < 0 ? null : strings[sy]!, family, denominator, counts, ...(edges ? { edges } : {}) };
  }
  return out;
}

export interface PackedRows {
  readonly strings: string[];
  /** Each group once: its key/value pairs (readRecord). */
  readonly groups: Int32Array;
  readonly groupCount: number;
  /** Per row: group, school year, from, to, family, category, flags, spread years (-1: none). */
  readonly ints: Int32Array;
  /** Per row: offset, count, denominator, percent, spread min, max, sd (NaN: null). */
  readonly floats: Float64Array;
  readonly length: number;
}

const INTS = 8;
const FLOATS = 7;
const SUPPRESSED = 1;
const PRIMARY = 2;
const COMPLEMENTARY = 4;
const SPREAD = 8;

export function packRows(rows: readonly ReportRow[]): PackedRows {
  const strings = new Strings();
  const groupIds = new Map<object, number>();
  const groups = new Ints();
  const ints = new Int32Array(rows.length * INTS);
  const floats = new Float64Array(rows.length * FLOATS);
  const opt = (s: string | null | undefined) => (s === null || s === undefined ? -1 : strings.id(s));
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    let g = groupIds.get(row.group);
    if (g === undefined) {
      groupIds.set(row.group, (g = groupIds.size));
      pushRecord(groups, strings, row.group);
    }
    const i = r * INTS;
    ints[i] = g;
    ints[i + 1] = opt(row.schoolYear);
    ints[i + 2] = opt(row.from);
    ints[i + 3] = opt(row.to);
    ints[i + 4] = strings.id(row.family);
    ints[i + 5] = strings.id(row.category);
    ints[i + 6] = (row.suppressed ? SUPPRESSED : 0) | (row.suppression === 'primary' ? PRIMARY : row.suppression === 'complementary' ? COMPLEMENTARY : 0) | (row.spread ? SPREAD : 0);
    ints[i + 7] = row.spread ? row.spread.years : -1;
    const x = r * FLOATS;
    floats[x] = row.offset ?? NaN;
    floats[x + 1] = row.count ?? NaN;
    floats[x + 2] = row.denominator ?? NaN;
    floats[x + 3] = row.percent ?? NaN;
    floats[x + 4] = row.spread?.min ?? NaN;
    floats[x + 5] = row.spread?.max ?? NaN;
    floats[x + 6] = row.spread?.sd ?? NaN;
  }
  return { strings: strings.list, groups: groups.done(), groupCount: groupIds.size, ints, floats, length: rows.length };
}

export async function unpackRows(p: PackedRows): Promise<ReportRow[]> {
  const { strings, ints, floats } = p;
  const groups: Record<string, string>[] = new Array(p.groupCount);
  for (let g = 0, at = 0; g < p.groupCount; g++) [groups[g], at] = readRecord(p.groups, at, strings);
  const rows: ReportRow[] = new Array(p.length);
  const turns = turnsEvery(TURN);
  for (let r = 0; r < p.length; r++) {
    if (turns.due()) await nextTurn();
    const i = r * INTS;
    const x = r * FLOATS;
    const group = groups[ints[i]!]!;
    const offset = orNull(floats[x]!);
    const schoolYear = ints[i + 1]! < 0 ? null : strings[ints[i + 1]!]!;
    const family = strings[ints[i + 4]!]!;
    const category = strings[ints[i + 5]!]!;
    const count = orNull(floats[x + 1]!);
    const denominator = orNull(floats[x + 2]!);
    const percent = orNull(floats[x + 3]!);
    const flags = ints[i + 6]!;
    const suppressed = (flags & SUPPRESSED) !== 0;
    const suppression = (flags & PRIMARY) !== 0 ? 'primary' : (flags & COMPLEMENTARY) !== 0 ? 'complementary' : null;
    // The literal shapes publish.ts makes, keys in the same order.
    const row: ReportRow = ints[i + 2]! >= 0
      ? { group, offset, schoolYear, from: strings[ints[i + 2]!]!, to: strings[ints[i + 3]!]!, family, category, count, denominator, percent, suppressed, suppression }
      : { group, offset, schoolYear, family, category, count, denominator, percent, suppressed, suppression };
    rows[r] = (flags & SPREAD) !== 0
      ? { ...row, spread: { years: ints[i + 7]!, min: orNull(floats[x + 4]!), max: orNull(floats[x + 5]!), sd: orNull(floats[x + 6]!) } }
      : row;
  }
  return rows;
}

/** The typed arrays a packed value holds, to move rather than copy them. */
export function transferables(p: PackedTable | PackedRows): ArrayBuffer[] {
  const out = [p.ints.buffer, p.floats.buffer];
  if ('groups' in p) out.push(p.groups.buffer);
  return out as ArrayBuffer[];
}
