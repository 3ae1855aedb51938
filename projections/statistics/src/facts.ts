/**
 * What the indicators count, per learner: the rows of the statistics tables
 * for one folded pathway. Pure: a pathway in, rows out. The classification
 * itself is the pathway package's and the domain's (the same functions the
 * learner explanations use); this module only decides what is stored and
 * from which school year on it holds.
 *
 * Valid time ("as of school year Y") is a filter on these rows:
 * - rows about one school year (a yearly count, a step, a diploma, an
 *   attempt) carry that year and the query keeps those whose facts are all
 *   dated by Y;
 * - the learner's cohort memberships and the scalar classifications that
 *   change as the career unfolds (the outcome, the year-3 position, the
 *   flows, the route) are stored as versions: the pathway is cut at the end
 *   of each school year in which something happened to the learner, the
 *   member rows are worked out for each cut, and a row holds from the cut it
 *   first appears in (`valid_from`) until the cut it no longer does
 *   (`valid_until`, null while it still holds).
 */
import {
  RULE_SETS, ageOn, classify, givesStartkwalificatie, isVoDiploma, schoolYearOf, EDUCATION_RANK,
  type Classification, type RuleSet,
} from '@leerroutes/domain';
import {
  advicePositionOf, afdelingOf, backgroundAt, cohortOf, diplomaLevelRef, effectiveCode, firstPostVoRow, firstReferenceYearAfter, firstVoRow,
  gradeOneRow, highestVoDiploma, inEarlyLeaverCount, inOrder, isRepeat, oncePerKey, outcomeOf, referenceAdviceOf, routeOf, rowAfter, rowLevel, rowState, stackingAttempts, stepClass, succeedsAt,
  voSteps, yearThreeRow, COHORT_TYPES, type CohortType, type DiplomaRecord, type Pathway, type TimelineRow,
} from '@leerroutes/pathway';

/** The part of a folded pathway the statistics read. */
export type Core = Pick<Pathway, 'learnerId' | 'registration' | 'background' | 'testScore' | 'advices' | 'timeline' | 'diplomas' | 'left'>;

export const UNKNOWN = 'unknown';
export type { CohortType };

/**
 * The number the digits of `text` from `from` to `to` spell, as Number() of
 * that slice gives it. The fold asks a school year's start year millions of
 * times (every cut, every row lookup): read from the characters, it makes no
 * string to parse; anything but plain digits goes through Number().
 */
function digitsAt(text: string, from: number, to: number): number {
  if (to > text.length) return Number(text.slice(from, to));
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number(text.slice(from, to));
    n = n * 10 + c;
  }
  return n;
}

/** A school year by its start year (2016-2017 is 2016): compact, and ordered like the years. */
export const yearOf = (schoolYear: string): number => digitsAt(schoolYear, 0, 4);
/** A date as 20161001: compared as a number in SQL. */
export const dayOf = (iso: string): number => digitsAt(iso, 0, 4) * 10_000 + digitsAt(iso, 5, 7) * 100 + digitsAt(iso, 8, 10);

/** Background dimensions valid on a date (SPEC 6: "the one valid at the cohort's start"). */
export interface Dims {
  readonly gender: string;
  readonly pupil_weight: string;
  readonly parental_education: string;
  readonly migration_background: string;
  readonly area: string;
}

/** A learner's membership of a cohort under a rule set, with the cohort's breakdown values. */
export interface MemberRow extends Dims {
  readonly learner_id: string;
  readonly rules: string;
  readonly cohort_type: CohortType;
  readonly cohort: number;
  readonly po_school: string;
  readonly vo_school: string;
  readonly advice: string;
}

/** A learner's classifications under a rule set that the cohort indicators count (the same in every cohort the learner is in). */
export interface LearnerRow {
  readonly learner_id: string;
  readonly rules: string;
  /** advice-position: null without a year-3 position. */
  readonly ap: string | null;
  readonly oc: string;
  readonly f_advice: string;
  readonly f_lj1: string;
  readonly f_lj3: string;
  readonly f_diploma: string;
  readonly f_next: string;
  /** stacked-routes: the route when the learner made a stacking attempt, else `not-stacked`. */
  readonly route: string;
  /** advice-test. */
  readonly at: string;
  readonly revised: boolean;
  /** For distribution and time-in-vo, worked out in the query against the covered dates. */
  readonly first_year: number | null;
  readonly sk_date: number | null;
  readonly placement_year: number | null;
  readonly vo_diploma_year: number | null;
}

export type Versioned<R> = R & { readonly valid_from: number; readonly valid_until: number | null };

/** One yearly count of the learner, with what the per-year indicators count of it. */
export interface StateRow extends Dims {
  readonly learner_id: string;
  readonly year: number;
  readonly state: string;
  readonly sector: string;
  readonly level: string;
  readonly institution: string;
  readonly grade: number | null;
  /** onderbouwsnelheid: grade 1 or 2 with a VO row the next year; promoted when that grade is higher. */
  readonly ob_unit: boolean;
  readonly ob_promoted: boolean;
  /** bovenbouwsucces: the afdeling when the row counts (grade 3+, not pro/vso), else null. */
  readonly bb_afdeling: string | null;
  readonly bb_success: boolean;
  /** early-leavers: the row counts (mbo, or VO other than pro/vso; aged 12-22); a leaver without a row next year and without a startkwalificatie. */
  readonly el_unit: boolean;
  readonly el_leaver: boolean;
}

export interface StepRow {
  readonly learner_id: string;
  readonly rules: string;
  readonly year: number;
  readonly class: string;
  readonly repeated: boolean;
  readonly switched: boolean;
  readonly institution: string;
}

export interface DiplomaRow extends Dims {
  readonly learner_id: string;
  readonly year: number;
  readonly level: string;
  readonly institution: string;
  readonly award_date: number;
  /** The school year of the first reference date after the award. */
  readonly next_year: number;
  /** after-mbo: the state on that date, for an mbo diploma; else null. */
  readonly after_mbo: string | null;
  /** vmbo-mbo-loss: one unit per learner and school year (the latest vmbo diploma of the year). */
  readonly vl_unit: boolean;
  readonly vl_lost: boolean;
  /** The learner's row in the diploma's school year: its school and level (where after-mbo reports). */
  readonly row_institution: string | null;
  readonly row_level: string | null;
}

export interface AttemptRow {
  readonly learner_id: string;
  readonly kind: string;
  readonly year: number;
  readonly success_year: number | null;
}

export interface RevisionRow {
  readonly learner_id: string;
  readonly rules: string;
  readonly year: number;
  readonly direction: string;
  readonly from_code: string;
  readonly to_code: string;
}

export interface AreaRow { readonly area: string; readonly depth: number; readonly ancestor: string }

export interface LearnerFacts {
  readonly member: Versioned<MemberRow>[];
  readonly learner: Versioned<LearnerRow>[];
  readonly state: StateRow[];
  readonly step: StepRow[];
  readonly diploma: DiplomaRow[];
  readonly attempt: AttemptRow[];
  readonly revision: RevisionRow[];
}

const RULES: readonly RuleSet[] = Object.keys(RULE_SETS).sort().map((name) => RULE_SETS[name]!);

function dimsAt(p: Core, date: string): Dims {
  const bg = backgroundAt(p, date);
  return {
    gender: p.registration?.gender || UNKNOWN,
    pupil_weight: bg?.pupilWeight === null || bg?.pupilWeight === undefined ? UNKNOWN : String(bg.pupilWeight),
    parental_education: bg?.parentalEducation || UNKNOWN,
    migration_background: bg?.migrationBackground || UNKNOWN,
    area: bg?.area?.code || UNKNOWN,
  };
}

/** The day a school year starts (`2016-08-01`), one string per year (see oncePerKey). */
const yearStart = oncePerKey((year: number) => `${year}-08-01`);
const rowIn = (p: Core, year: number): TimelineRow | undefined => p.timeline.find((r) => yearOf(r.schoolYear) === year);

/** advice-test: the advice against the level the test indicates (under-advice when the test is higher). */
function adviceTestOf(c: Classification): string {
  if (c === 'opstroom' || c === 'half-opstroom') return 'test-higher';
  if (c === 'afstroom' || c === 'half-afstroom') return 'test-lower';
  return c === 'gelijk' ? 'same' : 'not-comparable';
}

function directionOf(c: Classification): string {
  if (c === 'opstroom' || c === 'half-opstroom') return 'up';
  if (c === 'afstroom' || c === 'half-afstroom') return 'down';
  return c === 'gelijk' ? 'same' : 'not-comparable';
}

const byDate = (a: DiplomaRecord, b: DiplomaRecord): number => (a.occurredOn < b.occurredOn ? -1 : a.occurredOn > b.occurredOn ? 1 : 0);

/** Stacking attempts (the pathway's rule), with the school year each succeeded in: as of a year, an attempt succeeded by then or not yet. */
export function attemptsOf(p: Core): AttemptRow[] {
  const diplomas = inOrder(p.diplomas, byDate);
  return routeOf(p).attempts.map((a) => {
    const success = diplomas.find((d) => d.occurredOn > a.row.referenceDate && succeedsAt(a.row, d));
    return { learner_id: p.learnerId, kind: a.kind, year: yearOf(a.row.schoolYear), success_year: success ? yearOf(success.schoolYear) : null };
  });
}

/** A flows node (`advice:havo`), one string per stage and value (see oncePerKey). */
const nodesOf = oncePerKey((stage: string) => oncePerKey((v: string | null) => `${stage}:${v ?? 'none'}`));
const node = (stage: string, v: string | null): string => nodesOf(stage)(v);

/** The cohorts of one (cut) pathway under each rule set, with their breakdown values. */
export function membersOf(p: Core): MemberRow[] {
  const out: MemberRow[] = [];
  const firstVo = firstVoRow(p);
  const y3 = yearThreeRow(p);
  const latest = p.advices[p.advices.length - 1];
  for (const rules of RULES) {
    const ref = referenceAdviceOf(p.advices, rules);
    const advice = ref ? effectiveCode(rules, ref.level) : UNKNOWN;
    const poSchool = ref?.poSchool ?? latest?.poSchool ?? UNKNOWN;
    for (const type of COHORT_TYPES) {
      const schoolYear = cohortOf(p, type, rules);
      if (schoolYear === null) continue;
      const cohort = yearOf(schoolYear);
      const d = dimsAt(p, yearStart(cohort));
      // One literal in column order (no spreads): millions of these are made, and V8 keeps such objects fast.
      out.push({
        learner_id: p.learnerId, rules: rules.name, cohort_type: type, cohort,
        gender: d.gender, pupil_weight: d.pupil_weight, parental_education: d.parental_education, migration_background: d.migration_background, area: d.area,
        po_school: poSchool, vo_school: type === 'leerjaar3' ? y3!.institution : firstVo?.institution ?? UNKNOWN, advice,
      });
    }
  }
  return out;
}

/** The classifications of one (cut) pathway under each rule set. */
export function learnerRowsOf(p: Core): LearnerRow[] {
  const out: LearnerRow[] = [];
  // Before the learner has an advice or a row there is nothing to classify (and no cohort to count it in).
  if (p.advices.length === 0 && p.timeline.length === 0) return out;
  const firstVo = firstVoRow(p);
  const y3 = yearThreeRow(p);
  const lj1 = gradeOneRow(p);
  const next = firstPostVoRow(p);
  const highest = highestVoDiploma(p);
  const sorted = inOrder(p.diplomas, byDate);
  const sk = sorted.find((d) => givesStartkwalificatie(d.level));
  const firstVoDiploma = sorted.find((d) => isVoDiploma(d.level));
  const r = routeOf(p);
  const route = r.stacked ? r.route : 'not-stacked';
  const revised = p.advices.some((a) => a.kind === 'revised');
  const test = p.testScore?.indicatedLevel ?? null;
  const fNext = node('next', next ? rowState(next) : null);
  for (const rules of RULES) {
    const ref = referenceAdviceOf(p.advices, rules);
    out.push({
      learner_id: p.learnerId, rules: rules.name,
      ap: advicePositionOf(p, rules, false)?.category ?? null,
      oc: outcomeOf(p, rules, false).category,
      f_advice: node('advice', ref ? effectiveCode(rules, ref.level) : null),
      f_lj1: node('lj1', lj1 ? effectiveCode(rules, lj1.level) : null),
      f_lj3: node('lj3', y3 ? effectiveCode(rules, y3.level) : null),
      f_diploma: node('diploma', highest ? effectiveCode(rules, diplomaLevelRef(highest.level)) : null),
      f_next: fNext,
      route,
      at: !ref ? 'no-advice' : !test ? 'no-test' : adviceTestOf(classify(rules, ref.level, test)),
      revised,
      first_year: p.timeline[0] ? yearOf(p.timeline[0].schoolYear) : null,
      sk_date: sk ? dayOf(sk.occurredOn) : null,
      placement_year: firstVo ? yearOf(firstVo.schoolYear) : null,
      vo_diploma_year: firstVoDiploma ? yearOf(firstVoDiploma.schoolYear) : null,
    });
  }
  return out;
}

export function statesOf(p: Core): StateRow[] {
  return p.timeline.map((r) => {
    const year = yearOf(r.schoolYear);
    const next = rowIn(p, year + 1);
    const grade = r.grade;
    const ob = r.sector === 'vo' && (grade === 1 || grade === 2) && next?.sector === 'vo';
    const span = r.level.span;
    const afdeling = r.sector === 'vo' && grade !== null && grade >= 3 ? afdelingOf(r.level) : null;
    const bb = afdeling !== null;
    const bbSuccess = bb && (
      p.diplomas.some((d) => isVoDiploma(d.level) && d.schoolYear === r.schoolYear)
      || (next !== undefined && next.sector === 'vo' && next.grade !== null && next.grade > grade! && next.level.span !== null && next.level.span.low >= span!.low));
    const elLevel = inEarlyLeaverCount(r);
    const age = p.registration ? ageOn(p.registration.birthMonth, r.referenceDate) : null;
    const el = elLevel && (age === null || (age >= 12 && age < 23));
    const nextDate = `${year + 1}-10-01`;
    const d = dimsAt(p, yearStart(year));
    return {
      learner_id: p.learnerId, year, state: rowState(r), sector: r.sector, level: rowLevel(r), institution: r.institution, grade,
      gender: d.gender, pupil_weight: d.pupil_weight, parental_education: d.parental_education, migration_background: d.migration_background, area: d.area,
      ob_unit: ob, ob_promoted: ob && next!.grade !== null && grade !== null && next!.grade > grade,
      bb_afdeling: afdeling, bb_success: bbSuccess,
      el_unit: el, el_leaver: el && next === undefined && !p.diplomas.some((d) => givesStartkwalificatie(d.level) && d.occurredOn < nextDate),
    };
  });
}

export function stepsOf(p: Core): StepRow[] {
  const out: StepRow[] = [];
  for (const step of voSteps(p)) {
    for (const rules of RULES) {
      out.push({
        learner_id: p.learnerId, rules: rules.name, year: yearOf(step.from.schoolYear), class: stepClass(rules, step),
        repeated: isRepeat(rules, step), switched: step.switchedSchool, institution: step.from.institution,
      });
    }
  }
  return out;
}

const VMBO = new Set(['vmbo-b', 'vmbo-k', 'vmbo-g', 'vmbo-t']);

export function diplomasOf(p: Core): DiplomaRow[] {
  const sorted = inOrder(p.diplomas, byDate);
  // The latest vmbo diploma of each school year is the learner-year unit of vmbo-mbo-loss.
  const lastVmbo = new Map<string, DiplomaRecord>();
  for (const d of sorted) if (VMBO.has(d.level)) lastVmbo.set(d.schoolYear, d);
  return sorted.map((d) => {
    const year = yearOf(d.schoolYear);
    let afterMbo: string | null = null;
    if (d.level.startsWith('mbo-')) {
      const row = rowAfter(p, d.occurredOn);
      if (!row) afterMbo = 'not-enrolled';
      else if (row.sector === 'mbo') {
        const [now, had] = [EDUCATION_RANK[row.level.code] ?? 0, EDUCATION_RANK[d.level] ?? 0];
        afterMbo = now > had ? 'mbo-higher' : now === had ? 'mbo-same' : 'mbo-lower';
      } else afterMbo = row.sector;
    }
    const vlUnit = lastVmbo.get(d.schoolYear) === d;
    const onT = rowIn(p, year);
    const dims = dimsAt(p, yearStart(year));
    return {
      learner_id: p.learnerId, year, level: d.level, institution: d.institution, award_date: dayOf(d.occurredOn),
      next_year: yearOf(firstReferenceYearAfter(d.occurredOn)), after_mbo: afterMbo, vl_unit: vlUnit, vl_lost: vlUnit && rowIn(p, year + 1) === undefined,
      row_institution: onT?.institution ?? null, row_level: onT ? rowLevel(onT) : null,
      gender: dims.gender, pupil_weight: dims.pupil_weight, parental_education: dims.parental_education, migration_background: dims.migration_background, area: dims.area,
    };
  });
}

export function revisionsOf(p: Core): RevisionRow[] {
  const out: RevisionRow[] = [];
  for (const a of p.advices) {
    if (a.type !== 'AdviceRevised') continue;
    const from = a.from ?? { code: 'unknown', span: null };
    for (const rules of RULES) {
      out.push({
        learner_id: p.learnerId, rules: rules.name, year: yearOf(a.schoolYear), direction: directionOf(classify(rules, from, a.level)),
        from_code: effectiveCode(rules, from), to_code: effectiveCode(rules, a.level),
      });
    }
  }
  return out;
}

/** Area chains as recorded with the learner's background (nearest parent first), root first: depth 0 is the root. */
export function areasOf(p: Core): AreaRow[] {
  const out: AreaRow[] = [];
  for (const b of p.background) {
    if (!b.area) continue;
    const chain = [...b.area.parents].reverse().concat(b.area.code);
    chain.forEach((ancestor, depth) => out.push({ area: b.area!.code, depth, ancestor }));
  }
  return out;
}

// --- valid time

/** The last day of each school year (`2017-07-31` for 2016), one string per year: every learner is cut at several. */
const yearEnd = oncePerKey((year: number) => `${year + 1}-07-31`);

/** The pathway as it stood at the end of school year `year`: everything dated later left out. */
export const cut = (p: Core, year: number): Core => cutsOf(p)(year);

/**
 * The cuts of one pathway, each year's made once: the member rows and the
 * classifications are cut at many of the same years. The school year of
 * every dated item is read once, not once per cut; a cut with nothing later
 * left out is the pathway itself.
 */
function cutsOf(p: Core): (year: number) => Core {
  const dated = { advices: yearsOf(p.advices), timeline: yearsOf(p.timeline), diplomas: yearsOf(p.diplomas), left: yearsOf(p.left) };
  const lastYear = Math.max(dated.advices.last, dated.timeline.last, dated.diplomas.last, dated.left.last);
  const made = new Map<number, Core>();
  return (year) => {
    let c = made.get(year);
    if (c !== undefined) return c;
    const end = yearEnd(year);
    const background = p.background.every((b) => b.validFrom <= end) ? p.background : p.background.filter((b) => b.validFrom <= end);
    const testScore = p.testScore && p.testScore.occurredOn <= end ? p.testScore : null;
    c = year >= lastYear && background === p.background && testScore === p.testScore ? p : {
      learnerId: p.learnerId,
      registration: p.registration,
      background,
      testScore,
      advices: untilYear(p.advices, dated.advices, year),
      timeline: untilYear(p.timeline, dated.timeline, year),
      diplomas: untilYear(p.diplomas, dated.diplomas, year),
      left: untilYear(p.left, dated.left, year),
    };
    made.set(year, c);
    return c;
  };
}

interface Dated { readonly years: readonly number[]; readonly last: number }
function yearsOf(items: readonly { readonly schoolYear: string }[]): Dated {
  const years = items.map((x) => yearOf(x.schoolYear));
  let last = -Infinity;
  for (const y of years) if (y > last) last = y;
  return { years, last };
}

/**
 * The items of school years up to `year`: the array itself when none is
 * later, as in most cuts (the copies were a good part of the fold's garbage).
 */
function untilYear<T>(items: readonly T[], dated: Dated, year: number): readonly T[] {
  // "Not later" rather than "at or before": an item whose school year does not read as a number (NaN) stays, as it always did.
  return dated.last <= year ? items : items.filter((_, i) => !(dated.years[i]! > year));
}

/**
 * The school years in which a cohort membership can change: when an advice
 * is given or revised (the advice cohort, its advice and school), and the
 * years of the first VO row and of the first row in grade 3 (the intake and
 * leerjaar-3 cohorts and their school). The breakdown values are taken at
 * the cohort's start, which no later cut changes.
 */
function memberYears(p: Core): number[] {
  const years = new Set<number>();
  for (const a of p.advices) years.add(yearOf(a.schoolYear));
  for (const r of [firstVoRow(p), yearThreeRow(p)]) if (r) years.add(yearOf(r.schoolYear));
  return [...years].sort((a, b) => a - b);
}

/**
 * The school years in which a learner's classifications can change: the
 * years of the advices, the test score and the diplomas, of the first row,
 * the first VO row, the first rows in grade 1 and grade 3 and the first row
 * after VO, and - for a learner with a stacking attempt, whose route ends in
 * the latest enrolment - every row. The property tests check these against
 * every year.
 */
function learnerYears(p: Core): number[] {
  const years = new Set<number>();
  for (const d of p.diplomas) years.add(yearOf(d.schoolYear));
  for (const a of p.advices) years.add(yearOf(a.schoolYear));
  if (p.testScore) years.add(yearOf(schoolYearOf(p.testScore.occurredOn)));
  for (const r of [p.timeline[0], firstVoRow(p), gradeOneRow(p), yearThreeRow(p), firstPostVoRow(p)]) if (r) years.add(yearOf(r.schoolYear));
  if (stackingAttempts(p).length > 0) for (const r of p.timeline) years.add(yearOf(r.schoolYear));
  return [...years].sort((a, b) => a - b);
}

/**
 * Rows with the school years they hold in: worked out from the pathway cut
 * at each year they can change, a row of a slot (rule set, cohort type)
 * holding until the next cut that gives another.
 */
function versioned<R extends { readonly rules: string }>(
  cuts: (year: number) => Core, years: readonly number[], rowsOf: (p: Core) => R[], slotOf: (r: R) => string, same: (a: R, b: R) => boolean,
): Versioned<R>[] {
  const out: Versioned<R>[] = [];
  const open = new Map<string, { row: R; from: number }>();
  for (const year of years) {
    const now = new Map<string, R>();
    for (const row of rowsOf(cuts(year))) now.set(slotOf(row), row);
    for (const [slot, o] of open) {
      const row = now.get(slot);
      if (row && same(row, o.row)) continue;
      out.push(withValid(o.row, o.from, year));
      open.delete(slot);
    }
    for (const [slot, row] of now) if (!open.has(slot)) open.set(slot, { row, from: year });
  }
  for (const o of open.values()) out.push(withValid(o.row, o.from, null));
  return out;
}

/**
 * Whether two rows of one kind hold the same values, field by named field:
 * compiled from the kind's complete list of fields (the type checks that it
 * is complete), as a loop over the keys of a row costs a generic lookup per
 * field, millions of times in a rebuild.
 */
function sameBy<R>(fields: { readonly [K in keyof Required<R>]: true }): (a: R, b: R) => boolean {
  const body = Object.keys(fields).map((k) => `a[${JSON.stringify(k)}] === b[${JSON.stringify(k)}]`).join(' && ');
  return new Function('a', 'b', `return ${body};`) as (a: R, b: R) => boolean;
}

const sameMember = sameBy<MemberRow>({
  learner_id: true, rules: true, cohort_type: true, cohort: true, gender: true, pupil_weight: true, parental_education: true,
  migration_background: true, area: true, po_school: true, vo_school: true, advice: true,
});
const sameLearner = sameBy<LearnerRow>({
  learner_id: true, rules: true, ap: true, oc: true, f_advice: true, f_lj1: true, f_lj3: true, f_diploma: true, f_next: true,
  route: true, at: true, revised: true, first_year: true, sk_date: true, placement_year: true, vo_diploma_year: true,
});

/** A member row's slot (`monitor|advice`), one string per rule set and cohort type (see oncePerKey). */
const memberSlots = oncePerKey((rules: string) => oncePerKey((type: CohortType) => `${rules}|${type}`));
const memberSlot = (r: MemberRow): string => memberSlots(r.rules)(r.cohort_type);
const learnerSlot = (r: LearnerRow): string => r.rules;

/**
 * The row with its valid years, set on the row itself: rowsOf makes new rows
 * for every year, and versioned keeps each for one version at most, so a copy
 * (one per row written, two million at 110k) bought nothing.
 */
function withValid<R>(row: R, from: number, until: number | null): Versioned<R> {
  const v = row as R & { valid_from: number; valid_until: number | null };
  v.valid_from = from;
  v.valid_until = until;
  return v;
}

export const versionedMembers = (p: Core, cuts = cutsOf(p)): Versioned<MemberRow>[] => versioned(cuts, memberYears(p), membersOf, memberSlot, sameMember);
export const versionedLearnerRows = (p: Core, cuts = cutsOf(p)): Versioned<LearnerRow>[] => versioned(cuts, learnerYears(p), learnerRowsOf, learnerSlot, sameLearner);

export function factsOf(p: Core): LearnerFacts {
  const cuts = cutsOf(p);
  return { member: versionedMembers(p, cuts), learner: versionedLearnerRows(p, cuts), state: statesOf(p), step: stepsOf(p), diploma: diplomasOf(p), attempt: attemptsOf(p), revision: revisionsOf(p) };
}
