/**
 * Breakdown values of one learner: the value valid at the cohort's start,
 * `unknown` when missing.
 */
import type { RuleSet } from '@leerroutes/domain';
import {
  areaChain, backgroundAt, effectiveCode, firstVoRow, referenceAdviceOf, type ReportingPathway, type ReferenceData,
} from '@leerroutes/pathway';

export const UNKNOWN = 'unknown';

export interface GroupContext {
  readonly rules: RuleSet;
  readonly ref: ReferenceData;
  /** The date background values are taken at (the cohort's start). */
  readonly date: string;
  /** The VO school to report under `vo_school`/`board`; default the school at intake (first VO row). */
  readonly institution?: string | null;
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
      const area = backgroundAt(p, ctx.date)?.area;
      if (!area) return UNKNOWN;
      if (depth === undefined) return area.code;
      // A learner whose own area lies above the requested depth has no area at that depth.
      return orUnknown(areaChain(ctx.ref, area)[Number(depth)]);
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
    case 'advice': {
      const ref = referenceAdviceOf(p.advices, ctx.rules);
      return ref ? effectiveCode(ctx.rules, ref.level) : UNKNOWN;
    }
    default:
      return UNKNOWN;
  }
}

const institutionOf = (p: ReportingPathway, ctx: GroupContext): string | null =>
  ctx.institution !== undefined ? ctx.institution : (firstVoRow(p)?.institution ?? null);

export function groupOf(p: ReportingPathway, dims: readonly string[], ctx: GroupContext): string[] {
  return dims.map((d) => dimensionValue(p, d, ctx));
}
