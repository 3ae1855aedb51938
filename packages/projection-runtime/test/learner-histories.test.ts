import { describe, expect, it } from 'vitest';
import { openSqliteEventStore } from '@leerroutes/event-store/sqlite';
import type { RecordedEvent } from '@leerroutes/event-store';
import { learnerHistories } from '../src/index.js';

describe('learnerHistories', () => {
  it('takes a stream from the batch when the batch starts it, re-reads it otherwise (to replace it, outside a fresh pass), and leaves out streams that go on later', async () => {
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
    const histories = async (from: number, to: number, fresh = false) => {
      const found = await learnerHistories(all.filter((e) => e.position >= from && e.position <= to), { store, until: to, fresh });
      return Object.fromEntries(found.map((h) => [h.learnerId, { ids: h.events.map((e) => e.eventId), replaces: h.replaces }]));
    };

    // A goes on at position 7: folded once, when its last event comes by.
    expect(await histories(3, 6)).toEqual({ B: { ids: ['e3'], replaces: false } });
    expect(await histories(7, 8)).toEqual({
      A: { ids: ['e1', 'e2', 'e4', 'e5', 'e7'], replaces: true },
      C: { ids: ['e8'], replaces: false },
    });
    expect(await histories(1, 8)).toEqual({
      A: { ids: ['e1', 'e2', 'e4', 'e5', 'e7'], replaces: false },
      B: { ids: ['e3'], replaces: false },
      C: { ids: ['e8'], replaces: false },
    });
    // In a fresh pass (a rebuild from empty views) nothing of A can have been written before: its first fold replaces nothing.
    expect(await histories(7, 8, true)).toEqual({
      A: { ids: ['e1', 'e2', 'e4', 'e5', 'e7'], replaces: false },
      C: { ids: ['e8'], replaces: false },
    });
    await store.close();
  });
});
