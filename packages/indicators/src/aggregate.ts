/**
 * From counting units to long-format rows: counts and denominators per group,
 * offset or school year, family and category, with small-cell suppression.
 */
import type { ReportRow } from './contract.js';
import { newCell, suppress, type Cell } from './suppress.js';
import { familyDef, type FamilyDef, type IndicatorDef, type Unit } from './units.js';

export interface GroupedUnit {
  readonly learnerId: string;
  /** Requested dimensions in order, then any extra keys of the unit. */
  readonly group: Readonly<Record<string, string>>;
  readonly unit: Unit;
}

interface Instance {
  readonly entries: readonly [string, string][];
  readonly offset: number | null;
  readonly schoolYear: string | null;
  readonly family: FamilyDef;
  denominator: number;
  readonly counts: Map<string, number>;
  readonly edges: Map<string, { from: string; to: string }>;
}

export interface Aggregated {
  readonly rows: ReportRow[];
  /** The relations suppression respected (for tests of the non-recomputability property). */
  readonly relations: readonly (readonly Cell[])[];
}

const key = (...parts: unknown[]): string => JSON.stringify(parts);

/**
 * The parent of a breakdown value in a hierarchy (areas), or null. The cells of
 * a parent's children (and of the parent itself) add up to the parent's cell in
 * the report one level up, which a reader may also have.
 */
export type ParentOf = (dim: string, value: string) => string | null;

export function aggregate(
  units: readonly GroupedUnit[], def: IndicatorDef, dims: readonly string[], minCell: number, unsuppressed: boolean,
  parentOf: ParentOf = () => null,
): Aggregated {
  // Millions of units fall into a few hundred instances. No string key per
  // unit: a learner's units share one group object, whose content is interned
  // to a number once; then family, offset and school year index nested maps.
  const instances: Instance[] = [];
  const groupIds = new Map<Readonly<Record<string, string>>, number>();
  const idsByContent = new Map<string, number>();
  const slots: Map<string, Map<number | null, Map<string | null, Instance>>>[] = [];
  const entriesOf: [string, string][][] = [];
  for (const { group, unit } of units) {
    let gid = groupIds.get(group);
    if (gid === undefined) {
      const entries = Object.entries(group);
      const content = key(entries);
      gid = idsByContent.get(content);
      if (gid === undefined) {
        gid = slots.length;
        idsByContent.set(content, gid);
        slots.push(new Map());
        entriesOf.push(entries);
      }
      groupIds.set(group, gid);
    }
    const byFamily = slots[gid]!;
    let byOffset = byFamily.get(unit.family);
    if (!byOffset) byFamily.set(unit.family, (byOffset = new Map()));
    let byYear = byOffset.get(unit.offset);
    if (!byYear) byOffset.set(unit.offset, (byYear = new Map()));
    let inst = byYear.get(unit.schoolYear);
    if (!inst) {
      inst = { entries: entriesOf[gid]!, offset: unit.offset, schoolYear: unit.schoolYear, family: familyDef(def, unit.family), denominator: 0, counts: new Map(), edges: new Map() };
      byYear.set(unit.schoolYear, inst);
      instances.push(inst);
    }
    inst.denominator++;
    for (const c of unit.categories) {
      inst.counts.set(c, (inst.counts.get(c) ?? 0) + 1);
      if (unit.from !== undefined && unit.to !== undefined) inst.edges.set(c, { from: unit.from, to: unit.to });
    }
  }

  const familyOrder = (name: string): number => {
    const i = def.families.findIndex((f) => f.name === name);
    return i < 0 ? def.families.length : i;
  };
  const sorted = [...instances].sort((a, b) => {
    for (let i = 0; i < Math.max(a.entries.length, b.entries.length); i++) {
      const c = (a.entries[i]?.[1] ?? '').localeCompare(b.entries[i]?.[1] ?? '');
      if (c) return c;
    }
    return (a.offset ?? -1e9) - (b.offset ?? -1e9) || (a.schoolYear ?? '').localeCompare(b.schoolYear ?? '')
      || familyOrder(a.family.name) - familyOrder(b.family.name) || a.family.name.localeCompare(b.family.name);
  });

  // Cells: one per category of an instance, one denominator per group/offset/year
  // (shared by the families that count the same units), one unpublished complement per binary instance.
  const denCells = new Map<string, Cell>();
  const catCells = new Map<string, Cell>();
  const relations: Cell[][] = [];
  const columns = new Map<string, Cell[]>();
  const push = (k: string, cell: Cell) => {
    const col = columns.get(k);
    if (col) col.push(cell);
    else columns.set(k, [cell]);
  };
  const addToColumns = (entries: readonly [string, string][], tail: unknown[], cell: Cell) => {
    for (let d = 0; d < dims.length; d++) {
      const others = entries.filter((_, i) => i !== d);
      push(key(others, ...tail), cell);
      const value = entries[d]![1];
      const parent = parentOf(dims[d]!, value);
      if (parent !== null) push(key('#within', d, parent, others, ...tail), cell);
      // The parent's own cell (learners living in the parent area itself) belongs to its family too.
      push(key('#within', d, value, others, ...tail), cell);
    }
  };
  const categoriesOf = (inst: Instance): string[] => {
    const fixed = inst.family.fixed;
    const extra = [...inst.counts.keys()].filter((c) => !fixed.includes(c)).sort();
    return [...fixed, ...extra];
  };
  const plan: { inst: Instance; den: Cell; cats: [string, Cell][] }[] = [];
  for (const inst of sorted) {
    const route = inst.family.name.startsWith('success ') ? inst.family.name.slice('success '.length) : null;
    let den: Cell;
    if (route !== null) {
      // A route's success is counted among the learners of that route: its denominator is the route's cell.
      den = catCells.get(key(inst.entries, inst.offset, inst.schoolYear, 'route', route)) ?? newCell(inst.denominator, { isDenominator: true });
    } else {
      const dk = key(inst.entries, inst.offset, inst.schoolYear);
      const found = denCells.get(dk);
      if (found) den = found;
      else {
        den = newCell(inst.denominator, { isDenominator: true });
        denCells.set(dk, den);
        addToColumns(inst.entries, [inst.offset, inst.schoolYear, '#denominator'], den);
      }
    }
    const cats: [string, Cell][] = categoriesOf(inst).map((c) => {
      const cell = newCell(inst.counts.get(c) ?? 0);
      catCells.set(key(inst.entries, inst.offset, inst.schoolYear, inst.family.name, c), cell);
      addToColumns(inst.entries, [inst.offset, inst.schoolYear, inst.family.name, c], cell);
      return [c, cell];
    });
    const relation = [den, ...cats.map(([, c]) => c)];
    if (inst.family.kind === 'binary') {
      const counted = cats.reduce((n, [, c]) => n + c.count, 0);
      const complement = newCell(inst.denominator - counted, { virtual: true });
      relation.push(complement);
      addToColumns(inst.entries, [inst.offset, inst.schoolYear, inst.family.name, '#complement'], complement);
    }
    relations.push(relation);
    plan.push({ inst, den, cats });
  }
  for (const col of columns.values()) relations.push(col);

  const allCells = [...new Set(relations.flat())];
  if (!unsuppressed) suppress(allCells, relations, minCell);

  const rows: ReportRow[] = [];
  for (const { inst, den, cats } of plan) {
    for (const [category, cell] of cats) {
      const edge = inst.edges.get(category);
      const denShown = !den.hidden;
      const percentShown = !cell.hidden && denShown && den.count > 0 && (unsuppressed || den.count > minCell);
      rows.push({
        group: Object.fromEntries(inst.entries),
        offset: inst.offset,
        schoolYear: inst.schoolYear,
        ...(edge ? { from: edge.from, to: edge.to } : {}),
        category,
        count: cell.hidden ? null : cell.count,
        denominator: denShown ? den.count : null,
        percent: percentShown ? Math.round((cell.count / den.count) * 1000) / 10 : null,
        suppressed: cell.hidden,
      });
    }
  }
  return { rows, relations };
}
