/** Erasure through the ledger port: the learner's stream, facts and the audit record go and come together, on either store. */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { StreamAppend } from '@leerroutes/event-store';
import { postgresForTests } from '@leerroutes/event-store/test-support/postgres';
import type { ErasedCounts } from '../src/index.js';
import { describeEachStore, row, workspace, type Workspace } from './fixtures.js';

const pg = await postgresForTests();

const audit = (expectedRevision: StreamAppend['expectedRevision']) => (gone: ErasedCounts): StreamAppend[] => [{
  stream: 'erasure-audit', expectedRevision,
  events: [{ eventId: randomUUID(), type: 'LearnerErased', schemaVersion: 1, occurredOn: '2024-01-01', data: { ...gone } }],
}];

describeEachStore('erasing a learner from log and ledger', pg, (kind) => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await workspace(kind);
    await ws.import(ws.delivery('d1', {
      'learners.csv': ['A,2000-05,m,2011-08-01,0,high,none,NL', 'B,2000-07,f,2011-08-01,0,low,none,NL'],
      'enrollments.csv': [row('A', 2012, 'vo', '10AA', 'havo', 1), row('A', 2013, 'vo', '10AA', 'havo', 2), row('B', 2012, 'vo', '10AA', 'vwo', 1)],
    }));
  });
  afterEach(async () => { await ws.close(); });

  it('removes the stream and the facts and appends the audit record of what went, in one go', async () => {
    const ledger = await ws.ledger();
    const events = (await ws.stream('A')).length;
    expect(events).toBeGreaterThan(2);
    expect(await ledger.factCount('A')).toBe(3);
    const r = await ledger.eraseLearner('A', audit('no_stream'));
    expect(r).toMatchObject({ _tag: 'Right', right: { eventsRemoved: events, factsRemoved: 3 } });
    expect(await ws.stream('A')).toEqual([]);
    expect(await ledger.factCount('A')).toBe(0);
    expect((await ledger.dump()).split('\n').filter((l) => l.includes('"A"'))).toEqual([]);
    expect((await ws.store.readStream('erasure-audit')).map((e) => e.data)).toEqual([{ eventsRemoved: events, factsRemoved: 3 }]);
    // Nobody else's.
    expect(await ledger.factCount('B')).toBe(2);
    expect((await ws.stream('B')).length).toBeGreaterThan(0);
  });

  it('keeps stream and facts when the audit record cannot be appended', async () => {
    const ledger = await ws.ledger();
    const before = await ws.stream('A');
    const r = await ledger.eraseLearner('A', audit('stream_exists'));
    expect(r).toMatchObject({ _tag: 'Left', left: { kind: 'WrongExpectedRevision', stream: 'erasure-audit' } });
    expect(await ws.stream('A')).toEqual(before);
    expect(await ledger.factCount('A')).toBe(3);
  });
});
