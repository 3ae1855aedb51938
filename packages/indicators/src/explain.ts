/**
 * One learner explained: the events in valid-time order with corrections
 * marked, the folded pathway, and per rule set every classification with its
 * rule and the events behind it.
 */
import { RULE_SETS, learnerStream } from '@leerroutes/domain';
import { classifyPathway, foldPathway, type AdviceRecord, type ClassificationRecord, type Pathway } from '@leerroutes/pathway';
import type { EventStore } from '@leerroutes/event-store';
import { knownOn, toInput } from './log.js';

export interface ExplainedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly occurredOn: string | null;
  readonly knownAt: string;
  readonly position: number;
  /** Named by a correction known at the time: its fact no longer holds. */
  readonly retracted: boolean;
  readonly summary: string;
}

export interface LearnerExplanation {
  readonly learnerId: string;
  readonly asKnownOn: string | null;
  readonly events: readonly ExplainedEvent[];
  readonly pathway: Pathway;
  readonly ruleSets: readonly {
    readonly name: string;
    readonly version: number;
    readonly referenceAdvice: AdviceRecord | null;
    readonly adviceCohort: string | null;
    readonly classifications: readonly ClassificationRecord[];
  }[];
}

export async function explainLearner(learnerId: string, deps: { readonly store: EventStore }, options: { asKnownOn?: string } = {}): Promise<LearnerExplanation | null> {
  const recorded = (await deps.store.readStream(learnerStream(learnerId))).filter((e) => !options.asKnownOn || knownOn(e.knownAt, options.asKnownOn));
  if (recorded.length === 0) return null;
  const inputs = recorded.map(toInput);
  const pathway = foldPathway(learnerId, inputs);
  const retracted = new Set(pathway.retractedEventIds);
  const events = [...inputs]
    .sort((a, b) => (a.occurredOn ?? '').localeCompare(b.occurredOn ?? '') || a.position - b.position)
    .map((e) => ({
      eventId: e.eventId, type: e.type, occurredOn: e.occurredOn, knownAt: e.knownAt, position: e.position,
      retracted: retracted.has(e.eventId), summary: describeEvent(e.type, e.data),
    }));
  return {
    learnerId,
    asKnownOn: options.asKnownOn ?? null,
    events,
    pathway,
    ruleSets: Object.values(RULE_SETS).map((r) => ({
      name: r.name, version: r.version,
      referenceAdvice: pathway.referenceAdvice[r.name] ?? null,
      adviceCohort: pathway.adviceCohort[r.name] ?? null,
      classifications: classifyPathway(pathway, r),
    })),
  };
}

type Data = Record<string, unknown>;
const lvl = (l: unknown): string => (l && typeof l === 'object' ? String((l as Data)['code']) : String(l));

function enrolmentWords(en: unknown): string {
  if (!en || typeof en !== 'object') return '';
  const e = en as Data;
  return `${e['sector']} ${e['institution']} ${lvl(e['level'])}${e['grade'] !== null && e['grade'] !== undefined ? ` grade ${e['grade']}` : ''}${e['track'] ? ` ${e['track']}` : ''} on ${e['referenceDate']}`;
}

/** A one-line reading of an event's payload, for people. */
export function describeEvent(type: string, data: unknown): string {
  const d = (data ?? {}) as Data;
  switch (type) {
    case 'LearnerRegistered': return `born ${d['birthMonth']}, gender ${d['gender']}`;
    case 'BackgroundRecorded': {
      const area = d['area'] as Data | null;
      return `from ${d['occurredOn']}: pupil weight ${d['pupilWeight'] ?? 'unknown'}, parental education ${d['parentalEducation'] ?? 'unknown'}, migration background ${d['migrationBackground'] ?? 'unknown'}, area ${area ? String(area['code']) : 'unknown'}`;
    }
    case 'TestScoreRecorded': return `test score ${d['score']}${d['indicatedLevel'] ? ` (indicates ${lvl(d['indicatedLevel'])})` : ''}`;
    case 'AdviceGiven': return `${d['kind']} advice ${lvl(d['level'])} by ${d['poSchool']}`;
    case 'AdviceRevised': return `advice revised ${lvl(d['from'])} -> ${lvl(d['to'])}${d['downward'] ? ' (downward: flagged)' : ''}: ${d['reason']}`;
    case 'Placed': return `placed in ${enrolmentWords(d['enrolment'])}`;
    case 'Promoted': return `promoted from grade ${d['fromGrade'] ?? '?'} to ${enrolmentWords(d['enrolment'])}`;
    case 'Repeated': return `repeated (grade ${d['fromGrade'] ?? '?'}): ${enrolmentWords(d['enrolment'])}`;
    case 'LevelChanged': return `level ${lvl(d['from'])} -> ${enrolmentWords(d['enrolment'])}`;
    case 'SchoolSwitched': return `school ${d['fromInstitution']} -> ${enrolmentWords(d['enrolment'])}`;
    case 'DiplomaAwarded': return `diploma ${d['level']} from ${d['institution']}`;
    case 'NextEducationStarted': return `next education ${enrolmentWords(d['enrolment'])}${d['afterDiploma'] ? ` after diploma ${d['afterDiploma']}` : ''}`;
    case 'LeftEducation': return `no longer enrolled (${d['withStartkwalificatie'] ? 'with' : 'without'} startkwalificatie)`;
    case 'ReEntered': return `re-entered ${enrolmentWords(d['enrolment'])}`;
    case 'Retracted': return `correction: retracts ${(d['retracted'] as string[] | undefined)?.join(', ')} (${d['reason']})`;
    default: return type;
  }
}
