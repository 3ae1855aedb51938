/**
 * Questions asked of a folded pathway. The fold uses them for the stored
 * summary and classifications, and the indicators use the very same functions,
 * so a number in a report and the explanation of a learner cannot disagree.
 */
import { oncePerKey } from './once-per-key.js';
import {
  EDUCATION_RANK, VO_DIPLOMA_RANK, classify, effectiveSpan, givesStartkwalificatie, isVoDiploma,
  parseVoLevel, schoolYearOf, schoolYearStarting, stacksOn, startYear,
  type Classification, type LevelRef, type RuleSet,
} from '@leerroutes/domain';
import * as E from 'fp-ts/lib/Either.js';
import type { AdviceRecord, BackgroundRecord, CohortType, DiplomaRecord, Pathway, TimelineRow } from './types.js';

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

/**
 * The cohort a learner is in (SPEC 6), null for none: `advice` the school year
 * of the reference advice under the rule set; `intake` that of the first VO
 * row when it is grade 1 (a lateral entrant is in no intake cohort);
 * `leerjaar3` that of the earliest VO row in grade 3.
 */
export function cohortOf(p: Pick<Pathway, 'advices' | 'timeline'>, cohortType: CohortType, rules: RuleSet): string | null {
  switch (cohortType) {
    case 'advice':
      return referenceAdviceOf(p.advices, rules)?.schoolYear ?? null;
    case 'intake': {
      const first = firstVoRow(p);
      return first && first.grade === 1 ? first.schoolYear : null;
    }
    case 'leerjaar3':
      return yearThreeRow(p)?.schoolYear ?? null;
  }
}

/** The row of a school year (rows are matched by school year, not by exact date). */
export const rowInYear = (p: Pick<Pathway, 'timeline'>, schoolYear: string): TimelineRow | undefined =>
  p.timeline.find((r) => r.schoolYear === schoolYear);

/**
 * The school year of the first reference date (1 October) after a date: the
 * yearly count that first sees what happened on it (a diploma in June is
 * followed by the count of 1 October; one on 1 October itself by next year's).
 */
export function firstReferenceYearAfter(date: string): string {
  const year = Number(date.slice(0, 4));
  return schoolYearStarting(date.slice(5) < '10-01' ? year : year + 1);
}

/** The learner's row on the first reference date after a date, if any. */
export function rowAfter(p: Pick<Pathway, 'timeline'>, date: string): TimelineRow | null {
  const row = rowInYear(p, firstReferenceYearAfter(date));
  return row && row.referenceDate > date ? row : null;
}

/** What a row stands for as a level: the VO level code as registered, `mbo-n`, `hbo`, `wo`, `po`. */
export function rowLevel(row: TimelineRow): string {
  return row.sector === 'vo' || row.sector === 'mbo' ? row.level.code : row.sector;
}

/**
 * Whether a row is in the published count of early school leavers (SPEC 6):
 * mbo, or VO other than praktijkonderwijs (a combined class whose lower
 * level is pro counts as pro) and special education (vso). A VO row at an
 * unknown level counts: early leaving compares no levels.
 */
export function inEarlyLeaverCount(row: TimelineRow): boolean {
  if (row.sector === 'mbo') return true;
  if (row.sector !== 'vo' || row.level.code === 'vso') return false;
  return row.level.span === null || row.level.span.low > 0;
}

/**
 * The inspectorate's afdeling of a VO level (bovenbouwsucces): the lower level
 * of its span, vmbo-g and vmbo-t together; null for pro and unranked levels.
 */
export function afdelingOf(level: LevelRef): string | null {
  if (level.span === null) return null;
  return AFDELINGEN[level.span.low] ?? null;
}
/** The bovenbouw's afdelingen, by the rank of a level's lower bound (none for pro). */
export const AFDELINGEN: readonly (string | null)[] = [null, 'vmbo-b', 'vmbo-k', 'vmbo-gt', 'havo', 'vwo'];

/** Highest VO diploma by rank; on a tie (vmbo-g = vmbo-t) the earlier one. */
export function highestVoDiploma(p: Pick<Pathway, 'diplomas'>): DiplomaRecord | null {
  let best: DiplomaRecord | null = null;
  for (const d of p.diplomas) {
    if (!isVoDiploma(d.level)) continue;
    if (best === null || VO_DIPLOMA_RANK[d.level]! > VO_DIPLOMA_RANK[best.level]!) best = d;
  }
  return best;
}

/**
 * Diplomas come in a dozen levels, and the statistics ask the level of a
 * learner's highest once per rule set and school year folded: each code is
 * parsed once (a rebuild spent 3% of its fold in parseVoLevel).
 */
const diplomaLevelRefs = new Map<string, LevelRef>();
export function diplomaLevelRef(code: string): LevelRef {
  let ref = diplomaLevelRefs.get(code);
  if (ref === undefined) {
    const parsed = parseVoLevel(code);
    ref = E.isRight(parsed) ? parsed.right : { code, span: null };
    diplomaLevelRefs.set(code, ref);
  }
  return ref;
}

const oneYearApart = (a: TimelineRow, b: TimelineRow): boolean =>
  startYear(b.schoolYear as `${number}-${number}`) - startYear(a.schoolYear as `${number}-${number}`) === 1;

export interface VoStep {
  readonly from: TimelineRow;
  readonly to: TimelineRow;
  /** The VO diploma awarded in the earlier row's school year, making the step `stacked`. */
  readonly stackedOn: DiplomaRecord | null;
  /** Both grades known and the later one not higher: a repeat when the level stays the same under the rule set (isRepeat). */
  readonly gradeNotHigher: boolean;
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
      gradeNotHigher: from.grade !== null && to.grade !== null && to.grade <= from.grade,
      switchedSchool: stackedOn === null && from.institution !== to.institution,
    });
  }
  return steps;
}

export function stepClass(rules: RuleSet, step: VoStep): Classification | 'stacked' {
  return step.stackedOn ? 'stacked' : classify(rules, step.from.level, step.to.level);
}

/**
 * Doubleren (SPEC 6): the later grade is not higher and the level stays the
 * same under the rule set; a move to another level in the same grade is
 * afstroom or opstroom, and a stacked step is nothing else.
 */
export const isRepeat = (rules: RuleSet, step: VoStep): boolean => step.gradeNotHigher && stepClass(rules, step) === 'gelijk';

/** One string per VO level (see oncePerKey). */
const voState = oncePerKey((code: string) => `vo:${code}`);

/** The state a row stands for in distribution and transitions. */
export function rowState(row: TimelineRow): string {
  switch (row.sector) {
    case 'vo': return voState(row.level.code);
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

/** A diploma at the level a stacking attempt entered. */
export function succeedsAt(row: TimelineRow, d: DiplomaRecord): boolean {
  if (row.sector === 'vo') return isVoDiploma(d.level) && row.level.span !== null && VO_DIPLOMA_RANK[d.level]! >= row.level.span.low;
  if (row.sector === 'mbo') return d.level.startsWith('mbo-') && EDUCATION_RANK[d.level]! >= (EDUCATION_RANK[row.level.code] ?? 99);
  if (row.sector === 'hbo') return d.level === 'hbo-ad' || d.level === 'hbo-ba' || d.level === 'hbo-ma';
  if (row.sector === 'wo') return d.level.startsWith('wo-');
  return false;
}

export interface StackingAttempt {
  readonly diploma: DiplomaRecord;
  /** The enrolment at the higher level, on the first reference date after the diploma. */
  readonly row: TimelineRow;
  /** `<diploma> > <level>`, e.g. `vmbo-t > havo`, `mbo-4 > hbo`. */
  readonly kind: string;
  /** A diploma at the stacked level awarded after that row's reference date. */
  readonly success: boolean;
}

/**
 * `items` sorted (stably) by `compare`: the array itself when it is in that
 * order already, as a pathway's diplomas nearly always are, else a sorted
 * copy. The statistics sort them several times per school year folded, and
 * a rebuild made millions of copies that sorting left as they were.
 */
export function inOrder<T>(items: readonly T[], compare: (a: T, b: T) => number): readonly T[] {
  for (let i = 1; i < items.length; i++) if (compare(items[i - 1]!, items[i]!) > 0) return [...items].sort(compare);
  return items;
}

const byAwardDate = (p: Pick<Pathway, 'diplomas'>): readonly DiplomaRecord[] => inOrder(p.diplomas, (a, b) => a.occurredOn.localeCompare(b.occurredOn));

/**
 * Stacking attempts (stapelen, SPEC 6): each diploma followed, on the first
 * reference date after it, by enrolment at a higher level by the one rule
 * `stacksOn` that the derivation of NextEducationStarted uses too.
 */
export function stackingAttempts(p: Pick<Pathway, 'timeline' | 'diplomas'>): StackingAttempt[] {
  const diplomas = byAwardDate(p);
  const out: StackingAttempt[] = [];
  for (const d of diplomas) {
    const row = rowAfter(p, d.occurredOn);
    if (!row || !stacksOn(d.level, row)) continue;
    const success = diplomas.some((later) => later.occurredOn > row.referenceDate && succeedsAt(row, later));
    out.push({ diploma: d, row, kind: `${d.level} > ${rowLevel(row)}`, success });
  }
  return out;
}

export interface Route {
  readonly route: string;
  readonly stacked: boolean;
  /** The last attempt's success; null without an attempt. */
  readonly success: boolean | null;
  readonly attempts: readonly StackingAttempt[];
}

/**
 * The route: diploma levels in award order, then the final enrolment when it
 * comes after the last diploma (`vmbo-t > havo > hbo`); `none` without either.
 */
export function routeOf(p: Pick<Pathway, 'timeline' | 'diplomas'>): Route {
  const diplomas = byAwardDate(p);
  const parts = diplomas.map((d) => d.level);
  const last = p.timeline[p.timeline.length - 1];
  const lastDiploma = diplomas[diplomas.length - 1];
  if (last && last.sector !== 'po' && (!lastDiploma || last.referenceDate > lastDiploma.occurredOn)) parts.push(rowLevel(last));
  const attempts = stackingAttempts(p);
  const lastAttempt = attempts[attempts.length - 1];
  return { route: parts.length ? parts.join(' > ') : 'none', stacked: attempts.length > 0, success: lastAttempt ? lastAttempt.success : null, attempts };
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
