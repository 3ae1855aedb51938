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
  // Per table: the rows of the last version and the day the first version began; the rows still open, by key,
  // only once a version differed. Most tables are the same from one version to the next (a correction touches
  // a few rows), and keying every row of every version (JSON.stringify) was most of a re-delivered learner's fold.
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
      const open = v.open ??= new Map([...keyed(v.last)].map(([key, row]) => [key, { row, from: v.first }]));
      const now = keyed(rows);
      for (const [key, o] of open) {
        if (now.has(key)) continue;
        out[table].push(Object.assign(o.row, { known_from: o.from, known_until: day }));
        open.delete(key);
      }
      for (const [key, row] of now) if (!open.has(key)) open.set(key, { row, from: day });
      v.last = rows;
    }
  }
  for (const table of LEARNER_TABLES) {
    const v = state[table];
    if (v.open) for (const o of v.open.values()) out[table].push(Object.assign(o.row, { known_from: o.from, known_until: null }));
    else for (const row of v.last ?? []) out[table].push(Object.assign(row, { known_from: v.first, known_until: null }));
  }
  return { facts: out as unknown as KnownFacts, areas };
}

interface TableVersions {
  last: object[] | null;
  first: number;
  /** In the order they were opened: the first version's order, then each later one's new rows. */
  open: Map<string, { row: object; from: number }> | null;
}

/** A version's rows by their content; identical rows (two equal attempts, say) stay apart by their occurrence. */
function keyed(rows: readonly object[]): Map<string, object> {
  const now = new Map<string, object>();
  for (const row of rows) {
    const base = JSON.stringify(row);
    let key = base;
    for (let n = 1; now.has(key); n++) key = `${base}#${n}`;
    now.set(key, row);
  }
  return now;
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
