import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import {
  AREAS_STREAM, CURRENT_SCHEMA_VERSION, INSTITUTIONS_STREAM, deriveLearnerEvents, learnerStream, reconcile, schoolYearOf,
  type DerivationContext, type DerivedEvent, type ExistingEvent, type LearnerFacts,
} from '@leerroutes/domain';
import { deterministicEventId, uuidFromDigest, type EventStore, type NewEvent, type RecordedEvent, type StreamAppend } from '@leerroutes/event-store';
import { readCsv } from './csv.js';
import { areaRow, institutionRow, REGISTRATION_FILES, type FactFile, type ReferenceFile } from './files.js';
import { Ledger } from './ledger.js';
import { RejectsWriter } from './rejects.js';
import type { FileSummary, ImportSummary } from './summary.js';

export interface ImportProgress {
  readonly phase: 'read' | 'derive';
  readonly file: string;
  readonly rows: number;
  readonly bytes: number;
  readonly totalBytes: number;
  readonly learnersDone: number;
  readonly learnersTotal: number;
}

export interface ImportOptions {
  readonly dir: string;
  readonly store: EventStore;
  /** SQLite file holding the import ledger (by default the event log's own file). */
  readonly ledgerPath: string;
  /** When the source delivered these facts (ISO date or timestamp); default: when recorded. */
  readonly knownAt?: string;
  readonly rejectsFile?: string;
  readonly onProgress?: (p: ImportProgress) => void;
  readonly clock?: () => Date;
  /** Learners re-derived per append transaction. */
  readonly batchLearners?: number;
}

export class ImportError extends Error {}

const ROW_BATCH = 5000;

/**
 * Import a directory of yearly registration files (SPEC section 7): validate
 * every row, keep the good ones in the ledger by natural key, then re-derive
 * the events of every learner whose facts changed and append what is new
 * (Retracted plus replacements for corrections).
 */
export async function importDirectory(options: ImportOptions): Promise<ImportSummary> {
  const clock = options.clock ?? (() => new Date());
  const started = clock();
  const t0 = performance.now();
  const dir = resolve(options.dir);
  if (!existsSync(dir)) throw new ImportError(`no such directory: ${options.dir}`);
  const present = REGISTRATION_FILES.filter((f) => existsSync(join(dir, f.name)));
  if (present.length === 0) throw new ImportError(`${options.dir} holds none of ${REGISTRATION_FILES.map((f) => f.name).join(', ')}`);
  const knownAt = options.knownAt === undefined ? undefined : normaliseKnownAt(options.knownAt);

  const ledger = new Ledger(options.ledgerPath);
  try {
    const delivery = ledger.startDelivery(dir, started.toISOString(), knownAt ?? null);
    const rejects = new RejectsWriter(options.rejectsFile ?? join(dirname(resolve(options.ledgerPath)), 'rejects', `delivery-${delivery}.csv`));
    const affected = new Set<string>();
    const files: FileSummary[] = [];
    const referenceEvents: StreamAppend[] = [];
    let dropped = 0;
    const coveredBefore = new Set(ledger.coveredReferenceDates());
    const deliveredDates = new Set<string>();

    for (const file of present) {
      const summary: FileSummary = { file: file.name, rows: 0, accepted: 0, rejected: 0, inserted: 0, changed: 0, unchanged: 0, repeated: 0 };
      files.push(summary);
      const path = join(dir, file.name);
      const progress = (bytes: number, totalBytes: number) =>
        options.onProgress?.({ phase: 'read', file: file.name, rows: summary.rows, bytes, totalBytes, learnersDone: 0, learnersTotal: 0 });
      if (file.kind === 'reference') {
        referenceEvents.push(...(await readReferenceFile(file, path, ledger, rejects, summary, delivery, progress)));
      } else {
        await readFactFile(file, path, ledger, rejects, summary, delivery, affected, deliveredDates, progress);
      }
    }

    // A delivery holding reference date D is the complete count for D.
    const newlyCovered: string[] = [];
    ledger.transaction(() => {
      for (const date of [...deliveredDates].sort()) {
        const gone = ledger.dropMissingEnrolments(date, delivery);
        dropped += gone.length;
        for (const id of gone) affected.add(id);
        if (!coveredBefore.has(date)) {
          ledger.cover(date, delivery);
          newlyCovered.push(date);
        }
      }
    });
    // A newly covered date can mean a learner left (or came back) who is in no file of this delivery.
    const covered = ledger.coveredReferenceDates();
    for (const date of newlyCovered) {
      const i = covered.indexOf(date);
      for (const neighbour of [covered[i - 1], covered[i + 1]]) {
        if (neighbour !== undefined && coveredBefore.has(neighbour)) for (const id of ledger.learnersOn(neighbour)) affected.add(id);
      }
    }

    const appended = await appendDerived(options, ledger, covered, [...affected].sort(), delivery, knownAt, clock);
    if (referenceEvents.length > 0) {
      const r = await options.store.appendToStreams(referenceEvents);
      if (E.isLeft(r)) throw new ImportError(`could not append reference data: ${JSON.stringify(r.left)}`);
      for (const a of referenceEvents) for (const e of a.events) appended.byType[e.type] = (appended.byType[e.type] ?? 0) + 1;
      appended.count += referenceEvents.reduce((n, a) => n + a.events.length, 0);
    }
    await rejects.close();

    const seconds = (performance.now() - t0) / 1000;
    const rows = files.reduce((n, f) => n + f.rows, 0);
    const summary: ImportSummary = {
      delivery, dir, files,
      missingFiles: REGISTRATION_FILES.filter((f) => !present.includes(f)).map((f) => f.name),
      rejected: rejects.count, rejectsByReason: rejects.byCode, rejectsFile: rejects.count > 0 ? rejects.path : null,
      droppedEnrolments: dropped, newlyCoveredReferenceDates: newlyCovered,
      learnersRederived: affected.size, eventsAppended: appended.count, eventsByType: appended.byType, eventsRetracted: appended.retracted,
      seconds, rowsPerSecond: rows / seconds, eventsPerSecond: appended.count / seconds,
    };
    ledger.finishDelivery(delivery, clock().toISOString(), summary);
    return summary;
  } finally {
    ledger.close();
  }
}

async function readFactFile(
  file: FactFile, path: string, ledger: Ledger, rejects: RejectsWriter, summary: FileSummary, delivery: number,
  affected: Set<string>, deliveredDates: Set<string>, onBytes: (bytes: number, total: number) => void,
): Promise<void> {
  let batch: { line: number; raw: Readonly<Record<string, string>>; learnerId: string; key: string[]; content: string; source: string }[] = [];
  const flush = () => {
    ledger.transaction(() => {
      for (const r of batch) {
        const outcome = ledger.upsert(file.fact, [r.learnerId, ...r.key], r.content, r.source, delivery);
        if (typeof outcome === 'object') {
          summary.rejected++;
          summary.accepted--;
          rejects.write(file.name, r.line, { code: 'duplicate-key', message: `same natural key (${[r.learnerId, ...r.key].join(', ')}) as line ${outcome.conflictLine ?? '?'} with different content` }, r.raw);
          continue;
        }
        if (outcome === 'inserted') summary.inserted++;
        else if (outcome === 'changed') summary.changed++;
        else if (outcome === 'unchanged') summary.unchanged++;
        else summary.repeated++;
        if (outcome === 'inserted' || outcome === 'changed') affected.add(r.learnerId);
        if (file.fact === 'enrolment') deliveredDates.add(r.key[0]!);
      }
    });
    batch = [];
  };
  for await (const { line, values } of readCsv(path, file.required, onBytes)) {
    summary.rows++;
    const source = { system: 'import', file: file.name, line };
    const parsed = file.parse(values, source);
    if (E.isLeft(parsed)) {
      summary.rejected++;
      rejects.write(file.name, line, parsed.left, values);
      continue;
    }
    summary.accepted++;
    const { source: _s, ...content } = parsed.right.fact as Record<string, unknown>;
    batch.push({ line, raw: values, learnerId: parsed.right.learnerId, key: file.key(content), content: JSON.stringify(content), source: JSON.stringify(source) });
    if (batch.length >= ROW_BATCH) flush();
  }
  flush();
}

async function readReferenceFile(
  file: ReferenceFile, path: string, ledger: Ledger, rejects: RejectsWriter, summary: FileSummary, delivery: number,
  onBytes: (bytes: number, total: number) => void,
): Promise<StreamAppend[]> {
  const events: NewEvent[] = [];
  const stream = file.name === 'areas.csv' ? AREAS_STREAM : INSTITUTIONS_STREAM;
  for await (const { line, values } of readCsv(path, file.required, onBytes)) {
    summary.rows++;
    const source = { system: 'import', file: file.name, line };
    const parsed = file.name === 'areas.csv' ? areaRow(values) : institutionRow(values);
    if (E.isLeft(parsed)) {
      summary.rejected++;
      rejects.write(file.name, line, parsed.left, values);
      continue;
    }
    summary.accepted++;
    const row = parsed.right;
    const changed = 'area' in row ? ledger.upsertArea(row.area, row.name, row.parent) : ledger.upsertInstitution(row);
    if (!changed) { summary.unchanged++; continue; }
    summary.inserted++;
    const type = 'area' in row ? 'AreaDefined' : 'InstitutionDefined';
    const data = { ...row, source };
    events.push({ eventId: deterministicEventId(type, JSON.stringify(row), String(delivery)), type, schemaVersion: CURRENT_SCHEMA_VERSION[type], data, occurredOn: null });
  }
  return events.length ? [{ stream, expectedRevision: 'any', events }] : [];
}

/** Derive, reconcile and append, a batch of learners per transaction. */
async function appendDerived(
  options: ImportOptions, ledger: Ledger, covered: readonly string[], learners: readonly string[], delivery: number,
  knownAt: string | undefined, clock: () => Date,
): Promise<{ count: number; retracted: number; byType: Record<string, number> }> {
  const parents = ledger.areaParents();
  const ctx: DerivationContext = { coveredReferenceDates: covered, areaParents: (code) => ancestors(parents, code) };
  const correctionDate = (knownAt ?? clock().toISOString()).slice(0, 10);
  const byType: Record<string, number> = {};
  let count = 0;
  let retracted = 0;
  const size = options.batchLearners ?? 1000;
  for (let i = 0; i < learners.length; i += size) {
    const ids = learners.slice(i, i + size);
    const facts = ledger.loadFacts(ids);
    const appends: StreamAppend[] = [];
    for (const id of ids) {
      const stream = learnerStream(id);
      const existing = await options.store.readStream(stream);
      const events = eventsToAppend(facts.get(id)!, existing, ctx, delivery, knownAt, correctionDate);
      if (events.length === 0) continue;
      const last = existing[existing.length - 1];
      appends.push({ stream, expectedRevision: last ? last.revision : 'no_stream', events });
      for (const e of events) {
        byType[e.type] = (byType[e.type] ?? 0) + 1;
        if (e.type === 'Retracted') retracted += (e.data as { retracted: string[] }).retracted.length;
      }
      count += events.length;
    }
    if (appends.length > 0) {
      const r = await options.store.appendToStreams(appends);
      if (E.isLeft(r)) {
        const err = r.left;
        throw new ImportError(err.kind === 'WrongExpectedRevision'
          ? `another writer changed ${err.stream} during the import (expected revision ${String(err.expected)}, found ${String(err.actual)}); run the import again: it only adds what is missing`
          : `event store unavailable: ${err.message}`);
      }
    }
    options.onProgress?.({ phase: 'derive', file: '', rows: 0, bytes: 0, totalBytes: 0, learnersDone: Math.min(i + size, learners.length), learnersTotal: learners.length });
  }
  return { count, retracted, byType };
}

/** The events that bring a learner's stream in line with the learner's facts. */
export function eventsToAppend(
  facts: LearnerFacts, existing: readonly RecordedEvent[], ctx: DerivationContext, delivery: number, knownAt: string | undefined, correctionDate: string,
): NewEvent[] {
  // One digest per event: its content key, and (first time round) its id; the content includes the learner id.
  const digests = new Map<string, Buffer>();
  const desired = deriveLearnerEvents(facts, ctx).map((d): DerivedEvent => {
    const digest = createHash('sha1').update(d.key).digest();
    const key = digest.toString('base64url');
    digests.set(key, digest);
    return { key, event: d.event };
  });
  const rec = reconcile(existing.map(toExisting), desired);
  const events: NewEvent[] = [];
  if (rec.retract.length > 0) {
    const data = {
      learnerId: facts.learnerId, occurredOn: correctionDate, schoolYear: schoolYearOf(correctionDate),
      source: { system: 'import', file: `delivery-${delivery}` },
      retracted: [...rec.retract].sort(), reason: `no longer follows from the registrations after delivery ${delivery}`,
    };
    events.push({
      eventId: deterministicEventId(facts.learnerId, 'Retracted', String(delivery), ...data.retracted), type: 'Retracted',
      schemaVersion: CURRENT_SCHEMA_VERSION.Retracted, data, occurredOn: correctionDate, ...(knownAt ? { knownAt } : {}), metadata: { delivery },
    });
  }
  for (const { derived, generation } of rec.append) {
    const { type, data } = derived.event;
    events.push({
      eventId: generation === 0 ? uuidFromDigest(digests.get(derived.key)!) : deterministicEventId(facts.learnerId, derived.key, String(generation)),
      type, schemaVersion: CURRENT_SCHEMA_VERSION[type],
      data, occurredOn: data.occurredOn, ...(knownAt ? { knownAt } : {}), metadata: { key: derived.key, delivery },
    });
  }
  return events;
}

function toExisting(e: RecordedEvent): ExistingEvent {
  const key = typeof e.metadata['key'] === 'string' ? e.metadata['key'] : null;
  return e.type === 'Retracted'
    ? { eventId: e.eventId, type: e.type, key: null, retracts: (e.data as { retracted: string[] }).retracted }
    : { eventId: e.eventId, type: e.type, key };
}

function ancestors(parents: ReadonlyMap<string, string | null>, code: string): string[] {
  const out: string[] = [];
  let p = parents.get(code) ?? null;
  while (p !== null && !out.includes(p) && out.length < 32) {
    out.push(p);
    p = parents.get(p) ?? null;
  }
  return out;
}

/** knownAt is compared as text with recordedAt, so both are full ISO timestamps. */
export function normaliseKnownAt(input: string): string {
  const s = input.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return `${s}T00:00:00.000Z`;
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw new ImportError(`--known-at '${input}' is not a date (2017-06-01) or timestamp`);
  return d.toISOString();
}
