import { compareSpans } from '../classification/compare.js';
import type { Enrolment } from '../events/common.js';
import type { EventData, LearnerEvent } from '../events/schemas.js';
import { givesStartkwalificatie, stacksOn } from '../levels/education.js';
import { levelForScore } from '../levels/test-score.js';
import { schoolYearOf } from '../time/school-year.js';
import type { AdviceFact, DerivationContext, DiplomaFact, EnrolmentFact, LearnerFacts } from './facts.js';

/**
 * A derived event with its content key: the event's type and data without its
 * source. Deriving the same fact from another delivery gives the same key,
 * which is what makes imports idempotent and corrections exact.
 */
export interface DerivedEvent {
  readonly key: string;
  readonly event: LearnerEvent;
}

const ADVICE_KIND_ORDER = { provisional: 0, final: 1, revised: 2 } as const;

/**
 * Derive a learner's transition events from the learner's registration facts
 * (SPEC section 7). Pure: the same facts and covered dates give the same events.
 */
export function deriveLearnerEvents(facts: LearnerFacts, ctx: DerivationContext): DerivedEvent[] {
  const out: DerivedEvent[] = [];
  const emit = <T extends LearnerEvent['type']>(type: T, data: EventData<T>) => {
    // The key is the data without its source. JSON leaves out an undefined member, so the source is set aside while
    // the data is written, rather than the data copied without it (a copy per event, of which an import makes millions).
    const d = data as unknown as { source: unknown };
    const source = d.source;
    d.source = undefined;
    const content = JSON.stringify(d);
    d.source = source;
    out.push({ key: `${type}|${content}`, event: { type, data } as LearnerEvent });
  };
  const learnerId = facts.learnerId;
  // Every event's data starts with these four fields, copied one by one into each literal: an object spread
  // ({ ...b, enrolment }) took V8's slow path, about 30% of a derive thread's time (without, a 110k
  // import's whole CPU went from 42-47 s to 30-41 s). Their order is part of every content key.
  const base = (occurredOn: string, source: EnrolmentFact['source']) => ({ learnerId, occurredOn, schoolYear: schoolYearOf(occurredOn), source });

  // Registration and background: the first row registers the learner; every row is a dated background.
  const learnerRows = [...facts.learner].sort((a, b) => cmp(a.validFrom, b.validFrom));
  const first = learnerRows[0];
  if (first) {
    const h = base(first.validFrom, first.source);
    emit('LearnerRegistered', { learnerId: h.learnerId, occurredOn: h.occurredOn, schoolYear: h.schoolYear, source: h.source, birthMonth: first.birthMonth, gender: first.gender });
  }
  for (const row of learnerRows) {
    const h = base(row.validFrom, row.source);
    emit('BackgroundRecorded', {
      learnerId: h.learnerId, occurredOn: h.occurredOn, schoolYear: h.schoolYear, source: h.source,
      pupilWeight: row.pupilWeight,
      parentalEducation: row.parentalEducation,
      migrationBackground: row.migrationBackground,
      area: row.area === null ? null : { code: row.area, parents: [...ctx.areaParents(row.area)] },
    });
  }

  deriveAdvice(facts.advice, base, emit);
  const diplomas = [...facts.diplomas].sort((a, b) => cmp(a.awardedOn, b.awardedOn) || cmp(a.level, b.level));
  for (const d of diplomas) {
    const h = base(d.awardedOn, d.source);
    emit('DiplomaAwarded', { learnerId: h.learnerId, occurredOn: h.occurredOn, schoolYear: h.schoolYear, source: h.source, level: d.level, institution: d.institution, programme: d.programme });
  }
  deriveEnrolments(facts.enrolments, diplomas, ctx, base, emit);

  return out.sort((a, b) => cmp(a.event.data.occurredOn, b.event.data.occurredOn));
}

type Base = (occurredOn: string, source: EnrolmentFact['source']) => { learnerId: string; occurredOn: string; schoolYear: string; source: EnrolmentFact['source'] };
type Emit = <T extends LearnerEvent['type']>(type: T, data: EventData<T>) => void;

function deriveAdvice(rows: readonly AdviceFact[], base: Base, emit: Emit): void {
  const advice = [...rows].sort((a, b) => cmp(a.issuedOn, b.issuedOn) || ADVICE_KIND_ORDER[a.kind] - ADVICE_KIND_ORDER[b.kind]);
  let current: AdviceFact | null = null;
  const scores = new Set<number>();
  for (const a of advice) {
    const h = base(a.issuedOn, a.source);
    if (a.testScore !== null && !scores.has(a.testScore)) {
      scores.add(a.testScore);
      emit('TestScoreRecorded', { learnerId: h.learnerId, occurredOn: h.occurredOn, schoolYear: h.schoolYear, source: h.source, score: a.testScore, indicatedLevel: levelForScore(a.testScore) });
    }
    if (a.kind === 'revised') {
      const from = current?.level ?? { code: 'unknown', span: null };
      const downward = from.span !== null && a.level.span !== null && ['afstroom', 'half-afstroom'].includes(compareSpans(from.span, a.level.span));
      emit('AdviceRevised', {
        learnerId: h.learnerId, occurredOn: h.occurredOn, schoolYear: h.schoolYear, source: h.source,
        from, to: a.level, reason: 'heroverweging after the end-of-primary test', downward, poSchool: a.poSchool,
      });
    } else {
      emit('AdviceGiven', { learnerId: h.learnerId, occurredOn: h.occurredOn, schoolYear: h.schoolYear, source: h.source, kind: a.kind, level: a.level, poSchool: a.poSchool });
    }
    current = a;
  }
}

function toEnrolment(row: EnrolmentFact): Enrolment {
  return {
    referenceDate: row.referenceDate, sector: row.sector, institution: row.institution, branch: row.branch,
    level: row.level, grade: row.grade, programme: row.programme, track: row.track,
  };
}

/** The newest diploma awarded after `after` and on or before `onOrBefore`. */
function diplomaBetween(diplomas: readonly DiplomaFact[], after: string, onOrBefore: string): DiplomaFact | null {
  let found: DiplomaFact | null = null;
  for (const d of diplomas) if (d.awardedOn > after && d.awardedOn <= onOrBefore) found = d;
  return found;
}

function deriveEnrolments(rows: readonly EnrolmentFact[], diplomas: readonly DiplomaFact[], ctx: DerivationContext, base: Base, emit: Emit): void {
  // PO rows (groep 8) say the learner is still in primary school: no transition event.
  const byDate = new Map<string, EnrolmentFact>();
  for (const r of rows) if (r.sector !== 'po') byDate.set(r.referenceDate, r);
  if (byDate.size === 0) return;
  const firstDate = [...byDate.keys()].sort()[0]!;
  // Dates to walk: every covered date from the first row on, plus the learner's own dates.
  const dates = [...new Set([...ctx.coveredReferenceDates.filter((d) => d >= firstDate), ...byDate.keys()])].sort();

  let prev: EnrolmentFact | null = null;
  let left = false;
  for (const date of dates) {
    const row = byDate.get(date);
    if (!row) {
      if (prev && !left) {
        const withStartkwalificatie = diplomas.some((d) => d.awardedOn < date && givesStartkwalificatie(d.level));
        const h = base(date, prev.source);
        emit('LeftEducation', { learnerId: h.learnerId, occurredOn: h.occurredOn, schoolYear: h.schoolYear, source: h.source, lastEnrolment: toEnrolment(prev), withStartkwalificatie });
        left = true;
      }
      continue;
    }
    const enrolment = toEnrolment(row);
    const b = base(row.referenceDate, row.source);
    if (prev === null) {
      if (row.sector === 'vo') emit('Placed', { learnerId: b.learnerId, occurredOn: b.occurredOn, schoolYear: b.schoolYear, source: b.source, enrolment });
      else emit('NextEducationStarted', { learnerId: b.learnerId, occurredOn: b.occurredOn, schoolYear: b.schoolYear, source: b.source, enrolment, afterDiploma: latestDiplomaBefore(diplomas, date)?.level ?? null });
    } else if (left) {
      emit('ReEntered', { learnerId: b.learnerId, occurredOn: b.occurredOn, schoolYear: b.schoolYear, source: b.source, enrolment });
    } else {
      deriveStep(prev, row, diplomas, b, enrolment, emit);
    }
    prev = row;
    left = false;
  }
}

function latestDiplomaBefore(diplomas: readonly DiplomaFact[], date: string): DiplomaFact | null {
  return diplomaBetween(diplomas, '', date);
}

/** One yearly step between two rows: next education, or switch/level change/promotion/repetition. */
function deriveStep(prev: EnrolmentFact, row: EnrolmentFact, diplomas: readonly DiplomaFact[], b: ReturnType<Base>, enrolment: Enrolment, emit: Emit): void {
  const diploma = diplomaBetween(diplomas, prev.referenceDate, row.referenceDate);
  const sectorChanged = prev.sector !== row.sector;
  if (sectorChanged || (diploma !== null && stacksOn(diploma.level, row))) {
    emit('NextEducationStarted', { learnerId: b.learnerId, occurredOn: b.occurredOn, schoolYear: b.schoolYear, source: b.source, enrolment, afterDiploma: diploma?.level ?? (sectorChanged ? latestDiplomaBefore(diplomas, row.referenceDate)?.level ?? null : null) });
    return;
  }
  if (prev.institution !== row.institution) emit('SchoolSwitched', { learnerId: b.learnerId, occurredOn: b.occurredOn, schoolYear: b.schoolYear, source: b.source, enrolment, fromInstitution: prev.institution });
  if (prev.level.code !== row.level.code) emit('LevelChanged', { learnerId: b.learnerId, occurredOn: b.occurredOn, schoolYear: b.schoolYear, source: b.source, enrolment, from: prev.level });
  // Without a grade on either side a continued enrolment counts as progression: nothing says it was repeated.
  if (prev.grade === null || row.grade === null || row.grade > prev.grade) emit('Promoted', { learnerId: b.learnerId, occurredOn: b.occurredOn, schoolYear: b.schoolYear, source: b.source, enrolment, fromGrade: prev.grade });
  else emit('Repeated', { learnerId: b.learnerId, occurredOn: b.occurredOn, schoolYear: b.schoolYear, source: b.source, enrolment, fromGrade: prev.grade });
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
