/**
 * The indicators of SPEC section 6 as counting units: each learner (or step,
 * revision, attempt, diploma or learner-year) contributes one unit to a
 * family's denominator and to the categories it falls in. Count tables,
 * suppression and explain all start from these units, so a cell and the
 * learners behind it cannot disagree. What each indicator counts is stated
 * in packages/indicators/README.md; this file is that page in code.
 */
import {
  EDUCATION_RANK, STEP_CLASSES, ageOn, classify, isVoDiploma, parseVoLevel, schoolYearOf, startYear,
  type Classification, type RuleSet, type SchoolYear,
} from '@leerroutes/domain';
import {
  advicePositionOf, afdelingOf, diplomaLevelRef, effectiveCode, firstPostVoRow, firstReferenceYearAfter, firstVoRow,
  gradeOneRow, hasStartkwalificatieBefore, highestVoDiploma, inEarlyLeaverCount, isRepeat, outcomeOf, referenceAdviceOf, routeOf, rowAfter, rowInYear,
  rowLevel, rowState, stateOn, stepClass, voSteps, yearThreeRow,
  type CohortType, type ReportingPathway, type TimelineRow,
} from '@leerroutes/pathway';
import * as E from 'fp-ts/lib/Either.js';
import type { Indicator } from './contract.js';

export interface Unit {
  readonly offset: number | null;
  readonly schoolYear: string | null;
  readonly family: string;
  /**
   * Exclusive families: exactly one category; binary families: the category
   * or none; multi families: any number, a category once per occurrence.
   */
  readonly categories: readonly string[];
  readonly from?: string;
  readonly to?: string;
  /** The indicator's fixed group keys (sector, afdeling, diploma_level, vo_school). */
  readonly extraGroup?: Readonly<Record<string, string>>;
  /** The VO school this unit is reported under (per-school-year indicators: the school on t); absent: the cohort's school. */
  readonly institution?: string | null;
  /** The level of the row on t (`level`, per-school-year indicators only). */
  readonly level?: string | null;
  /** The date background values are taken at when there is no cohort (1 August of t). */
  readonly groupDate?: string;
}

export interface FamilyDef {
  readonly name: string;
  /**
   * `exclusive`: the categories add up to the denominator; `binary`: one
   * category, its complement unpublished; `multi`: categories that overlap
   * (no sum relation).
   */
  readonly kind: 'exclusive' | 'binary' | 'multi';
  /** Categories always reported, zero or not, in this order; others follow in natural order. */
  readonly fixed: readonly string[];
  /** What the family counts: families of one instance group counting the same units share one denominator. */
  readonly unit: string;
  /** Settled before higher strata of the same table (flows: nodes 0, edges 1). */
  readonly stratum?: number;
  /** Categories are edges `<from> -> <to>`; rows carry `from` and `to`. */
  readonly edges?: boolean;
}

export interface IndicatorContext {
  readonly rules: RuleSet;
  /** Cohort school year, or null for a per-school-year indicator over everyone. */
  readonly cohort: string | null;
  readonly cohortType: CohortType;
  /** Covered reference dates (complete counts), ascending. */
  readonly covered: readonly string[];
}

/** Cells of one instance group (group, offset, school year) that a reader can add up across families. */
export type Link = readonly (readonly [family: string, category: string])[];

export interface IndicatorDef {
  readonly families: readonly FamilyDef[];
  /** Group keys every row carries besides the requested dimensions. */
  readonly fixedKeys: readonly string[];
  /** Per school year t (cohort optional, `level` allowed) rather than per cohort. */
  readonly perYear: boolean;
  /** Per institution: rows with schoolYear null pool the years and carry their spread (school-profile). */
  readonly pooled?: boolean;
  units(p: ReportingPathway, ctx: IndicatorContext): Unit[];
  /**
   * Relations between families of one instance group that a reader knows
   * (a flows node and its edges), given the categories present per family.
   */
  links?(present: ReadonlyMap<string, readonly string[]>, rules: RuleSet): Link[];
  /** A family whose denominator is a count cell of another family (a success's attempts). */
  denominatorOf?(family: string): readonly [family: string, category: string] | null;
  /** Whether an edge between two observed ends could occur at all (a reader knows the impossible ones are zero). */
  possibleEdge?(from: string, to: string): boolean;
}

const CLASSES = [...STEP_CLASSES, 'not-comparable'] as const;
const sy = (d: string): SchoolYear => schoolYearOf(d);
const yearOf = (s: string): number => startYear(s as SchoolYear);
const nextYear = (s: string): string => `${yearOf(s) + 1}-${yearOf(s) + 2}`;
const yearStart = (s: string): string => `${s.slice(0, 4)}-08-01`;
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
const newestCovered = (ctx: IndicatorContext): string | null => ctx.covered[ctx.covered.length - 1] ?? null;

/** Distribution offsets: from 0 to the newest covered reference date (at least offset 0). */
const distributionOffsets = perContext((ctx): number[] => {
  const newest = newestCovered(ctx);
  const last = newest && ctx.cohort ? Math.max(0, yearOf(sy(newest)) - yearOf(ctx.cohort)) : 0;
  return Array.from({ length: last + 1 }, (_, k) => k);
});

/** The reference date of each distribution offset. */
const offsetDates = perContext((ctx): string[] => distributionOffsets(ctx).map((k) => {
  const year = `${yearOf(ctx.cohort!) + k}-${yearOf(ctx.cohort!) + k + 1}`;
  return coveredDateOf(ctx, year);
}));

/** Where a per-school-year unit is reported: the row on t's school, its level, background at 1 August of t. */
const onRow = (row: TimelineRow | undefined, schoolYear: string): Pick<Unit, 'institution' | 'level' | 'groupDate'> => ({
  institution: row?.institution ?? null, level: row ? rowLevel(row) : null, groupDate: yearStart(schoolYear),
});

const node = (stage: string, v: string | null): string => `${stage}:${v ?? 'none'}`;
const STAGES = ['advice', 'lj1', 'lj3', 'diploma', 'next'] as const;
const EDGE_FAMILIES = STAGES.slice(1).map((s, i) => `${STAGES[i]} -> ${s}`);
const EDGE = ' -> ';

/** The two ends of an edge category `<from> -> <to>`. */
export function edgeEnds(category: string): { from: string; to: string } | null {
  const at = category.indexOf(EDGE);
  return at < 0 ? null : { from: category.slice(0, at), to: category.slice(at + EDGE.length) };
}

const UP: readonly Classification[] = ['opstroom', 'half-opstroom'];
const DOWN: readonly Classification[] = ['afstroom', 'half-afstroom'];
/** A revision's direction from its class: `up`, `down`, `same` or `not-comparable`. */
const direction = (c: Classification): string => (UP.includes(c) ? 'up' : DOWN.includes(c) ? 'down' : c === 'gelijk' ? 'same' : 'not-comparable');
const levelOfCode = (code: string) => {
  const parsed = parseVoLevel(code);
  return E.isRight(parsed) ? parsed.right : { code, span: null };
};

/** Streams' step families, shared by school-profile. */
const STEP_FAMILIES: readonly FamilyDef[] = [
  { name: 'class', kind: 'exclusive', fixed: [...CLASSES, 'stacked'], unit: 'step' },
  { name: 'repeated', kind: 'binary', fixed: ['repeated'], unit: 'step' },
  { name: 'switched-school', kind: 'binary', fixed: ['switched-school'], unit: 'step' },
];

function stepUnits(p: ReportingPathway, rules: RuleSet, where: (from: TimelineRow) => Omit<Unit, 'family' | 'categories'>): Unit[] {
  const out: Unit[] = [];
  for (const s of voSteps(p)) {
    const at = where(s.from);
    out.push({ ...at, family: 'class', categories: [stepClass(rules, s)] });
    out.push({ ...at, family: 'repeated', categories: isRepeat(rules, s) ? ['repeated'] : [] });
    out.push({ ...at, family: 'switched-school', categories: s.switchedSchool ? ['switched-school'] : [] });
  }
  return out;
}

export const INDICATOR_DEFS: Readonly<Record<Indicator, IndicatorDef>> = {
  'advice-position': {
    families: [{ name: 'advice-position', kind: 'exclusive', fixed: [...CLASSES, 'no-advice'], unit: 'learner' }],
    fixedKeys: [],
    perYear: false,
    units(p, ctx) {
      const c = advicePositionOf(p, ctx.rules, false);
      return c ? [{ offset: null, schoolYear: null, family: 'advice-position', categories: [c.category] }] : [];
    },
  },

  outcome: {
    families: [{ name: 'outcome', kind: 'exclusive', fixed: [...CLASSES, 'no-vo-diploma'], unit: 'learner' }],
    fixedKeys: [],
    perYear: false,
    units(p, ctx) {
      return [{ offset: null, schoolYear: null, family: 'outcome', categories: [outcomeOf(p, ctx.rules, false).category] }];
    },
  },

  streams: {
    families: STEP_FAMILIES,
    fixedKeys: [],
    perYear: false,
    units(p, ctx) {
      return stepUnits(p, ctx.rules, (from) => ({ offset: offsetOfDate(ctx, from.referenceDate), schoolYear: null }));
    },
  },

  distribution: {
    families: [{ name: 'state', kind: 'exclusive', fixed: [], unit: 'learner' }],
    fixedKeys: [],
    perYear: false,
    units(p, ctx) {
      const newest = newestCovered(ctx);
      const dates = offsetDates(ctx);
      return distributionOffsets(ctx).map((k) => ({
        offset: k, schoolYear: null, family: 'state', categories: [stateOn(p, dates[k]!, newest)],
      }));
    },
  },

  transitions: {
    families: [{ name: 'transition', kind: 'exclusive', fixed: [], unit: 'learner', edges: true }],
    fixedKeys: [],
    perYear: false,
    units(p, ctx) {
      const newest = newestCovered(ctx);
      const offsets = distributionOffsets(ctx);
      const dates = offsetDates(ctx);
      const states = offsets.map((k) => stateOn(p, dates[k]!, newest));
      const out: Unit[] = [];
      for (let i = 0; i + 1 < offsets.length; i++) {
        const from = states[i]!;
        const to = states[i + 1]!;
        out.push({ offset: offsets[i]!, schoolYear: null, family: 'transition', categories: [`${from}${EDGE}${to}`], from, to });
      }
      return out;
    },
    possibleEdge(from, to) {
      // po only comes before a learner's first row; unknown only after the newest covered date, for everyone.
      return (to !== 'po' || from === 'po') && (from === 'unknown') === (to === 'unknown');
    },
  },

  onderbouwsnelheid: {
    families: [{ name: 'promoted', kind: 'binary', fixed: ['promoted'], unit: 'learner' }],
    fixedKeys: [],
    perYear: true,
    units(p) {
      const out: Unit[] = [];
      for (const row of p.timeline) {
        if (row.sector !== 'vo' || (row.grade !== 1 && row.grade !== 2)) continue;
        const next = rowInYear(p, nextYear(row.schoolYear));
        if (!next || next.sector !== 'vo') continue;
        const promoted = next.grade !== null && next.grade > row.grade;
        out.push({ offset: null, schoolYear: row.schoolYear, family: 'promoted', categories: promoted ? ['promoted'] : [], ...onRow(row, row.schoolYear) });
      }
      return out;
    },
  },

  bovenbouwsucces: {
    families: [{ name: 'success', kind: 'binary', fixed: ['success'], unit: 'learner' }],
    fixedKeys: ['afdeling'],
    perYear: true,
    units(p, ctx) {
      const covered = coveredYears(ctx);
      const out: Unit[] = [];
      for (const row of p.timeline) {
        const afdeling = row.sector === 'vo' && row.grade !== null && row.grade >= 3 ? afdelingOf(row.level) : null;
        if (afdeling === null || !covered.has(nextYear(row.schoolYear))) continue;
        const low = row.level.span!.low;
        const next = rowInYear(p, nextYear(row.schoolYear));
        // Moving down a level is not success, whatever the grade.
        const promoted = next !== undefined && next.sector === 'vo' && next.grade !== null && next.grade > row.grade!
          && next.level.span !== null && next.level.span.low >= low;
        const diploma = p.diplomas.some((d) => isVoDiploma(d.level) && d.schoolYear === row.schoolYear);
        out.push({
          offset: null, schoolYear: row.schoolYear, family: 'success', categories: promoted || diploma ? ['success'] : [],
          extraGroup: { afdeling }, ...onRow(row, row.schoolYear),
        });
      }
      return out;
    },
  },

  'early-leavers': {
    families: [{ name: 'early-leaver', kind: 'binary', fixed: ['early-leaver'], unit: 'learner' }],
    fixedKeys: ['sector'],
    perYear: true,
    units(p, ctx) {
      const covered = coveredYears(ctx);
      const out: Unit[] = [];
      for (const row of p.timeline) {
        if (!inEarlyLeaverCount(row)) continue;
        const t1 = nextYear(row.schoolYear);
        if (!covered.has(t1)) continue;
        // Age from the birth month, born on its first day; an unknown birth month counts.
        if (p.registration) {
          const age = ageOn(p.registration.birthMonth, row.referenceDate);
          if (age < 12 || age >= 23) continue;
        }
        const leaver = rowInYear(p, t1) === undefined && !hasStartkwalificatieBefore(p, coveredDateOf(ctx, t1));
        out.push({
          offset: null, schoolYear: row.schoolYear, family: 'early-leaver', categories: leaver ? ['early-leaver'] : [],
          extraGroup: { sector: row.sector }, ...onRow(row, row.schoolYear),
        });
      }
      return out;
    },
  },

  'stacked-routes': {
    families: [
      { name: 'attempt', kind: 'multi', fixed: [], unit: 'learner' },
      { name: 'route', kind: 'exclusive', fixed: ['not-stacked'], unit: 'learner' },
    ],
    fixedKeys: [],
    perYear: false,
    units(p) {
      const r = routeOf(p);
      const at = { offset: null, schoolYear: null } as const;
      return [
        { ...at, family: 'attempt', categories: r.attempts.map((a) => a.kind) },
        ...r.attempts.map((a) => ({ ...at, family: `attempt ${a.kind}`, categories: a.success ? [`${a.kind} | success`] : [] })),
        { ...at, family: 'route', categories: [r.stacked ? r.route : 'not-stacked'] },
      ];
    },
    denominatorOf(family) {
      return family.startsWith('attempt ') ? ['attempt', family.slice('attempt '.length)] : null;
    },
  },

  flows: {
    families: STAGES.flatMap((stage, i): FamilyDef[] => [
      { name: `node ${stage}`, kind: 'exclusive', fixed: [], unit: 'learner', stratum: 0 },
      ...(i + 1 < STAGES.length ? [{ name: EDGE_FAMILIES[i]!, kind: 'exclusive' as const, fixed: [], unit: 'learner', stratum: 1, edges: true }] : []),
    ]),
    fixedKeys: [],
    perYear: false,
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
      return [
        ...STAGES.map((stage, i) => ({ offset: null, schoolYear: null, family: `node ${stage}`, categories: [nodes[i]!] })),
        ...EDGE_FAMILIES.map((family, i) => ({
          offset: null, schoolYear: null, family, categories: [`${nodes[i]}${EDGE}${nodes[i + 1]}`], from: nodes[i]!, to: nodes[i + 1]!,
        })),
      ];
    },
    links(present) {
      // A node's total equals the sum of the edges into it, and of the edges out of it.
      const out: Link[] = [];
      STAGES.forEach((stage, i) => {
        for (const n of present.get(`node ${stage}`) ?? []) {
          for (const family of [EDGE_FAMILIES[i - 1], EDGE_FAMILIES[i]]) {
            if (family === undefined) continue;
            const end = family === EDGE_FAMILIES[i] ? 'from' : 'to';
            const edges = (present.get(family) ?? []).filter((c) => edgeEnds(c)?.[end] === n);
            out.push([[`node ${stage}`, n], ...edges.map((c) => [family, c] as const)]);
          }
        }
      });
      return out;
    },
  },

  'advice-test': {
    families: [{ name: 'advice-test', kind: 'exclusive', fixed: ['test-higher', 'test-lower', 'same', 'not-comparable', 'no-test', 'no-advice'], unit: 'learner' }],
    fixedKeys: [],
    perYear: false,
    units(p, ctx) {
      const advice = referenceAdviceOf(p.advices, ctx.rules);
      const test = p.testScore?.indicatedLevel ?? null;
      let category: string;
      if (!advice) category = 'no-advice';
      else if (!test) category = 'no-test';
      else {
        const c = classify(ctx.rules, advice.level, test);
        category = UP.includes(c) ? 'test-higher' : DOWN.includes(c) ? 'test-lower' : c === 'gelijk' ? 'same' : 'not-comparable';
      }
      return [{ offset: null, schoolYear: null, family: 'advice-test', categories: [category] }];
    },
  },

  'advice-revisions': {
    families: [
      { name: 'revised', kind: 'binary', fixed: ['revised'], unit: 'learner' },
      { name: 'direction', kind: 'exclusive', fixed: ['up', 'down', 'same', 'not-comparable'], unit: 'revision' },
      { name: 'pair', kind: 'exclusive', fixed: [], unit: 'revision', edges: true },
    ],
    fixedKeys: [],
    perYear: false,
    units(p, ctx) {
      const at = { offset: null, schoolYear: null } as const;
      const revisions = p.advices.filter((a) => a.type === 'AdviceRevised');
      const out: Unit[] = [{ ...at, family: 'revised', categories: revisions.length > 0 ? ['revised'] : [] }];
      for (const r of revisions) {
        const from = r.from ?? { code: 'unknown', span: null };
        out.push({ ...at, family: 'direction', categories: [direction(classify(ctx.rules, from, r.level))] });
        const [f, t] = [effectiveCode(ctx.rules, from), effectiveCode(ctx.rules, r.level)];
        out.push({ ...at, family: 'pair', categories: [`${f}${EDGE}${t}`], from: f, to: t });
      }
      return out;
    },
    links(present, rules) {
      // A pair's codes decide its direction: each direction is the sum of its pairs.
      const byDirection = new Map<string, string[]>();
      for (const c of present.get('pair') ?? []) {
        const ends = edgeEnds(c);
        if (!ends) continue;
        const d = direction(classify(rules, levelOfCode(ends.from), levelOfCode(ends.to)));
        byDirection.set(d, [...(byDirection.get(d) ?? []), c]);
      }
      return (present.get('direction') ?? []).map((d): Link => [['direction', d], ...(byDirection.get(d) ?? []).map((c) => ['pair', c] as const)]);
    },
  },

  'time-in-vo': {
    families: [
      { name: 'years', kind: 'exclusive', fixed: [], unit: 'learner' },
      { name: 'end', kind: 'exclusive', fixed: ['vo-diploma', 'left-vo', 'in-vo'], unit: 'learner' },
    ],
    fixedKeys: [],
    perYear: false,
    units(p, ctx) {
      const first = firstVoRow(p);
      if (!first) return [];
      const start = yearOf(first.schoolYear);
      const diploma = [...p.diplomas].filter((d) => isVoDiploma(d.level)).sort((a, b) => a.occurredOn.localeCompare(b.occurredOn))[0];
      const lastVo = [...p.timeline].reverse().find((r) => r.sector === 'vo')!;
      const newest = newestCovered(ctx);
      let years: string;
      let end: string;
      if (diploma) [years, end] = [String(yearOf(diploma.schoolYear) - start + 1), 'vo-diploma'];
      else if (newest !== null && lastVo.schoolYear < sy(newest)) [years, end] = [String(yearOf(lastVo.schoolYear) - start + 1), 'left-vo'];
      else [years, end] = ['no-vo-diploma-yet', 'in-vo'];
      const at = { offset: null, schoolYear: null } as const;
      return [{ ...at, family: 'years', categories: [years] }, { ...at, family: 'end', categories: [end] }];
    },
    links() {
      // Still in VO and no VO diploma yet are the same learners.
      return [[['years', 'no-vo-diploma-yet'], ['end', 'in-vo']]];
    },
  },

  'after-mbo': {
    families: [{ name: 'state', kind: 'exclusive', fixed: ['mbo-higher', 'mbo-same', 'mbo-lower', 'hbo', 'wo', 'vo', 'not-enrolled'], unit: 'diploma' }],
    fixedKeys: ['diploma_level'],
    perYear: true,
    units(p, ctx) {
      const covered = coveredYears(ctx);
      const out: Unit[] = [];
      for (const d of p.diplomas) {
        if (!d.level.startsWith('mbo-') || !covered.has(firstReferenceYearAfter(d.occurredOn))) continue;
        const row = rowAfter(p, d.occurredOn);
        let state: string;
        if (!row) state = 'not-enrolled';
        else if (row.sector === 'mbo') {
          const [now, had] = [EDUCATION_RANK[row.level.code] ?? 0, EDUCATION_RANK[d.level] ?? 0];
          state = now > had ? 'mbo-higher' : now === had ? 'mbo-same' : 'mbo-lower';
        } else state = row.sector;
        out.push({
          offset: null, schoolYear: d.schoolYear, family: 'state', categories: [state],
          extraGroup: { diploma_level: d.level }, ...onRow(rowInYear(p, d.schoolYear), d.schoolYear),
        });
      }
      return out;
    },
  },

  'vmbo-mbo-loss': {
    families: [{ name: 'lost', kind: 'binary', fixed: ['lost'], unit: 'learner' }],
    fixedKeys: [],
    perYear: true,
    units(p, ctx) {
      const covered = coveredYears(ctx);
      // One unit per learner and school year; the school is that of the latest vmbo diploma of the year.
      const latest = new Map<string, { institution: string; occurredOn: string }>();
      for (const d of p.diplomas) {
        if (!VMBO_DIPLOMAS.includes(d.level)) continue;
        const held = latest.get(d.schoolYear);
        if (!held || d.occurredOn >= held.occurredOn) latest.set(d.schoolYear, d);
      }
      const out: Unit[] = [];
      for (const [t, d] of [...latest].sort(([a], [b]) => a.localeCompare(b))) {
        if (!covered.has(nextYear(t))) continue;
        const lost = rowInYear(p, nextYear(t)) === undefined;
        out.push({ offset: null, schoolYear: t, family: 'lost', categories: lost ? ['lost'] : [], ...onRow(rowInYear(p, t), t), institution: d.institution });
      }
      return out;
    },
  },

  'school-profile': {
    families: STEP_FAMILIES,
    fixedKeys: ['vo_school'],
    perYear: true,
    pooled: true,
    units(p, ctx) {
      return stepUnits(p, ctx.rules, (from) => ({
        offset: null, schoolYear: from.schoolYear, extraGroup: { vo_school: from.institution }, ...onRow(from, from.schoolYear),
      }));
    },
  },
};

const VMBO_DIPLOMAS: readonly string[] = ['vmbo-b', 'vmbo-k', 'vmbo-g', 'vmbo-t'];

/** A family by name; stacked-routes makes one binary family per attempt kind (`attempt <kind>`). */
export function familyDef(def: IndicatorDef, name: string): FamilyDef {
  const found = def.families.find((f) => f.name === name);
  if (found) return found;
  const kind = name.startsWith('attempt ') ? name.slice('attempt '.length) : null;
  return { name, kind: 'binary', fixed: kind ? [`${kind} | success`] : [], unit: `attempt:${kind ?? name}` };
}
