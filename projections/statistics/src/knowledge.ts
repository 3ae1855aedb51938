/**
 * Transaction time ("as known on D") as a filter: every statistics row
 * carries the interval of days in which it held, by the `knownAt` of the
 * learner's events. The learner is folded once per day on which something
 * about the learner became known, with the events known by then, and a row
 * that is the same in consecutive versions is one row with a longer
 * interval. As known on D keeps `known_from <= D < known_until` (null: still).
 */
import { foldRecords, type PathwayInputEvent } from '@leerroutes/pathway';
import { areasOf, dayOf, factsOf, type AreaRow, type LearnerFacts } from './facts.js';

export type Table = keyof LearnerFacts;
export const LEARNER_TABLES: readonly Table[] = ['member', 'learner', 'state', 'step', 'diploma', 'attempt', 'revision'];

export type Known<R> = R & { readonly known_from: number; readonly known_until: number | null };
export type KnownFacts = { readonly [T in Table]: Known<LearnerFacts[T][number]>[] };

export interface LearnerEvent extends PathwayInputEvent {
  readonly knownAt: string;
}

/**
 * Every version of a learner's statistics rows, merged into knowledge
 * intervals; and the area chains recorded with the learner's background as
 * now known.
 */
export function knownFacts(learnerId: string, events: readonly LearnerEvent[]): { facts: KnownFacts; areas: AreaRow[] } {
  const days = [...new Set(events.map((e) => dayOf(e.knownAt)))].sort((a, b) => a - b);
  let areas: AreaRow[] = [];
  // Everything known on one day (one delivery): one version, nothing to merge.
  if (days.length === 1) {
    const pathway = foldRecords(learnerId, events);
    const facts = factsOf(pathway) as unknown as Record<Table, Record<string, unknown>[]>;
    for (const table of LEARNER_TABLES) for (const row of facts[table]) { row['known_from'] = days[0]; row['known_until'] = null; }
    return { facts: facts as unknown as KnownFacts, areas: areasOf(pathway) };
  }
  const out = Object.fromEntries(LEARNER_TABLES.map((t) => [t, [] as unknown[]])) as unknown as Record<Table, Known<object>[]>;
  // Per table: the rows of the last version and the day the first version began; the rows still open, only once
  // a version differed. Most tables are the same from one version to the next (a correction touches a few rows).
  const state = Object.fromEntries(LEARNER_TABLES.map((t) => [t, { last: null, first: 0, open: null }])) as Record<Table, TableVersions>;
  for (const day of days) {
    const known = events.filter((e) => dayOf(e.knownAt) <= day);
    const pathway = foldRecords(learnerId, known);
    const facts = factsOf(pathway);
    if (day === days[days.length - 1]) areas = areasOf(pathway);
    for (const table of LEARNER_TABLES) {
      const rows = facts[table] as object[];
      const v = state[table];
      if (v.last === null) { v.last = rows; v.first = day; continue; }
      if (sameRows(v.last, rows)) continue;
      const open = v.open ?? v.last.map((row) => ({ row, from: v.first }));
      const { stays, held } = matchVersion(open, rows);
      const still: { row: object; from: number }[] = [];
      for (let i = 0; i < open.length; i++) {
        const o = open[i]!;
        if (stays[i] === 1) still.push(o);
        else out[table].push(Object.assign(o.row, { known_from: o.from, known_until: day }));
      }
      for (let j = 0; j < rows.length; j++) if (held[j] === 0) still.push({ row: rows[j]!, from: day });
      v.open = still;
      v.last = rows;
    }
  }
  for (const table of LEARNER_TABLES) {
    const v = state[table];
    if (v.open) for (const o of v.open) out[table].push(Object.assign(o.row, { known_from: o.from, known_until: null }));
    else for (const row of v.last ?? []) out[table].push(Object.assign(row, { known_from: v.first, known_until: null }));
  }
  return { facts: out as unknown as KnownFacts, areas };
}

interface TableVersions {
  last: object[] | null;
  first: number;
  /** In the order they were opened: the first version's order, then each later one's new rows. */
  open: { row: object; from: number }[] | null;
}

/** Pairs of rows compared one by one before the rows are keyed by their JSON instead. */
const PAIRWISE_LIMIT = 4_096;

/**
 * Which open rows a new version still holds (`stays`), and which of the
 * version's rows were open already (`held`). Rows are the same when their
 * JSON is (sameContent); of rows the same, the k-th open one stays while the
 * version holds k + 1 of them, and the version's rows beyond those open are
 * new: each open row, in order, takes the version's first such row not yet
 * taken. A yearly delivery changes most of a learner's tables, and keying
 * every row of both versions by its JSON was the largest part of a rebuild
 * of a log of yearly deliveries (6.2 s of 68 s of CPU at 110,000 learners);
 * a learner's table holds a few dozen rows, so comparing them pair by pair
 * costs less. A table past PAIRWISE_LIMIT pairs is keyed.
 */
export function matchVersion(open: readonly { readonly row: object }[], rows: readonly object[]): { stays: Uint8Array; held: Uint8Array } {
  const stays = new Uint8Array(open.length);
  const held = new Uint8Array(rows.length);
  if (open.length * rows.length <= PAIRWISE_LIMIT) {
    for (let i = 0; i < open.length; i++) {
      const row = open[i]!.row;
      for (let j = 0; j < rows.length; j++) {
        if (held[j] === 0 && sameContent(row, rows[j]!)) { held[j] = 1; stays[i] = 1; break; }
      }
    }
    return { stays, held };
  }
  // The version's rows by their JSON, in order, each list with how many of it are taken.
  const byKey = new Map<string, { at: number[]; taken: number }>();
  for (let j = 0; j < rows.length; j++) {
    const key = JSON.stringify(rows[j]);
    const same = byKey.get(key);
    if (same) same.at.push(j);
    else byKey.set(key, { at: [j], taken: 0 });
  }
  for (let i = 0; i < open.length; i++) {
    const same = byKey.get(JSON.stringify(open[i]!.row));
    if (!same || same.taken === same.at.length) continue;
    held[same.at[same.taken++]!] = 1;
    stays[i] = 1;
  }
  return { stays, held };
}

/**
 * Whether two rows have the same JSON: the same keys in the same order with
 * identical values, checked without writing either out; only a row with a
 * value JSON writes otherwise than it compares (an object, undefined, a
 * number that is not finite) is written out to be sure.
 */
export function sameContent(a: object, b: object): boolean {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const kx = Object.keys(x);
  const ky = Object.keys(y);
  if (kx.length === ky.length) {
    let same = true;
    for (let k = 0; k < kx.length; k++) {
      if (kx[k] !== ky[k] || x[kx[k]!] !== y[kx[k]!]) { same = false; break; }
    }
    if (same) return true;
  }
  return plain(x, kx) && plain(y, ky) ? false : JSON.stringify(a) === JSON.stringify(b);
}

/** Whether every value of a row is one JSON writes as it compares: text, a boolean, null or a finite number. */
function plain(row: Record<string, unknown>, keys: readonly string[]): boolean {
  for (const key of keys) {
    const v = row[key];
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number' && Number.isFinite(v)) continue;
    return false;
  }
  return true;
}

/**
 * Whether two versions of a table hold the same rows in the same order: the
 * same keys in the same order with identical values. That implies equal JSON,
 * so where it holds keying them would change nothing; where it does not
 * (a nested value, say), they are keyed.
 */
function sameRows(a: readonly object[], b: readonly object[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as Record<string, unknown>;
    const y = b[i] as Record<string, unknown>;
    const kx = Object.keys(x);
    const ky = Object.keys(y);
    if (kx.length !== ky.length) return false;
    for (let k = 0; k < kx.length; k++) if (kx[k] !== ky[k] || x[kx[k]!] !== y[kx[k]!]) return false;
  }
  return true;
}
