/**
 * Pure computation of a report from pathways, the test oracle of the
 * statistics projection: counting units per learner with their breakdown
 * values and lineage, then a count table, then the publishing step every
 * path shares.
 */
import type { RuleSet } from '@leerroutes/domain';
import { schoolYearStart, type ReportingPathway, type ReferenceData } from '@leerroutes/pathway';
import { SCHOOL_DERIVED, type ReportRequest, type ReportRow } from '../contract.js';
import { countTableOf, type GroupedUnit } from './aggregate.js';
import { dimensionValue, lineageOf, type GroupContext } from './dimensions.js';
import { publish, relatedRequests } from '../publish.js';
import type { CountTable } from '../table.js';
import { INDICATOR_DEFS, type IndicatorContext } from '../units.js';

export interface ComputeInput {
  readonly ref: ReferenceData;
  /** Covered reference dates (complete counts), ascending. */
  readonly covered: readonly string[];
  /** Each institution's tercile of weighted learners; needed when weightGroupsNeeded(request). */
  readonly weightGroups?: ReadonlyMap<string, string>;
}

/** Whether a request's groups or lineage read the terciles of weighted learners (a pass over everyone). */
export const weightGroupsNeeded = (request: ReportRequest): boolean =>
  request.by.some((d) => d === 'vo_school' || (SCHOOL_DERIVED as readonly string[]).includes(d));

/** Every counting unit of the given learners, with its group and lineage. */
export function unitsOf(request: ReportRequest, rules: RuleSet, pathways: Iterable<ReportingPathway>, input: ComputeInput): GroupedUnit[] {
  const def = INDICATOR_DEFS[request.indicator];
  const ctx: IndicatorContext = { rules, cohort: request.cohort, cohortType: request.cohortType, covered: input.covered };
  const cohortStart = request.cohort === null ? null : schoolYearStart(request.cohort);
  const base = { rules, ref: input.ref, cohortType: request.cohortType, ...(input.weightGroups ? { weightGroups: input.weightGroups } : {}) };
  const out: GroupedUnit[] = [];
  for (const p of pathways) {
    const units = def.units(p, ctx);
    if (units.length === 0) continue;
    // Most units of a learner share the learner's group: worked out once, one object for all of them.
    let shared: { group: Record<string, string>; lineage: Record<string, string> } | null = null;
    for (const unit of units) {
      let grouped: { group: Record<string, string>; lineage: Record<string, string> };
      // Background is taken at the cohort's start; over everyone, at the start of the unit's school year.
      const date = cohortStart ?? unit.groupDate ?? '0000-01-01';
      const own = unit.institution !== undefined || unit.level !== undefined || (cohortStart === null && unit.groupDate !== undefined);
      if (!own) grouped = shared ??= groupFor(p, request.by, { ...base, date });
      else {
        grouped = groupFor(p, request.by, {
          ...base, date,
          ...(unit.institution !== undefined ? { institution: unit.institution } : {}),
          ...(unit.level !== undefined ? { level: unit.level } : {}),
        });
      }
      const group = unit.extraGroup ? { ...grouped.group, ...unit.extraGroup } : grouped.group;
      out.push({ learnerId: p.learnerId, group, lineage: grouped.lineage, unit });
    }
  }
  return out;
}

function groupFor(p: ReportingPathway, dims: readonly string[], ctx: GroupContext): { group: Record<string, string>; lineage: Record<string, string> } {
  const group: Record<string, string> = {};
  for (const d of dims) group[d] = dimensionValue(p, d, ctx);
  return { group, lineage: lineageOf(p, dims, ctx) };
}

/** The count table of a request over the given learners. */
export function computeTable(request: ReportRequest, rules: RuleSet, pathways: Iterable<ReportingPathway>, input: ComputeInput): CountTable {
  return countTableOf(unitsOf(request, rules, pathways, input));
}

/**
 * One call for tests and in-memory use: pathways in, published rows out,
 * with any related table suppression needs computed from the same learners.
 */
export async function computeRows(request: ReportRequest, rules: RuleSet, pathways: readonly ReportingPathway[], input: ComputeInput): Promise<ReportRow[]> {
  const related = new Map(relatedRequests(request).map((r) => [JSON.stringify(r), computeTable(r, rules, pathways, input)]));
  return publish(request, computeTable(request, rules, pathways, input), { related: async (r) => related.get(JSON.stringify(r)) ?? [] });
}

/** Whether a unit lies in a requested cell (explain); a pooled cell (school year null) holds every year's units. */
export function unitInCell(
  u: GroupedUnit,
  cell: { group: Readonly<Record<string, string>>; offset: number | null; schoolYear: string | null; category: string },
): boolean {
  if (u.unit.offset !== cell.offset) return false;
  if (u.unit.schoolYear !== cell.schoolYear && cell.schoolYear !== null) return false;
  if (!u.unit.categories.includes(cell.category)) return false;
  return Object.entries(cell.group).every(([k, v]) => u.group[k] === v);
}
