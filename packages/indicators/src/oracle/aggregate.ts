/**
 * From counting units to a count table (table.ts): units added up per group,
 * lineage, offset or school year and family. What is published of it, and
 * how, is publish.ts's business, shared with the statistics projection.
 */
import type { CountInstance, CountTable } from '../table.js';
import type { Unit } from '../units.js';

export interface GroupedUnit {
  readonly learnerId: string;
  /** Requested dimensions in order, then the indicator's fixed keys. */
  readonly group: Readonly<Record<string, string>>;
  readonly lineage: Readonly<Record<string, string>>;
  readonly unit: Unit;
}

interface Building {
  readonly group: Readonly<Record<string, string>>;
  readonly lineage: Readonly<Record<string, string>>;
  readonly offset: number | null;
  readonly schoolYear: string | null;
  readonly family: string;
  denominator: number;
  readonly counts: Map<string, number>;
  readonly edges: Map<string, { from: string; to: string }>;
}

/** Interns equal records to one number, looking each object up by identity first (a learner's units share theirs). */
class Interner {
  private readonly byObject = new Map<object, number>();
  private readonly byContent = new Map<string, number>();
  id(record: Readonly<Record<string, string>>): number {
    let id = this.byObject.get(record);
    if (id !== undefined) return id;
    const content = JSON.stringify(Object.entries(record));
    id = this.byContent.get(content);
    if (id === undefined) this.byContent.set(content, (id = this.byContent.size));
    this.byObject.set(record, id);
    return id;
  }
}

export function countTableOf(units: Iterable<GroupedUnit>): CountTable {
  // Millions of units fall into a few thousand instances: no string key per
  // unit, but interned groups and lineages indexing nested maps.
  const groups = new Interner();
  const lineages = new Interner();
  const slots = new Map<number, Map<number, Map<string, Map<number | null, Map<string | null, Building>>>>>();
  const out: Building[] = [];
  const at = <K, V>(m: Map<K, V>, k: K, make: () => V): V => {
    let v = m.get(k);
    if (v === undefined) m.set(k, (v = make()));
    return v;
  };
  for (const { group, lineage, unit } of units) {
    const byYear = at(at(at(at(slots, groups.id(group), () => new Map()), lineages.id(lineage), () => new Map()), unit.family, () => new Map()), unit.offset, () => new Map());
    const inst = at(byYear, unit.schoolYear, (): Building => {
      const b: Building = { group, lineage, offset: unit.offset, schoolYear: unit.schoolYear, family: unit.family, denominator: 0, counts: new Map(), edges: new Map() };
      out.push(b);
      return b;
    });
    inst.denominator++;
    for (const c of unit.categories) {
      inst.counts.set(c, (inst.counts.get(c) ?? 0) + 1);
      if (unit.from !== undefined && unit.to !== undefined) inst.edges.set(c, { from: unit.from, to: unit.to });
    }
  }
  return out.map((b): CountInstance => ({
    group: b.group, lineage: b.lineage, offset: b.offset, schoolYear: b.schoolYear, family: b.family,
    denominator: b.denominator, counts: b.counts, ...(b.edges.size > 0 ? { edges: b.edges } : {}),
  }));
}
