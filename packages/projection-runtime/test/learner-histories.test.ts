import { describe, expect, it } from 'vitest';
import { openSqliteEventStore } from '@leerroutes/event-store/sqlite';
import type { RecordedEvent } from '@leerroutes/event-store';
import { learnerHistories } from '../src/index.js';

describe('learnerHistories', () => {
  it('takes a stream from the batch when the batch starts it, re-reads it otherwise, and leaves out streams that go on later', async () => {
    const store = openSqliteEventStore({ path: ':memory:' });
    const ev = (i: number) => ({ eventId: `e${i}`, type: 'Promoted', schemaVersion: 1, data: { i }, occurredOn: '2015-10-01' });
    await store.appendToStream('learner-A', [ev(1), ev(2)]);
    await store.appendToStream('learner-B', [ev(3)]);
    await store.appendToStream('learner-A', [ev(4), ev(5)]);
    await store.appendToStream('reference-areas', [ev(6)]);
    await store.appendToStream('learner-A', [ev(7)]);
    await store.appendToStream('learner-C', [ev(8)]);
    const all: RecordedEvent[] = [];
    for await (const b of store.readAll()) all.push(...b);
    const histories = async (from: number, to: number) => {
      const found = await learnerHistories(all.filter((e) => e.position >= from && e.position <= to), { store, until: to });
      return Object.fromEntries(found.map((h) => [h.learnerId, { ids: h.events.map((e) => e.eventId), startsHere: h.startsHere }]));
    };

    // A goes on at position 7: folded once, when its last event comes by.
    expect(await histories(3, 6)).toEqual({ B: { ids: ['e3'], startsHere: true } });
    expect(await histories(7, 8)).toEqual({
      A: { ids: ['e1', 'e2', 'e4', 'e5', 'e7'], startsHere: false },
      C: { ids: ['e8'], startsHere: true },
    });
    expect(await histories(1, 8)).toEqual({
      A: { ids: ['e1', 'e2', 'e4', 'e5', 'e7'], startsHere: true },
      B: { ids: ['e3'], startsHere: true },
      C: { ids: ['e8'], startsHere: true },
    });
    await store.close();
  });
});
