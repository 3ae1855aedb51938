/**
 * Questions asked of a folded pathway. The fold uses them for the stored
 * summary and classifications, and the indicators use the very same functions,
 * so a number in a report and the explanation of a learner cannot disagree.
 */
import {
  EDUCATION_RANK, VO_DIPLOMA_RANK, classify, effectiveSpan, givesStartkwalificatie, isVoDiploma,
  parseVoLevel, schoolYearOf, startYear,
  type Classification, type LevelRef, type RuleSet,
} from '@leerroutes/domain';
import * as E from 'fp-ts/lib/Either.js';
import type { AdviceRecord, BackgroundRecord, DiplomaRecord, Pathway, TimelineRow } from './types.js';

type Core = Pick<Pathway, 'advices' | 'timeline' | 'diplomas' | 'background' | 'left'>;

/**
 * The reference advice under a rule set (SPEC 5). `first-final`: the first final
 * advice as given, ignoring revisions. `latest`: the last final advice or revision
 * in valid time. A provisional advice (groep 7) is never a reference advice.
 */
export function referenceAdviceOf(advices: readonly AdviceRecord[], rules: RuleSet): AdviceRecord | null {
  if (rules.referenceAdvice === 'first-final') return advices.find((a) => a.kind === 'final') ?? null;
  let latest: AdviceRecord | null = null;
  for (const a of advices) if (a.kind === 'final' || a.kind === 'revised') latest = a;
  return latest;
}

/** The level code a rule set reports: under `lower` a combined level becomes its lowest part. */
export function effectiveCode(rules: RuleSet, level: LevelRef): string {
  if (rules.combined !== 'lower' || level.span === null || level.span.low === level.span.high) return level.code;
  return level.code.split('/')[0]!;
}

export const voRows = (p: Pick<Pathway, 'timeline'>): TimelineRow[] => p.timeline.filter((r) => r.sector === 'vo');

export const firstVoRow = (p: Pick<Pathway, 'timeline'>): TimelineRow | null => p.timeline.find((r) => r.sector === 'vo') ?? null;

/** Leerjaar-1 level: the earliest VO row in grade 1. */
export const gradeOneRow = (p: Pick<Pathway, 'timeline'>): TimelineRow | null =>
  p.timeline.find((r) => r.sector === 'vo' && r.grade === 1) ?? null;

/** Year-3 position: the earliest reference date with a VO row in grade 3 (SPEC 6). */
export const yearThreeRow = (p: Pick<Pathway, 'timeline'>): TimelineRow | null =>
  p.timeline.find((r) => r.sector === 'vo' && r.grade === 3) ?? null;

/** Highest VO diploma by rank; on a tie (vmbo-g = vmbo-t) the earlier one. */
export function highestVoDiploma(p: Pick<Pathway, 'diplomas'>): DiplomaRecord | null {
  let best: DiplomaRecord | null = null;
  for (const d of p.diplomas) {
    if (!isVoDiploma(d.level)) continue;
    if (best === null || VO_DIPLOMA_RANK[d.level]! > VO_DIPLOMA_RANK[best.level]!) best = d;
  }
  return best;
}

export function diplomaLevelRef(code: string): LevelRef {
  const parsed = parseVoLevel(code);
  return E.isRight(parsed) ? parsed.right : { code, span: null };
}

const oneYearApart = (a: TimelineRow, b: TimelineRow): boolean =>
  startYear(b.schoolYear as `${number}-${number}`) - startYear(a.schoolYear as `${number}-${number}`) === 1;

export interface VoStep {
  readonly from: TimelineRow;
  readonly to: TimelineRow;
  /** The VO diploma awarded in the earlier row's school year, making the step `stacked`. */
  readonly stackedOn: DiplomaRecord | null;
  readonly repeated: boolean;
  readonly switchedSchool: boolean;
}

/** Steps: pairs of VO rows on consecutive reference dates (SPEC 6, streams). */
export function voSteps(p: Pick<Pathway, 'timeline' | 'diplomas'>): VoStep[] {
  const steps: VoStep[] = [];
  const tl = p.timeline;
  for (let i = 0; i + 1 < tl.length; i++) {
    const from = tl[i]!;
    const to = tl[i + 1]!;
    if (from.sector !== 'vo' || to.sector !== 'vo' || !oneYearApart(from, to)) continue;
    const stackedOn = p.diplomas.find((d) => isVoDiploma(d.level) && d.schoolYear === from.schoolYear) ?? null;
    steps.push({
      from, to, stackedOn,
      repeated: stackedOn === null && from.grade !== null && to.grade !== null && to.grade <= from.grade,
      switchedSchool: stackedOn === null && from.institution !== to.institution,
    });
  }
  return steps;
}

export function stepClass(rules: RuleSet, step: VoStep): Classification | 'stacked' {
  return step.stackedOn ? 'stacked' : classify(rules, step.from.level, step.to.level);
}

/** The state a row stands for in distribution and transitions. */
export function rowState(row: TimelineRow): string {
  switch (row.sector) {
    case 'vo': return `vo:${row.level.code}`;
    case 'mbo': return row.level.code;
    case 'hbo': return 'hbo';
    case 'wo': return 'wo';
    case 'po': return 'po';
  }
}

export const hasStartkwalificatieBefore = (p: Pick<Pathway, 'diplomas'>, date: string): boolean =>
  p.diplomas.some((d) => d.occurredOn < date && givesStartkwalificatie(d.level));

/**
 * A learner's state on a reference date (SPEC 6, distribution). Without a row:
 * `unknown` after the newest covered reference date, `po` before the first row,
 * else left with or without a startkwalificatie from diplomas awarded before it.
 */
export function stateOn(p: Pick<Pathway, 'timeline' | 'diplomas'>, date: string, newestCovered: string | null): string {
  // Rows are matched by school year: a count date that is not exactly 1 October is still that year's row.
  const sy = schoolYearOf(date);
  const row = p.timeline.find((r) => r.schoolYear === sy);
  if (row) return rowState(row);
  if (newestCovered === null || sy > schoolYearOf(newestCovered)) return 'unknown';
  const first = p.timeline[0];
  if (!first || first.schoolYear > sy) return 'po';
  return hasStartkwalificatieBefore(p, date) ? 'left-with-startkwalificatie' : 'left-without-startkwalificatie';
}

/** Whether an enrolment after diploma `d` is at a higher level (stapelen, SPEC 6). */
export function isStackingStep(diploma: string, row: TimelineRow): boolean {
  if (isVoDiploma(diploma)) {
    return row.sector === 'vo' && row.level.span !== null && row.level.span.low > VO_DIPLOMA_RANK[diploma]!;
  }
  if (diploma.startsWith('mbo-')) {
    if (row.sector === 'mbo') return (EDUCATION_RANK[row.level.code] ?? 0) > EDUCATION_RANK[diploma]!;
    return diploma === 'mbo-4' && row.sector === 'hbo';
  }
  if (diploma.startsWith('hbo-')) return row.sector === 'wo';
  return false;
}

/** A diploma at the level a stacking step entered. */
function succeedsAt(row: TimelineRow, d: DiplomaRecord): boolean {
  if (row.sector === 'vo') return isVoDiploma(d.level) && row.level.span !== null && VO_DIPLOMA_RANK[d.level]! >= row.level.span.low;
  if (row.sector === 'mbo') return d.level.startsWith('mbo-') && EDUCATION_RANK[d.level]! >= (EDUCATION_RANK[row.level.code] ?? 99);
  if (row.sector === 'hbo') return d.level === 'hbo-ad' || d.level === 'hbo-ba' || d.level === 'hbo-ma';
  if (row.sector === 'wo') return d.level.startsWith('wo-');
  return false;
}

function routeLabel(row: TimelineRow): string | null {
  if (row.sector === 'po') return null;
  if (row.sector === 'vo' || row.sector === 'mbo') return row.level.code;
  return row.sector;
}

export interface Route {
  readonly route: string;
  readonly stacked: boolean;
  readonly success: boolean | null;
  readonly stackingSteps: readonly { readonly diploma: DiplomaRecord; readonly row: TimelineRow }[];
}

/**
 * The route: diploma levels in order, then the final enrolment when it comes
 * after the last diploma. Stacked when some diploma is followed (first row after
 * it) by enrolment at a higher level; success: a diploma at the level of the
 * last stacking step, awarded after that enrolment began.
 */
export function routeOf(p: Pick<Pathway, 'timeline' | 'diplomas'>): Route {
  const diplomas = [...p.diplomas].sort((a, b) => a.occurredOn.localeCompare(b.occurredOn));
  const parts = diplomas.map((d) => d.level);
  const last = p.timeline[p.timeline.length - 1];
  const lastDiploma = diplomas[diplomas.length - 1];
  if (last && (!lastDiploma || last.referenceDate > lastDiploma.occurredOn)) {
    const label = routeLabel(last);
    if (label) parts.push(label);
  }
  const stackingSteps: { diploma: DiplomaRecord; row: TimelineRow }[] = [];
  for (const d of diplomas) {
    const next = p.timeline.find((r) => r.referenceDate > d.occurredOn);
    if (next && isStackingStep(d.level, next)) stackingSteps.push({ diploma: d, row: next });
  }
  const lastStack = stackingSteps[stackingSteps.length - 1];
  const success = lastStack ? diplomas.some((d) => d.occurredOn > lastStack.row.referenceDate && succeedsAt(lastStack.row, d)) : null;
  return { route: parts.length ? parts.join(' > ') : 'none', stacked: stackingSteps.length > 0, success, stackingSteps };
}

/** The background record valid on a date: the latest with validFrom <= date. */
export function backgroundAt(p: Pick<Pathway, 'background'>, date: string): BackgroundRecord | null {
  let found: BackgroundRecord | null = null;
  for (const b of p.background) if (b.validFrom <= date) found = b;
  return found;
}

/** First day of a school year (1 August): the moment a cohort starts. */
export const schoolYearStart = (schoolYear: string): string => `${schoolYear.slice(0, 4)}-08-01`;

/** First post-VO enrolment: the first mbo/hbo/wo row after the first VO row. */
export function firstPostVoRow(p: Pick<Pathway, 'timeline'>): TimelineRow | null {
  const first = firstVoRow(p);
  if (!first) return null;
  return p.timeline.find((r) => r.referenceDate > first.referenceDate && (r.sector === 'mbo' || r.sector === 'hbo' || r.sector === 'wo')) ?? null;
}

export const rowSchoolYear = (referenceDate: string): string => schoolYearOf(referenceDate);

export const effectiveSpanOf = effectiveSpan;
export type { Core };
