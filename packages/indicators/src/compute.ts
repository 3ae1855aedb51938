/**
 * Pure computation of a report from pathways: units per learner with their
 * breakdown values, then aggregation and suppression.
 */
import { effectiveMinCell, type RuleSet } from '@leerroutes/domain';
import { schoolYearStart, type ReportingPathway, type ReferenceData } from '@leerroutes/pathway';
import type { ReportRequest, ReportRow } from './contract.js';
import { aggregate, type Aggregated, type GroupedUnit } from './aggregate.js';
import { dimensionValue, type GroupContext } from './dimensions.js';
import { INDICATOR_DEFS, type IndicatorContext } from './units.js';

export interface ComputeInput {
  readonly ref: ReferenceData;
  /** Reference dates on which any learner of the whole population has a row. */
  readonly covered: readonly string[];
}

/** Every counting unit of the given learners, with its group. */
export function unitsOf(request: ReportRequest, rules: RuleSet, pathways: Iterable<ReportingPathway>, input: ComputeInput): GroupedUnit[] {
  const def = INDICATOR_DEFS[request.indicator];
  const ctx: IndicatorContext = { rules, cohort: request.cohort, covered: input.covered };
  const cohortStart = request.cohort === null ? null : schoolYearStart(request.cohort);
  const out: GroupedUnit[] = [];
  for (const p of pathways) {
    const units = def.units(p, ctx);
    if (units.length === 0) continue;
    let learnerGroup: Record<string, string> | null = null;
    for (const unit of units) {
      let group: Record<string, string>;
      // Background is taken at the cohort's start; over everyone, at the start of the unit's school year.
      const date = cohortStart ?? unit.groupDate ?? '0000-01-01';
      if (unit.institution === undefined && (cohortStart !== null || unit.groupDate === undefined)) {
        learnerGroup ??= groupFor(p, request.by, { rules, ref: input.ref, date });
        group = learnerGroup;
      } else {
        group = groupFor(p, request.by, { rules, ref: input.ref, date, ...(unit.institution !== undefined ? { institution: unit.institution } : {}) });
      }
      out.push({ learnerId: p.learnerId, group: unit.extraGroup ? { ...group, ...unit.extraGroup } : group, unit });
    }
  }
  return out;
}

function groupFor(p: ReportingPathway, dims: readonly string[], ctx: GroupContext): Record<string, string> {
  const g: Record<string, string> = {};
  for (const d of dims) g[d] = dimensionValue(p, d, ctx);
  return g;
}

export function rowsOf(request: ReportRequest, units: readonly GroupedUnit[], ref?: ReferenceData): Aggregated {
  const minCell = effectiveMinCell(request.minCell);
  // Areas nest: the children of an area add up to it in the report one level up.
  const parentOf = (dim: string, value: string): string | null => (ref && dim.split(':')[0] === 'area' ? ref.areas.get(value)?.parent ?? null : null);
  return aggregate(units, INDICATOR_DEFS[request.indicator], request.by, minCell, request.unsuppressed === true, parentOf);
}

/** One call for tests and in-memory use: pathways in, long-format rows out. */
export function computeRows(request: ReportRequest, rules: RuleSet, pathways: Iterable<ReportingPathway>, input: ComputeInput): ReportRow[] {
  return rowsOf(request, unitsOf(request, rules, pathways, input), input.ref).rows;
}

/** Whether a unit lies in a requested cell (explain). */
export function unitInCell(
  u: GroupedUnit,
  cell: { group: Readonly<Record<string, string>>; offset: number | null; schoolYear: string | null; category: string },
): boolean {
  if (u.unit.offset !== cell.offset || u.unit.schoolYear !== cell.schoolYear) return false;
  if (!u.unit.categories.includes(cell.category)) return false;
  return Object.entries(cell.group).every(([k, v]) => u.group[k] === v);
}
