import { describe, expect, it } from 'vitest';
import { openSqliteEventStore } from '@leerroutes/event-store/sqlite';
import { learnerHistories } from '../src/index.js';

describe('learnerHistories', () => {
  it('takes a stream from the batch when the batch starts it, else re-reads it up to the batch end and never beyond', async () => {
    const store = openSqliteEventStore({ path: ':memory:' });
    const ev = (i: number) => ({ eventId: `e${i}`, type: 'Promoted', schemaVersion: 1, data: { i }, occurredOn: '2015-10-01' });
    await store.appendToStream('learner-A', [ev(1), ev(2)]);
    await store.appendToStream('learner-B', [ev(3)]);
    await store.appendToStream('learner-A', [ev(4), ev(5)]);
    await store.appendToStream('reference-areas', [ev(6)]);
    await store.appendToStream('learner-A', [ev(7)]); // after the batch: must not leak into it
    const all = [];
    for await (const b of store.readAll()) all.push(...b);
    const batch = all.filter((e) => e.position >= 3 && e.position <= 6);

    const histories = await learnerHistories(batch, { store, until: 6 });
    const byId = Object.fromEntries(histories.map((h) => [h.learnerId, { ids: h.events.map((e) => e.eventId), startsHere: h.startsHere }]));
    expect(byId).toEqual({
      B: { ids: ['e3'], startsHere: true },
      A: { ids: ['e1', 'e2', 'e4', 'e5'], startsHere: false },
    });
    await store.close();
  });
});
