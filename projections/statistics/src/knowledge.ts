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
  const open = Object.fromEntries(LEARNER_TABLES.map((t) => [t, new Map<string, { row: object; from: number }>()])) as Record<Table, Map<string, { row: object; from: number }>>;
  for (const day of days) {
    const known = events.filter((e) => dayOf(e.knownAt) <= day);
    const pathway = foldRecords(learnerId, known);
    const facts = factsOf(pathway);
    if (day === days[days.length - 1]) areas = areasOf(pathway);
    for (const table of LEARNER_TABLES) {
      // Identical rows (two equal attempts, say) stay apart by their occurrence.
      const now = new Map<string, object>();
      for (const row of facts[table] as object[]) {
        const base = JSON.stringify(row);
        let key = base;
        for (let n = 1; now.has(key); n++) key = `${base}#${n}`;
        now.set(key, row);
      }
      const o = open[table];
      for (const [key, v] of o) {
        if (now.has(key)) continue;
        out[table].push(Object.assign(v.row, { known_from: v.from, known_until: day }));
        o.delete(key);
      }
      for (const [key, row] of now) if (!o.has(key)) o.set(key, { row, from: day });
    }
  }
  for (const table of LEARNER_TABLES) for (const v of open[table].values()) out[table].push(Object.assign(v.row, { known_from: v.from, known_until: null }));
  return { facts: out as unknown as KnownFacts, areas };
}
