/**
 * The pure fold of one learner's events into the learner's pathway: corrections
 * applied, valid-time order (ties by store position), no I/O, no clock.
 */
import {
  DEFAULT_RULE_SET, RULE_SETS, fromStored, givesStartkwalificatie, isEventType, schoolYearOf, type DomainEvent, type EventData,
} from '@leerroutes/domain';
import { classifyPathway } from './classify.js';
import { cohortOf, isRepeat, referenceAdviceOf, routeOf, rowState, voSteps } from './derive.js';
import type {
  AdviceRecord, BackgroundRecord, DiplomaRecord, EventRef, LeftRecord, Pathway, PathwayInputEvent, PathwaySummary, TimelineRow,
} from './types.js';

interface Decoded { readonly input: PathwayInputEvent; readonly event: DomainEvent }

function decodeAll(events: readonly PathwayInputEvent[]): Decoded[] {
  const out: Decoded[] = [];
  for (const input of events) {
    // A fold never throws for one unreadable event: it is left out, as the
    // store's upcasting would refuse it on read anyway.
    if (!isEventType(input.type)) continue;
    try {
      // Events were validated when appended; only older versions are upcast here.
      out.push({ input, event: fromStored(input.type, input.schemaVersion, (input.data ?? {}) as Record<string, unknown>) });
    } catch {
      continue;
    }
  }
  return out;
}

/**
 * Which events a correction removes. A Retracted counts only when it is in the
 * input itself (so an as-known-on replay, which filters by knownAt, sees exactly
 * the corrections known then); a Retracted that is itself retracted is void.
 */
function retractedIds(decoded: readonly Decoded[]): Set<string> {
  const retractions = decoded.filter((d) => d.event.type === 'Retracted');
  let removed = new Set<string>();
  // Iterate to a fixed point: retracting a retraction restores its targets.
  for (let round = 0; round < 8; round++) {
    const next = new Set<string>();
    for (const r of retractions) {
      if (removed.has(r.input.eventId)) continue;
      for (const id of (r.event.data as EventData<'Retracted'>).retracted) next.add(id);
    }
    if (next.size === removed.size && [...next].every((id) => removed.has(id))) break;
    removed = next;
  }
  return removed;
}

const byValidTime = (a: Decoded, b: Decoded): number => {
  const ao = a.input.occurredOn ?? '';
  const bo = b.input.occurredOn ?? '';
  return ao < bo ? -1 : ao > bo ? 1 : a.input.position - b.input.position;
};

/**
 * The records of a learner's pathway, without what the whole pathway derives
 * from them (cohorts, reference advices, summary, classifications): the
 * statistics fold a learner once per knowledge day and derive their own, and
 * worked out for nothing these were a tenth of a rebuild's fold.
 */
export type PathwayRecords = Pick<Pathway, 'learnerId' | 'registration' | 'background' | 'testScore' | 'advices' | 'timeline' | 'diplomas' | 'left' | 'reEntered' | 'lastPosition'>;

export function foldRecords(learnerId: string, events: readonly PathwayInputEvent[]): PathwayRecords {
  return foldParts(learnerId, events).records;
}

function foldParts(learnerId: string, events: readonly PathwayInputEvent[]): { records: PathwayRecords; decoded: readonly Decoded[]; removed: ReadonlySet<string> } {
  const decoded = decodeAll(events);
  const removed = retractedIds(decoded);
  // Almost no learner has a correction: then no id is looked up (an id read from the log is text made in pieces, which
  // a lookup first joins and hashes; at 110,000 learners that was 3% of a rebuild's fold).
  const live = decoded.filter((d) => d.event.type !== 'Retracted' && (removed.size === 0 || !removed.has(d.input.eventId))).sort(byValidTime);

  let registration: Pathway['registration'] = null;
  const background: BackgroundRecord[] = [];
  let testScore: Pathway['testScore'] = null;
  const advices: AdviceRecord[] = [];
  const rows = new Map<string, TimelineRow>();
  const diplomas: DiplomaRecord[] = [];
  const left: LeftRecord[] = [];
  const reEntered: EventRef[] = [];
  let lastPosition = 0;

  for (const d of decoded) lastPosition = Math.max(lastPosition, d.input.position);

  for (const { input, event } of live) {
    const eventId = input.eventId;
    switch (event.type) {
      case 'LearnerRegistered':
        registration = { birthMonth: event.data.birthMonth, gender: event.data.gender, eventId };
        break;
      case 'BackgroundRecorded': {
        const rec: BackgroundRecord = {
          validFrom: event.data.occurredOn, pupilWeight: event.data.pupilWeight, parentalEducation: event.data.parentalEducation,
          migrationBackground: event.data.migrationBackground, area: event.data.area, eventId,
        };
        // One record per valid-from date: a later one for the same date replaces it.
        const same = background.findIndex((b) => b.validFrom === rec.validFrom);
        if (same >= 0) background[same] = rec;
        else background.push(rec);
        break;
      }
      case 'TestScoreRecorded':
        testScore = { score: event.data.score, indicatedLevel: event.data.indicatedLevel, eventId, occurredOn: event.data.occurredOn };
        break;
      case 'AdviceGiven':
        advices.push({
          eventId, type: 'AdviceGiven', kind: event.data.kind, level: event.data.level, from: null, downward: false, reason: null,
          poSchool: event.data.poSchool, occurredOn: event.data.occurredOn, schoolYear: event.data.schoolYear,
        });
        break;
      case 'AdviceRevised':
        advices.push({
          eventId, type: 'AdviceRevised', kind: 'revised', level: event.data.to, from: event.data.from, downward: event.data.downward,
          reason: event.data.reason, poSchool: event.data.poSchool, occurredOn: event.data.occurredOn, schoolYear: event.data.schoolYear,
        });
        break;
      case 'Placed': case 'Promoted': case 'Repeated': case 'LevelChanged': case 'SchoolSwitched':
      case 'NextEducationStarted': case 'ReEntered': {
        const en = event.data.enrolment;
        const prev = rows.get(en.referenceDate);
        // Several events of one yearly step carry the same enrolment; the last in valid-time order wins.
        rows.set(en.referenceDate, {
          referenceDate: en.referenceDate, schoolYear: schoolYearOf(en.referenceDate), sector: en.sector,
          institution: en.institution, branch: en.branch, level: en.level, grade: en.grade, programme: en.programme, track: en.track,
          events: [...(prev?.events ?? []), { eventId, type: event.type, occurredOn: event.data.occurredOn }],
        });
        if (event.type === 'ReEntered') reEntered.push({ eventId, type: event.type, occurredOn: event.data.occurredOn });
        break;
      }
      case 'DiplomaAwarded':
        diplomas.push({
          eventId, level: event.data.level, institution: event.data.institution, programme: event.data.programme,
          occurredOn: event.data.occurredOn, schoolYear: event.data.schoolYear,
        });
        break;
      case 'LeftEducation':
        left.push({ eventId, occurredOn: event.data.occurredOn, schoolYear: event.data.schoolYear, withStartkwalificatie: event.data.withStartkwalificatie });
        break;
      default:
        break;
    }
  }

  const timeline = [...rows.values()].sort((a, b) => a.referenceDate.localeCompare(b.referenceDate));
  background.sort((a, b) => a.validFrom.localeCompare(b.validFrom));
  return { records: { learnerId, registration, background, testScore, advices, timeline, diplomas, left, reEntered, lastPosition }, decoded, removed };
}

export function foldPathway(learnerId: string, events: readonly PathwayInputEvent[]): Pathway {
  const { records, decoded, removed } = foldParts(learnerId, events);
  const { registration, background, testScore, advices, timeline, diplomas, left, reEntered, lastPosition } = records;
  const core = { advices, timeline, diplomas, background, left };

  const referenceAdvice: Record<string, AdviceRecord | null> = {};
  const adviceCohort: Record<string, string | null> = {};
  const classifications: Record<string, ReturnType<typeof classifyPathway>> = {};
  for (const [name, rules] of Object.entries(RULE_SETS)) {
    const ref = referenceAdviceOf(advices, rules);
    referenceAdvice[name] = ref;
    adviceCohort[name] = ref ? ref.schoolYear : null;
    classifications[name] = classifyPathway(core, rules, { words: false });
  }
  // Intake and leerjaar-3 cohorts do not depend on the rule set.
  const intakeCohort = cohortOf(core, 'intake', DEFAULT_RULE_SET);
  const leerjaar3Cohort = cohortOf(core, 'leerjaar3', DEFAULT_RULE_SET);

  return {
    learnerId, adviceCohort, intakeCohort, leerjaar3Cohort, registration, background, testScore, advices, referenceAdvice,
    timeline, diplomas, left, reEntered, summary: summarise(core), classifications, lastPosition,
    retractedEventIds: [...removed].filter((id) => decoded.some((d) => d.input.eventId === id)).sort(),
  };
}

function summarise(p: Pick<Pathway, 'timeline' | 'diplomas' | 'left'>): PathwaySummary {
  const route = routeOf(p);
  const steps = voSteps(p);
  const lastRow = p.timeline[p.timeline.length - 1];
  const lastLeft = p.left[p.left.length - 1];
  const startkwalificatie = p.diplomas.some((d) => givesStartkwalificatie(d.level));
  const leftAfterLastRow = lastLeft && (!lastRow || lastLeft.occurredOn > lastRow.referenceDate);
  const currentStatus = leftAfterLastRow
    ? (lastLeft.withStartkwalificatie || startkwalificatie ? 'left-with-startkwalificatie' : 'left-without-startkwalificatie')
    : lastRow ? rowState(lastRow) : 'po';
  return {
    route: route.route,
    stacked: route.stacked,
    stackSuccess: route.success,
    yearsInVo: p.timeline.filter((r) => r.sector === 'vo').length,
    repetitions: steps.filter((s) => isRepeat(DEFAULT_RULE_SET, s)).length,
    switches: steps.filter((s) => s.switchedSchool).length,
    currentStatus,
    startkwalificatie,
    earlyLeaver: Boolean(leftAfterLastRow && currentStatus === 'left-without-startkwalificatie'),
  };
}
