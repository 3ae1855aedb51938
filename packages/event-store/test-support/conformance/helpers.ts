import { randomUUID } from 'node:crypto';
import type { AppendError, EventStore, NewEvent, RecordedEvent } from '../../src/port.js';

export interface ConformanceFixture {
  readonly store: EventStore;
  /** A second, independent connection to the same store. */
  open(): Promise<EventStore>;
  cleanup(): Promise<void>;
}

export interface ConformanceOptions {
  /** False when open() cannot reach the same data (e.g. SQLite ':memory:'): the multi-connection cases are skipped, visibly. */
  readonly multiConnection?: boolean;
  /** False when erased events linger in the global read until the server compacts (EventStoreDB before scavenge). */
  readonly erasurePurgesAll?: boolean;
}

/** Shared by the case files: the fixture of the running test plus helpers that keep cases short. */
export interface ConformanceContext {
  readonly options: Required<ConformanceOptions>;
  fixture(): ConformanceFixture;
  store(): EventStore;
  /** A stream name unique to this run, so a long-lived server shared by runs does not mix tests up. */
  stream(label: string): string;
  /** An event type unique to this run, for counting in stats(). */
  type(label: string): string;
}

export function newEvent(overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    eventId: randomUUID(),
    type: 'TestEvent',
    schemaVersion: 1,
    data: { n: 0 },
    occurredOn: '2016-10-01',
    ...overrides,
  };
}

export function expectRight<R>(result: { _tag: 'Left'; left: AppendError } | { _tag: 'Right'; right: R }): R {
  if (result._tag === 'Left') throw new Error(`expected Right, got Left ${JSON.stringify(result.left)}`);
  return result.right;
}

export function expectLeft<R>(result: { _tag: 'Left'; left: AppendError } | { _tag: 'Right'; right: R }): AppendError {
  if (result._tag === 'Right') throw new Error(`expected Left, got Right ${JSON.stringify(result.right)}`);
  return result.left;
}

export async function readAllAfter(store: EventStore, after: number, batchSize?: number): Promise<RecordedEvent[][]> {
  const batches: RecordedEvent[][] = [];
  for await (const batch of store.readAll(batchSize === undefined ? { after } : { after, batchSize })) batches.push(batch);
  return batches;
}

export async function waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** waitFor for a condition that has to ask something (a database) each time. */
export async function waitUntil(condition: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Appends each event with the revision it last read, re-reading and retrying
 * on a conflict (the same event id, so a retry can never store it twice).
 * `thinkMs` pauses between reading and writing, as a command handler deciding
 * on loaded state would, which widens the window for a competing writer.
 */
export async function appendWithRetries(
  store: EventStore,
  stream: string,
  events: readonly NewEvent[],
  thinkMs = 0,
): Promise<{ conflicts: number; unavailable: number }> {
  let conflicts = 0;
  let unavailable = 0;
  for (const event of events) {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 1_000) throw new Error('gave up after 1000 conflicts');
      const revision = await store.streamRevision(stream);
      if (thinkMs > 0) await new Promise((r) => setTimeout(r, thinkMs));
      const result = await store.appendToStream(stream, [event], { expectedRevision: revision ?? 'no_stream' });
      if (result._tag === 'Right') break;
      if (result.left.kind === 'WrongExpectedRevision') conflicts += 1;
      else unavailable += 1;
    }
  }
  return { conflicts, unavailable };
}
