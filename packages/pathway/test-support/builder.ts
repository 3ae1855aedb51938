/**
 * A small event builder for tests: learners' events as the importer would
 * derive them, with store positions and knownAt, without a store.
 */
import {
  parseEnrolmentLevel, parseVoLevel, schoolYearOf, learnerStream, AREAS_STREAM, COVERAGE_STREAM, INSTITUTIONS_STREAM,
  SCHOOL_GROUPS_STREAM, CURRENT_SCHEMA_VERSION, type Enrolment, type EventType, type LevelRef, type Sector,
} from '@leerroutes/domain';
import * as E from 'fp-ts/lib/Either.js';
import type { PathwayInputEvent } from '../src/types.js';

export interface BuiltEvent extends PathwayInputEvent {
  readonly stream: string;
}

const SOURCE = { system: 'test' };

export function vo(code: string): LevelRef {
  const p = parseVoLevel(code);
  if (E.isLeft(p)) throw new Error(p.left.message);
  return p.right;
}

function level(sector: Sector, code: string): LevelRef {
  const p = parseEnrolmentLevel(sector, code);
  if (E.isLeft(p)) throw new Error(p.left.message);
  return p.right;
}

export class TestLog {
  readonly all: BuiltEvent[] = [];
  private position = 0;
  private seq = 0;
  /** knownAt stamped on the next events. */
  knownAt = '2020-01-01';

  append(stream: string, type: EventType, data: Record<string, unknown>, occurredOn: string | null): string {
    // UUID-shaped, so the same events can be appended to a real store.
    const eventId = `00000000-0000-4000-8000-${String(++this.seq).padStart(12, '0')}`;
    this.all.push({ eventId, stream, type, schemaVersion: CURRENT_SCHEMA_VERSION[type], position: ++this.position, occurredOn, knownAt: this.knownAt, data });
    return eventId;
  }

  learner(id: string): LearnerBuilder {
    return new LearnerBuilder(this, id);
  }

  area(area: string, parent: string | null, name = area): void {
    this.append(AREAS_STREAM, 'AreaDefined', { area, name, parent, source: SOURCE }, null);
  }

  institution(institution: string, board: string | null, kind = 'vo'): void {
    this.append(INSTITUTIONS_STREAM, 'InstitutionDefined', { institution, name: institution, board, municipality: null, kind, source: SOURCE }, null);
  }

  /** A named group of schools (school_groups.csv), validTo inclusive. */
  schoolGroup(institution: string, group: string, validFrom: string, validTo: string | null = null): void {
    this.append(SCHOOL_GROUPS_STREAM, 'SchoolGroupDefined', { institution, group, validFrom, validTo, source: SOURCE }, null);
  }

  /** The import's record that a reference date was delivered complete. */
  covered(referenceDate: string, delivery = 1): void {
    this.append(COVERAGE_STREAM, 'ReferenceDateCovered', { referenceDate, schoolYear: schoolYearOf(referenceDate), delivery, occurredOn: referenceDate, source: SOURCE }, referenceDate);
  }

  /** The reference-data events (areas, institutions, school groups), as foldReferenceData takes them. */
  referenceEvents(asKnownOn?: string): BuiltEvent[] {
    return this.all.filter((e) => (e.stream === AREAS_STREAM || e.stream === INSTITUTIONS_STREAM || e.stream === SCHOOL_GROUPS_STREAM)
      && (!asKnownOn || e.knownAt.slice(0, 10) <= asKnownOn));
  }

  eventsOf(learnerId: string, asKnownOn?: string): BuiltEvent[] {
    return this.all.filter((e) => e.stream === learnerStream(learnerId) && (!asKnownOn || e.knownAt.slice(0, 10) <= asKnownOn));
  }

  learnerIds(): string[] {
    return [...new Set(this.all.filter((e) => e.stream.startsWith('learner-')).map((e) => e.stream.slice(8)))];
  }
}

export interface RowSpec { sector?: Sector; institution: string; level: string; grade: number | null; track?: 'bol' | 'bbl' }

export class LearnerBuilder {
  private prev: Enrolment | null = null;
  private readonly rows = new Map<string, { enrolment: Enrolment; ids: string[] }>();
  private diplomaSince = false;
  private gap = false;
  constructor(readonly log: TestLog, readonly id: string) {}

  private base(occurredOn: string) {
    return { learnerId: this.id, occurredOn, schoolYear: schoolYearOf(occurredOn), source: SOURCE };
  }

  private add(type: EventType, occurredOn: string, data: Record<string, unknown>): string {
    return this.log.append(learnerStream(this.id), type, { ...this.base(occurredOn), ...data }, occurredOn);
  }

  registered(birthMonth: string, gender: 'm' | 'f' | 'x' | 'unknown', on = `${birthMonth}-01`): string {
    return this.add('LearnerRegistered', on, { birthMonth, gender });
  }

  background(validFrom: string, v: { pupilWeight?: 0 | 0.3 | 1.2 | null; parentalEducation?: 'low' | 'middle' | 'high' | null; migrationBackground?: string | null; area?: string | null; areaParents?: string[] }): string {
    return this.add('BackgroundRecorded', validFrom, {
      pupilWeight: v.pupilWeight ?? null, parentalEducation: v.parentalEducation ?? null, migrationBackground: v.migrationBackground ?? null,
      area: v.area ? { code: v.area, parents: v.areaParents ?? [] } : null,
    });
  }

  testScore(on: string, score: number, indicated: string | null): string {
    return this.add('TestScoreRecorded', on, { score, indicatedLevel: indicated ? vo(indicated) : null });
  }

  advice(on: string, kind: 'provisional' | 'final', lvl: string, poSchool = 'PO1'): string {
    return this.add('AdviceGiven', on, { kind, level: vo(lvl), poSchool });
  }

  revised(on: string, from: string, to: string, poSchool = 'PO1'): string {
    const f = vo(from);
    const t = vo(to);
    return this.add('AdviceRevised', on, { from: f, to: t, reason: 'eindtoets', downward: (t.span?.low ?? 0) + (t.span?.high ?? 0) < (f.span?.low ?? 0) + (f.span?.high ?? 0), poSchool });
  }

  /** One yearly row; derives the events the importer would (SPEC 7). Returns their ids. */
  row(referenceDate: string, spec: RowSpec): string[] {
    const sector = spec.sector ?? 'vo';
    const en: Enrolment = {
      referenceDate, sector, institution: spec.institution, branch: null, level: level(sector, spec.level),
      grade: spec.grade, programme: null, track: spec.track ?? null,
    };
    const prev = this.prev;
    const ids: string[] = [];
    const e = (type: EventType, extra: Record<string, unknown> = {}) => ids.push(this.add(type, referenceDate, { enrolment: en, ...extra }));
    if (this.gap) e('ReEntered');
    else if (!prev) e(sector === 'vo' ? 'Placed' : 'NextEducationStarted', sector === 'vo' ? {} : { afterDiploma: null });
    else if (sector !== prev.sector || this.diplomaSince) e('NextEducationStarted', { afterDiploma: null });
    else {
      if (prev.institution !== en.institution) e('SchoolSwitched', { fromInstitution: prev.institution });
      if (prev.level.code !== en.level.code) e('LevelChanged', { from: prev.level });
      if ((en.grade ?? 0) > (prev.grade ?? 0)) e('Promoted', { fromGrade: prev.grade });
      else e('Repeated', { fromGrade: prev.grade });
    }
    this.rows.set(referenceDate, { enrolment: en, ids });
    this.prev = en;
    this.gap = false;
    this.diplomaSince = false;
    return ids;
  }

  diploma(on: string, lvl: string, institution: string): string {
    this.diplomaSince = true;
    return this.add('DiplomaAwarded', on, { level: lvl, institution, programme: null });
  }

  left(referenceDate: string, withStartkwalificatie = false): string {
    const last = this.prev;
    this.gap = true;
    return this.add('LeftEducation', referenceDate, { lastEnrolment: last, withStartkwalificatie });
  }

  retract(on: string, ids: string[], reason = 'correction'): string {
    return this.add('Retracted', on, { retracted: ids, reason });
  }

  /**
   * A corrected delivery for one reference date: a Retracted for that row's
   * events, then the replacement events derived against the row before it.
   * Returns the retraction's id and the replacement ids.
   */
  correctRow(referenceDate: string, spec: RowSpec): { retraction: string; replacement: string[] } {
    const old = this.rows.get(referenceDate);
    if (!old) throw new Error(`no row on ${referenceDate} to correct`);
    const retraction = this.retract(referenceDate, old.ids);
    const before = [...this.rows.keys()].filter((d) => d < referenceDate).sort().pop();
    const saved = this.prev;
    this.prev = before ? this.rows.get(before)!.enrolment : null;
    const replacement = this.row(referenceDate, spec);
    if (saved && saved.referenceDate > referenceDate) this.prev = saved;
    return { retraction, replacement };
  }

  /** Forget the derivation state (after a correction rewrites history). */
  resetState(prev: Enrolment | null = null): void {
    this.prev = prev;
  }
}
