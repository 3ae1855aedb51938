/**
 * Breakdown values of one learner (README, breakdown dimensions): the value
 * valid at the cohort's start, `unknown` when missing; and the lineage that
 * lets suppression derive coarser tables from a finer one.
 */
import type { RuleSet } from '@leerroutes/domain';
import { SCHOOL_DERIVED } from '../contract.js';
import {
  areaChain, backgroundAt, effectiveCode, firstVoRow, referenceAdviceOf, schoolGroupOn, yearThreeRow,
  type CohortType, type ReportingPathway, type ReferenceData,
} from '@leerroutes/pathway';

export const UNKNOWN = 'unknown';

export interface GroupContext {
  readonly rules: RuleSet;
  readonly ref: ReferenceData;
  readonly cohortType: CohortType;
  /** The date background values (and school groups) are taken at: the cohort's start, or 1 August of t. */
  readonly date: string;
  /** The VO school to report under `vo_school` and what derives from it; default the cohort's school. */
  readonly institution?: string | null;
  /** The level of the row on t (`level`). */
  readonly level?: string | null;
  /** Each institution's tercile of weighted learners (`school_weight_group`). */
  readonly weightGroups?: ReadonlyMap<string, string>;
}

const orUnknown = (v: string | null | undefined): string => (v === null || v === undefined || v === '' ? UNKNOWN : v);

export function dimensionValue(p: ReportingPathway, dim: string, ctx: GroupContext): string {
  const [name, depth] = dim.split(':') as [string, string | undefined];
  switch (name) {
    case 'gender':
      return orUnknown(p.registration?.gender);
    case 'pupil_weight': {
      const w = backgroundAt(p, ctx.date)?.pupilWeight;
      return w === null || w === undefined ? UNKNOWN : String(w);
    }
    case 'parental_education':
      return orUnknown(backgroundAt(p, ctx.date)?.parentalEducation);
    case 'migration_background':
      return orUnknown(backgroundAt(p, ctx.date)?.migrationBackground);
    case 'area': {
      const chain = chainOf(p, ctx);
      if (chain === null) return UNKNOWN;
      // A learner whose own area lies above the requested depth has no area at that depth.
      return depth === undefined ? chain[chain.length - 1]! : orUnknown(chain[Number(depth)]);
    }
    case 'po_school': {
      const ref = referenceAdviceOf(p.advices, ctx.rules);
      return orUnknown(ref?.poSchool ?? p.advices[p.advices.length - 1]?.poSchool);
    }
    case 'vo_school':
      return orUnknown(institutionOf(p, ctx));
    case 'board': {
      const inst = institutionOf(p, ctx);
      return inst ? orUnknown(ctx.ref.institutions.get(inst)?.board) : UNKNOWN;
    }
    case 'school_group': {
      const inst = institutionOf(p, ctx);
      return inst ? schoolGroupOn(ctx.ref, inst, ctx.date) : UNKNOWN;
    }
    case 'school_weight_group': {
      const inst = institutionOf(p, ctx);
      return inst ? orUnknown(ctx.weightGroups?.get(inst)) : UNKNOWN;
    }
    case 'advice': {
      const ref = referenceAdviceOf(p.advices, ctx.rules);
      return ref ? effectiveCode(ctx.rules, ref.level) : UNKNOWN;
    }
    case 'level':
      return orUnknown(ctx.level);
    default:
      return UNKNOWN;
  }
}

/** The learner's area chain from the root down to the own area, or null without an area. */
function chainOf(p: ReportingPathway, ctx: GroupContext): string[] | null {
  const area = backgroundAt(p, ctx.date)?.area;
  return area ? areaChain(ctx.ref, area) : null;
}

/** The school a learner is reported under: the unit's own, else the cohort's (year 3 for leerjaar3 cohorts, else intake). */
const institutionOf = (p: ReportingPathway, ctx: GroupContext): string | null =>
  ctx.institution !== undefined
    ? ctx.institution
    : ((ctx.cohortType === 'leerjaar3' ? yearThreeRow(p) : firstVoRow(p))?.institution ?? null);


/**
 * The lineage of a learner's group (table.ts, CountInstance.lineage): the
 * area chain above a requested area depth, and what a requested school
 * coarsens to.
 */
export function lineageOf(p: ReportingPathway, dims: readonly string[], ctx: GroupContext): Record<string, string> {
  const lineage: Record<string, string> = {};
  for (const dim of dims) {
    const [name, depth] = dim.split(':') as [string, string | undefined];
    if (name === 'area') {
      const chain = chainOf(p, ctx);
      if (chain === null) continue;
      const above = depth === undefined ? chain.length - 1 : Number(depth);
      for (let k = 0; k < above && k < chain.length; k++) lineage[`area:${k}`] = chain[k]!;
    } else if (name === 'vo_school') {
      for (const d of SCHOOL_DERIVED) lineage[d] = dimensionValue(p, d, ctx);
    }
  }
  return lineage;
}

/**
 * Terciles of institutions by their share of weighted learners
 * (`school_weight_group`): over every VO row, the share with pupil weight > 0
 * at the start of the row's school year, rows with an unknown weight left
 * out; institutions ordered by share, ties by code, cut as SQL's ntile(3).
 */
export class WeightShares {
  private readonly rows = new Map<string, { weighted: number; known: number }>();

  add(p: ReportingPathway): void {
    for (const r of p.timeline) {
      if (r.sector !== 'vo') continue;
      const w = backgroundAt(p, `${r.schoolYear.slice(0, 4)}-08-01`)?.pupilWeight;
      if (w === null || w === undefined) continue;
      const s = this.rows.get(r.institution) ?? { weighted: 0, known: 0 };
      s.known++;
      if (w > 0) s.weighted++;
      this.rows.set(r.institution, s);
    }
  }

  groups(): Map<string, string> {
    const ordered = [...this.rows].map(([inst, s]) => ({ inst, share: s.weighted / s.known }))
      .sort((a, b) => a.share - b.share || (a.inst < b.inst ? -1 : a.inst > b.inst ? 1 : 0));
    const out = new Map<string, string>();
    const n = ordered.length;
    const base = Math.floor(n / 3);
    let at = 0;
    ['low', 'middle', 'high'].forEach((name, i) => {
      const size = base + (i < n % 3 ? 1 : 0);
      for (let j = 0; j < size; j++) out.set(ordered[at++]!.inst, name);
    });
    return out;
  }
}
