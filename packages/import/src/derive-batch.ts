import { hash } from 'node:crypto';
import {
  CURRENT_SCHEMA_VERSION, deriveLearnerEvents, learnerStream, reconcile, schoolYearOf,
  type DerivationContext, type DerivedEvent, type ExistingEvent, type LearnerFacts,
} from '@leerroutes/domain';
import { deterministicEventId, uuidFromDigest, type NewEvent, type StreamRevision } from '@leerroutes/event-store';
import { AppendJoiner } from '@leerroutes/event-store/postgres/joined';
import { AppendPacker } from '@leerroutes/event-store/sqlite';
import { decodeFactRows, type FactRows } from './ledger/fact-rows.js';
import type { DerivedAppend, DerivedAppends } from './ledger/port.js';

/**
 * Deriving one batch of learners, as a function of plain data: what the
 * writer read (ledger rows, the imported events already in the streams) goes
 * in, encoded appends come out. Nothing here touches the log, so it runs in a
 * worker thread (derive-worker.ts) while the writer appends the batch before;
 * the writer still checks every stream's expected revision when it appends.
 */

/** What stays the same for every batch of a delivery. */
export interface DeriveSetup {
  readonly delivery: number;
  readonly knownAt: string;
  readonly coveredReferenceDates: readonly string[];
  readonly areaParents: readonly (readonly [string, string | null])[];
  /** The ledger's appendEncoding: rows for the SQLite log or joined columns for the PostgreSQL log, made here off the writer's thread. */
  readonly encoding: 'sqlite' | 'postgres';
  /** The ledger's factsFile, when a derive worker is to load each batch's facts from it (a batch then comes without them). */
  readonly factsFile?: string;
}

export interface DeriveInput {
  readonly learnerIds: readonly string[];
  /** Null when the deriver loads them itself (DeriveSetup.factsFile). */
  readonly facts: FactRows | null;
  /** Learners whose stream exists: its revision and what reconciliation needs of its events. */
  readonly existing: readonly (readonly [learnerId: string, revision: StreamRevision, events: readonly ExistingEvent[]])[];
}

export interface DeriveCounts {
  events: number;
  retracted: number;
  byType: Record<string, number>;
}

export interface DeriveOutput {
  readonly appends: DerivedAppends;
  readonly counts: DeriveCounts;
}

/**
 * Derives a batch: for the SQLite log, each learner's events are encoded into
 * the packed columns as soon as they are made (AppendPacker says why); for
 * the PostgreSQL log, their columns are joined (AppendJoiner).
 */
export type BatchDeriver = (input: DeriveInput) => DeriveOutput;

/** `loadFacts` loads the facts a batch comes without (its caller owns the connection behind it). */
export function batchDeriver(setup: DeriveSetup, loadFacts?: (learnerIds: readonly string[]) => FactRows): BatchDeriver {
  const parents = new Map(setup.areaParents);
  // A few hundred areas, asked of every learner's background: each chain is walked once.
  const chains = new Map<string, string[]>();
  const ctx: DerivationContext = {
    coveredReferenceDates: setup.coveredReferenceDates,
    areaParents: (code) => {
      let c = chains.get(code);
      if (c === undefined) chains.set(code, (c = ancestors(parents, code)));
      return [...c];
    },
  };
  const correctionDate = setup.knownAt.slice(0, 10);
  return (input) => {
    const rows = input.facts ?? loadFacts?.(input.learnerIds);
    if (rows === undefined) throw new Error('a batch came without its facts, and this deriver has no ledger to load them from');
    const facts = decodeFactRows(input.learnerIds, rows);
    const existing = new Map(input.existing.map(([id, revision, events]) => [id, { revision, events }]));
    const packer = setup.encoding === 'sqlite' ? new AppendPacker() : new AppendJoiner();
    const counts: DeriveCounts = { events: 0, retracted: 0, byType: {} };
    for (const id of input.learnerIds) {
      const stream = existing.get(id);
      const events = eventsToAppend(facts.get(id)!, stream?.events ?? [], ctx, setup.delivery, setup.knownAt, correctionDate);
      if (events.length === 0) continue;
      const expectedRevision = stream ? stream.revision : 'no_stream';
      const name = learnerStream(id);
      const append: DerivedAppend = { stream: name, expectedRevision, events };
      packer.add(append);
      for (const e of events) {
        counts.byType[e.type] = (counts.byType[e.type] ?? 0) + 1;
        if (e.type === 'Retracted') counts.retracted += (e.data as { retracted: string[] }).retracted.length;
      }
      counts.events += events.length;
    }
    return { appends: packer.finish(), counts };
  };
}

/** The events that bring a learner's stream in line with the learner's facts. */
export function eventsToAppend(
  facts: LearnerFacts, existing: readonly ExistingEvent[], ctx: DerivationContext, delivery: number, knownAt: string | undefined, correctionDate: string,
): NewEvent[] {
  // The content key is the base64url text of the content's SHA-1 digest; an event's first id is made from the same digest.
  const desired = deriveLearnerEvents(facts, ctx).map((d): DerivedEvent => ({ key: hash('sha1', d.key, 'base64url'), event: d.event }));
  const rec = reconcile(existing, desired);
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
    const eventId = generation === 0 ? uuidFromDigest(digestOf(derived.key)) : deterministicEventId(facts.learnerId, derived.key, String(generation));
    const schemaVersion = CURRENT_SCHEMA_VERSION[type];
    const metadata = { key: derived.key, delivery };
    // Two literals rather than a spread: this runs once per derived event, and the field order is the same.
    events.push(knownAt
      ? { eventId, type, schemaVersion, data, occurredOn: data.occurredOn, knownAt, metadata }
      : { eventId, type, schemaVersion, data, occurredOn: data.occurredOn, metadata });
  }
  return events;
}

const digest = Buffer.alloc(20);
/** The 20 bytes a content key is the base64url text of, in a buffer reused by the next call. */
function digestOf(key: string): Buffer {
  digest.write(key, 'base64url');
  return digest;
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
