import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteEventStore, type SqliteEventStore } from '@leerroutes/event-store/sqlite';
import { catchUp, listCheckpoints, openViewsDatabase, readCheckpoints, rebuild, startSubscriber, type ViewsDatabase } from '../src/index.js';
import { appendEvents, expectedTally, readTally, tally, tempPath } from './support/tally.js';

let store: SqliteEventStore;
let views: ViewsDatabase;

beforeEach(async () => {
  store = openSqliteEventStore({ path: tempPath('log.sqlite') });
  views = await openViewsDatabase(tempPath('views.sqlite'));
});
afterEach(async () => {
  await views.close();
  await store.close();
});

describe('catch-up', () => {
  it('builds a new projection, then applies only what is new', async () => {
    await appendEvents(store, 50);
    const p = tally();
    const first = await catchUp({ store, views, projections: [p], batchSize: 8 });
    expect(first.rebuilt).toEqual(['tally']);
    expect(await readTally(views.db)).toEqual(await expectedTally(store));
    await appendEvents(store, 30, 7, 50);
    const second = await catchUp({ store, views, projections: [p], batchSize: 8 });
    expect(second.rebuilt).toEqual([]);
    expect(second.events).toBe(30);
    expect(await readTally(views.db)).toEqual(await expectedTally(store));
    expect((await readCheckpoints(views.db, 'tally')).live?.position).toBe(await store.headPosition());
  });

  it('a batch that fails leaves neither its rows nor its checkpoint, so a retry counts each event once', async () => {
    await appendEvents(store, 40);
    let calls = 0;
    const failing = tally({ afterWrite: () => { if (++calls === 3) throw new Error('crash between view write and checkpoint'); } });
    await catchUp({ store, views, projections: [tally()], batchSize: 10 }); // live view exists; the failure hits incremental batches
    await appendEvents(store, 40, 7, 40);
    await expect(catchUp({ store, views, projections: [failing], batchSize: 10 })).rejects.toThrow('crash between');
    const checkpoint = (await readCheckpoints(views.db, 'tally')).live!.position;
    expect(checkpoint).toBe(60); // two incremental batches of 10 made it
    const upToCheckpoint: Record<string, number> = {};
    for await (const b of store.readAll({ until: checkpoint })) for (const e of b) upToCheckpoint[e.stream] = (upToCheckpoint[e.stream] ?? 0) + 1;
    expect(await readTally(views.db)).toEqual(upToCheckpoint);
    await catchUp({ store, views, projections: [tally()], batchSize: 10 });
    expect(await readTally(views.db)).toEqual(await expectedTally(store));
  });

  it('two catch-ups racing in one process do not count a batch twice', async () => {
    await catchUp({ store, views, projections: [tally()] });
    await appendEvents(store, 100);
    await Promise.all([catchUp({ store, views, projections: [tally()], batchSize: 7 }), catchUp({ store, views, projections: [tally()], batchSize: 13 })]);
    expect(await readTally(views.db)).toEqual(await expectedTally(store));
  });

  it('readers never see a batch before its commit', async () => {
    await appendEvents(store, 20);
    await catchUp({ store, views, projections: [tally()] });
    const before = await readTally(views.db);
    await appendEvents(store, 20, 7, 20);
    const seenMidBatch: Record<string, number>[] = [];
    const p = tally({ afterWrite: async () => { seenMidBatch.push(await readTally(views.db)); } });
    await catchUp({ store, views, projections: [p], batchSize: 100 });
    expect(seenMidBatch).toEqual([before]);
    expect(await readTally(views.db)).toEqual(await expectedTally(store));
  });
});

describe('rebuild', () => {
  it('a version bump rebuilds from position 0 with the new code', async () => {
    await appendEvents(store, 60);
    await catchUp({ store, views, projections: [tally()] });
    const v2 = tally({ version: 2, types: ['A'] });
    const run = await catchUp({ store, views, projections: [v2], batchSize: 16 });
    expect(run.rebuilt).toEqual(['tally']);
    expect(await readTally(views.db)).toEqual(await expectedTally(store, ['A']));
    expect(await listCheckpoints(views.db)).toEqual([{ name: 'tally', slot: 'live', version: 2, position: 60 }]);
    // Same version again: no rebuild.
    expect((await catchUp({ store, views, projections: [v2] })).rebuilt).toEqual([]);
  });

  it('the old view serves reads while the rebuild runs, the new one after the swap', async () => {
    await appendEvents(store, 60);
    await catchUp({ store, views, projections: [tally()] });
    const old = await readTally(views.db);
    const during: Record<string, number>[] = [];
    const v2 = tally({ version: 2, types: ['A'], afterWrite: async () => { during.push(await readTally(views.db)); } });
    await rebuild({ store, views, projections: [v2], batchSize: 10 });
    expect(during).toHaveLength(6);
    for (const seen of during) expect(seen).toEqual(old);
    expect(await readTally(views.db)).toEqual(await expectedTally(store, ['A']));
    expect(old).not.toEqual(await expectedTally(store, ['A']));
  });

  it('an interrupted rebuild resumes from its own checkpoint and ends like a clean one', async () => {
    await appendEvents(store, 60);
    let calls = 0;
    const crashing = tally({ afterWrite: () => { if (++calls === 4) throw new Error('killed'); } });
    await expect(rebuild({ store, views, projections: [crashing], batchSize: 10 })).rejects.toThrow('killed');
    expect((await readCheckpoints(views.db, 'tally')).next?.position).toBe(30);
    const resumed = tally();
    await catchUp({ store, views, projections: [resumed], batchSize: 10 });
    expect(resumed.applied).toBe(3); // batches 31-40, 41-50, 51-60
    expect(await readTally(views.db)).toEqual(await expectedTally(store));
    expect((await readCheckpoints(views.db, 'tally')).next).toBeNull();
  });

  it('an abandoned rebuild of another version is cleared away, not finished', async () => {
    await appendEvents(store, 30);
    await catchUp({ store, views, projections: [tally()] });
    const other = tally({ version: 2, afterWrite: () => { throw new Error('killed'); } });
    await expect(rebuild({ store, views, projections: [other] })).rejects.toThrow('killed');
    expect((await readCheckpoints(views.db, 'tally')).next?.version).toBe(2);
    const run = await catchUp({ store, views, projections: [tally()] });
    expect(run.rebuilt).toEqual([]);
    expect(await readCheckpoints(views.db, 'tally')).toEqual({ live: { name: 'tally', slot: 'live', version: 1, position: 30 }, next: null });
    const tables = await views.db.selectFrom('sqlite_master').select('name').where('type', '=', 'table').where('name', 'like', '%next%').execute();
    expect(tables).toEqual([]);
  });

  it('swaps keep secondary indexes under their final names, rebuild after rebuild', async () => {
    await appendEvents(store, 20);
    await rebuild({ store, views, projections: [tally()] });
    await rebuild({ store, views, projections: [tally()] });
    const indexes = await views.db.selectFrom('sqlite_master').select(['name', 'tbl_name']).where('type', '=', 'index').where('sql', 'is not', null).execute();
    expect(indexes).toEqual([{ name: 'tally_by_events', tbl_name: 'tally' }]);
    const tables = await views.db.selectFrom('sqlite_master').select('name').where('type', '=', 'table').orderBy('name').execute();
    expect(tables.map((t) => t.name)).toEqual(['projection_checkpoint', 'tally']);
  });
});

describe('subscriber', () => {
  it('follows the log after catching up', async () => {
    await appendEvents(store, 25);
    const sub = startSubscriber({ store, views, projections: [tally()], pollIntervalMs: 10, batchSize: 10 });
    await sub.caughtUp();
    expect(await readTally(views.db)).toEqual(await expectedTally(store));
    await appendEvents(store, 25, 7, 25);
    await sub.caughtUp();
    for (let i = 0; i < 100 && (await readCheckpoints(views.db, 'tally')).live?.position !== 50; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await readTally(views.db)).toEqual(await expectedTally(store));
    await sub.stop();
  });

  it('fills the gap when a rebuild elsewhere swapped in a view that stops earlier', async () => {
    await appendEvents(store, 30);
    const sub = startSubscriber({ store, views, projections: [tally()], pollIntervalMs: 10 });
    await appendEvents(store, 20, 7, 30);
    for (let i = 0; i < 200 && (await readCheckpoints(views.db, 'tally')).live?.position !== 50; i++) await new Promise((r) => setTimeout(r, 10));
    // Another writer (as a `pathways rebuild` in another process would) rebuilds up to position 30 only.
    const other = await openViewsDatabase(views.path);
    await rebuild({ store: { ...store, headPosition: async () => 30 }, views: other, projections: [tally()] });
    await other.close();
    expect((await readCheckpoints(views.db, 'tally')).live?.position).toBe(30);
    await appendEvents(store, 10, 7, 50);
    for (let i = 0; i < 200 && (await readCheckpoints(views.db, 'tally')).live?.position !== 60; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await readTally(views.db)).toEqual(await expectedTally(store));
    await sub.stop();
  });
});
