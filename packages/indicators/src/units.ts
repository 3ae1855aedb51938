/**
 * The indicators of SPEC section 6 as counting units: each learner (or step,
 * or learner-year) contributes one unit to a family's denominator and to the
 * categories it falls in. Aggregation, suppression and explain all work on
 * these units, so a cell and the learners behind it cannot disagree.
 */
import { STEP_CLASSES, ageOn, isVoDiploma, schoolYearOf, startYear, type RuleSet, type SchoolYear } from '@leerroutes/domain';
import {
  advicePositionOf, diplomaLevelRef, effectiveCode, firstPostVoRow, gradeOneRow, hasStartkwalificatieBefore, highestVoDiploma,
  outcomeOf, referenceAdviceOf, routeOf, rowState, stateOn, stepClass, voSteps, yearThreeRow,
  type ReportingPathway, type TimelineRow,
} from '@leerroutes/pathway';
import type { Indicator } from './contract.js';

export interface Unit {
  readonly offset: number | null;
  readonly schoolYear: string | null;
  readonly family: string;
  /** Exclusive families: exactly one category; binary families: the category or none. */
  readonly categories: readonly string[];
  readonly from?: string;
  readonly to?: string;
  /** Keys always in the group besides the requested dimensions (e.g. the sector of early-leavers). */
  readonly extraGroup?: Readonly<Record<string, string>>;
  /** The VO school this unit is reported under (per-school-year indicators: the school on t). */
  readonly institution?: string | null;
  /** The date background values are taken at, when not the cohort's start. */
  readonly groupDate?: string;
}

export interface FamilyDef {
  readonly name: string;
  readonly kind: 'exclusive' | 'binary';
  /** Categories always reported, zero or not, in this order; others follow alphabetically. */
  readonly fixed: readonly string[];
}

export interface IndicatorContext {
  readonly rules: RuleSet;
  /** Cohort school year, or null for a per-school-year indicator over everyone. */
  readonly cohort: string | null;
  /** Reference dates on which any learner of the whole population has a row, ascending. */
  readonly covered: readonly string[];
}

export interface IndicatorDef {
  readonly families: readonly FamilyDef[];
  units(p: ReportingPathway, ctx: IndicatorContext): Unit[];
}

const CLASSES = [...STEP_CLASSES, 'not-comparable'] as const;
const sy = (d: string): SchoolYear => schoolYearOf(d);
const yearOf = (s: string): number => startYear(s as SchoolYear);
const nextYear = (s: string): string => `${yearOf(s) + 1}-${yearOf(s) + 2}`;
const offsetOfDate = (ctx: IndicatorContext, date: string): number | null => (ctx.cohort === null ? null : yearOf(sy(date)) - yearOf(ctx.cohort));
/**
 * What depends on the context only (covered years, the date at each offset),
 * worked out once per report rather than once per learner: a context lives
 * for one computation and is then dropped.
 */
function perContext<T>(compute: (ctx: IndicatorContext) => T): (ctx: IndicatorContext) => T {
  const cache = new WeakMap<IndicatorContext, T>();
  return (ctx) => {
    if (cache.has(ctx)) return cache.get(ctx)!;
    const value = compute(ctx);
    cache.set(ctx, value);
    return value;
  };
}
const coveredYears = perContext((ctx): Set<string> => new Set(ctx.covered.map(sy)));
const coveredDateByYear = perContext((ctx): Map<string, string> => {
  const m = new Map<string, string>();
  for (const d of ctx.covered) if (!m.has(sy(d))) m.set(sy(d), d);
  return m;
});
const coveredDateOf = (ctx: IndicatorContext, year: string): string => coveredDateByYear(ctx).get(year) ?? `${year.slice(0, 4)}-10-01`;
const rowIn = (p: ReportingPathway, year: string): TimelineRow | undefined => p.timeline.find((r) => r.schoolYear === year);

/** Distribution offsets: from 0 to the newest covered reference date (at least offset 0). */
const distributionOffsets = perContext((ctx): number[] => {
  const newest = ctx.covered[ctx.covered.length - 1];
  const last = newest && ctx.cohort ? Math.max(0, yearOf(sy(newest)) - yearOf(ctx.cohort)) : 0;
  return Array.from({ length: last + 1 }, (_, k) => k);
});

/** The reference date of each distribution offset. */
const offsetDates = perContext((ctx): string[] => distributionOffsets(ctx).map((k) => {
  const year = `${yearOf(ctx.cohort!) + k}-${yearOf(ctx.cohort!) + k + 1}`;
  return coveredDateOf(ctx, year);
}));

/** Upper years (bovenbouw): vmbo 3-4, havo 4-5, vwo 4-6; the school type is the class's highest level. */
function isUpperYear(row: TimelineRow): boolean {
  const span = row.level.span;
  if (row.sector !== 'vo' || span === null || row.grade === null || span.high === 0) return false;
  if (span.high <= 3) return row.grade >= 3 && row.grade <= 4;
  if (span.high === 4) return row.grade >= 4 && row.grade <= 5;
  return row.grade >= 4 && row.grade <= 6;
}

const node = (stage: string, v: string | null): string => `${stage}:${v ?? 'none'}`;

export const INDICATOR_DEFS: Readonly<Record<Indicator, IndicatorDef>> = {
  'advice-position': {
    families: [{ name: 'advice-position', kind: 'exclusive', fixed: CLASSES }],
    units(p, ctx) {
      const c = advicePositionOf(p, ctx.rules, false);
      return c ? [{ offset: null, schoolYear: null, family: 'advice-position', categories: [c.category] }] : [];
    },
  },

  outcome: {
    families: [{ name: 'outcome', kind: 'exclusive', fixed: [...CLASSES, 'no-vo-diploma'] }],
    units(p, ctx) {
      return [{ offset: null, schoolYear: null, family: 'outcome', categories: [outcomeOf(p, ctx.rules, false).category] }];
    },
  },

  streams: {
    families: [
      { name: 'class', kind: 'exclusive', fixed: [...CLASSES, 'stacked'] },
      { name: 'repeated', kind: 'binary', fixed: ['repeated'] },
      { name: 'switched-school', kind: 'binary', fixed: ['switched-school'] },
    ],
    units(p, ctx) {
      const out: Unit[] = [];
      for (const s of voSteps(p)) {
        const offset = offsetOfDate(ctx, s.from.referenceDate);
        out.push({ offset, schoolYear: null, family: 'class', categories: [stepClass(ctx.rules, s)] });
        out.push({ offset, schoolYear: null, family: 'repeated', categories: s.repeated ? ['repeated'] : [] });
        out.push({ offset, schoolYear: null, family: 'switched-school', categories: s.switchedSchool ? ['switched-school'] : [] });
      }
      return out;
    },
  },

  distribution: {
    families: [{ name: 'state', kind: 'exclusive', fixed: [] }],
    units(p, ctx) {
      const newest = ctx.covered[ctx.covered.length - 1] ?? null;
      const dates = offsetDates(ctx);
      return distributionOffsets(ctx).map((k) => ({
        offset: k, schoolYear: null, family: 'state', categories: [stateOn(p, dates[k]!, newest)],
      }));
    },
  },

  transitions: {
    families: [{ name: 'transition', kind: 'exclusive', fixed: [] }],
    units(p, ctx) {
      const newest = ctx.covered[ctx.covered.length - 1] ?? null;
      const offsets = distributionOffsets(ctx);
      const dates = offsetDates(ctx);
      const states = offsets.map((k) => stateOn(p, dates[k]!, newest));
      const out: Unit[] = [];
      for (let i = 0; i + 1 < offsets.length; i++) {
        const from = states[i]!;
        const to = states[i + 1]!;
        out.push({ offset: offsets[i]!, schoolYear: null, family: 'transition', categories: [`${from} -> ${to}`], from, to });
      }
      return out;
    },
  },

  onderbouwsnelheid: {
    families: [{ name: 'promoted', kind: 'binary', fixed: ['promoted'] }],
    units(p) {
      const out: Unit[] = [];
      for (const row of p.timeline) {
        if (row.sector !== 'vo' || (row.grade !== 1 && row.grade !== 2)) continue;
        const next = rowIn(p, nextYear(row.schoolYear));
        if (!next || next.sector !== 'vo') continue;
        const promoted = next.grade !== null && next.grade > row.grade;
        out.push({
          offset: null, schoolYear: row.schoolYear, family: 'promoted', categories: promoted ? ['promoted'] : [],
          institution: row.institution, groupDate: `${row.schoolYear.slice(0, 4)}-08-01`,
        });
      }
      return out;
    },
  },

  bovenbouwsucces: {
    families: [{ name: 'success', kind: 'binary', fixed: ['success'] }],
    units(p, ctx) {
      const covered = coveredYears(ctx);
      const out: Unit[] = [];
      for (const row of p.timeline) {
        if (!isUpperYear(row) || !covered.has(nextYear(row.schoolYear))) continue;
        const next = rowIn(p, nextYear(row.schoolYear));
        const promoted = next !== undefined && next.sector === 'vo' && next.grade !== null && next.grade > row.grade!;
        const diploma = p.diplomas.some((d) => isVoDiploma(d.level) && d.schoolYear === row.schoolYear);
        out.push({
          offset: null, schoolYear: row.schoolYear, family: 'success', categories: promoted || diploma ? ['success'] : [],
          institution: row.institution, groupDate: `${row.schoolYear.slice(0, 4)}-08-01`,
        });
      }
      return out;
    },
  },

  'early-leavers': {
    families: [{ name: 'early-leaver', kind: 'binary', fixed: ['early-leaver'] }],
    units(p, ctx) {
      const covered = coveredYears(ctx);
      const out: Unit[] = [];
      for (const row of p.timeline) {
        if (row.sector !== 'vo' && row.sector !== 'mbo') continue;
        const t1 = nextYear(row.schoolYear);
        if (!covered.has(t1)) continue;
        // Age from the birth month, born on its first day; an unknown birth month counts as under 23.
        if (p.registration && ageOn(p.registration.birthMonth, row.referenceDate) >= 23) continue;
        const leaver = rowIn(p, t1) === undefined && !hasStartkwalificatieBefore(p, coveredDateOf(ctx, t1));
        out.push({
          offset: null, schoolYear: row.schoolYear, family: 'early-leaver', categories: leaver ? ['early-leaver'] : [],
          extraGroup: { sector: row.sector }, institution: row.institution, groupDate: `${row.schoolYear.slice(0, 4)}-08-01`,
        });
      }
      return out;
    },
  },

  'stacked-routes': {
    families: [{ name: 'route', kind: 'exclusive', fixed: ['not-stacked'] }],
    units(p) {
      const r = routeOf(p);
      if (!r.stacked) return [{ offset: null, schoolYear: null, family: 'route', categories: ['not-stacked'] }];
      return [
        { offset: null, schoolYear: null, family: 'route', categories: [r.route] },
        { offset: null, schoolYear: null, family: `success ${r.route}`, categories: r.success ? [`${r.route} | success`] : [] },
      ];
    },
  },

  flows: {
    families: [
      { name: 'advice -> lj1', kind: 'exclusive', fixed: [] },
      { name: 'lj1 -> lj3', kind: 'exclusive', fixed: [] },
      { name: 'lj3 -> diploma', kind: 'exclusive', fixed: [] },
      { name: 'diploma -> next', kind: 'exclusive', fixed: [] },
    ],
    units(p, ctx) {
      const advice = referenceAdviceOf(p.advices, ctx.rules);
      const lj1 = gradeOneRow(p);
      const lj3 = yearThreeRow(p);
      const diploma = highestVoDiploma(p);
      const next = firstPostVoRow(p);
      const nodes = [
        node('advice', advice ? effectiveCode(ctx.rules, advice.level) : null),
        node('lj1', lj1 ? effectiveCode(ctx.rules, lj1.level) : null),
        node('lj3', lj3 ? effectiveCode(ctx.rules, lj3.level) : null),
        node('diploma', diploma ? effectiveCode(ctx.rules, diplomaLevelRef(diploma.level)) : null),
        node('next', next ? rowState(next) : null),
      ];
      const families = ['advice -> lj1', 'lj1 -> lj3', 'lj3 -> diploma', 'diploma -> next'];
      return families.map((family, i) => ({
        offset: null, schoolYear: null, family, categories: [`${nodes[i]} -> ${nodes[i + 1]}`], from: nodes[i]!, to: nodes[i + 1]!,
      }));
    },
  },
};

/** Binary families of stacked-routes are created per route; they are binary like `success`. */
export function familyDef(def: IndicatorDef, name: string): FamilyDef {
  const found = def.families.find((f) => f.name === name);
  if (found) return found;
  const route = name.startsWith('success ') ? name.slice('success '.length) : null;
  return { name, kind: 'binary', fixed: route ? [`${route} | success`] : [] };
}
