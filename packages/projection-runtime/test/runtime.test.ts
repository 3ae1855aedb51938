import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteEventStore, type SqliteEventStore } from '@leerroutes/event-store/sqlite';
import { catchUp, listCheckpoints, publishedCheckpoints, readCheckpoint, rebuild, startSubscriber, ViewsMismatchError, type Projection, type ViewsStore, type ViewsSubscription } from '../src/index.js';
import { describeEachViewsBackend, viewsBackends, viewTables } from './support/backends.js';
import { appendEvents, expectedTally, readTally, tally, tempPath } from './support/tally.js';

const backends = await viewsBackends();

describeEachViewsBackend(backends, (backend) => {
  const gen = backend.generation;

  let store: SqliteEventStore;
  let views: ViewsStore;

  beforeEach(async () => {
    store = openSqliteEventStore({ path: tempPath('log.sqlite') });
    views = await backend.open({ recheckMs: 0 });
  });
  afterEach(async () => {
    await views.close();
    await store.close();
  });

  const checkpoint = async (name = 'tally') => (await publishedCheckpoints(views, [tally({ name })]))[name];

  describe('catch-up', () => {
    it('settles a projection after each session that changed its views, and publishes what settle made', async () => {
      const base = tally();
      let settled = 0;
      // A summary of the tally as a whole, made again by settle: events in all.
      const p: Projection = {
        ...base,
        tables: ['tally', 'tally_total'],
        async createTables(db, t) {
          await base.createTables(db, t);
          await db.schema.createTable(t('tally_total')).addColumn('events', 'integer').execute();
        },
        async settle({ db, t }) {
          settled++;
          await db.deleteFrom(t('tally_total')).execute();
          await sql`insert into ${sql.table(t('tally_total'))} (events) select sum(events) from ${sql.table(t('tally'))}`.execute(db);
        },
      };
      const total = () => views.reader.snapshot(async (db) => (await db.selectFrom('tally_total').select('events').execute()).map((r) => Number(r.events)));
      await appendEvents(store, 20);
      await catchUp({ store, views, projections: [p], batchSize: 8 });
      expect([await total(), settled]).toEqual([[20], 1]);
      // Nothing new: no session, nothing to settle.
      await catchUp({ store, views, projections: [p], batchSize: 8 });
      expect(settled).toBe(1);
      await appendEvents(store, 5, 7, 20);
      await catchUp({ store, views, projections: [p], batchSize: 8 });
      expect([await total(), settled]).toEqual([[25], 2]);
      await rebuild({ store, views, projections: [p], batchSize: 8 });
      expect([await total(), settled]).toEqual([[25], 3]);
    });

    it('builds a new projection, then applies only what is new (as a new generation, or in place)', async () => {
      await appendEvents(store, 50);
      const p = tally();
      const first = await catchUp({ store, views, projections: [p], batchSize: 8 });
      expect(first).toMatchObject({ rebuilt: ['tally'], events: 50, published: gen(1) });
      expect(await readTally(views.reader.db)).toEqual(await expectedTally(store));
      await appendEvents(store, 30, 7, 50);
      const second = await catchUp({ store, views, projections: [p], batchSize: 8 });
      const latest = backend.inPlace ? gen(1) : gen(2);
      expect(second).toMatchObject({ rebuilt: [], events: 30, published: latest });
      expect(await readTally(views.reader.db)).toEqual(await expectedTally(store));
      expect((await checkpoint())?.position).toBe(await store.headPosition());
      // Nothing new: no session, no generation.
      expect(await catchUp({ store, views, projections: [p] })).toMatchObject({ events: 0, published: null });
      expect(await backend.generations()).toEqual([latest]);
    });

    it('a failing batch leaves the published views whole (as before the session, or as of its last committed batch), and a retry counts each event once', async () => {
      await appendEvents(store, 40);
      await catchUp({ store, views, projections: [tally()], batchSize: 10 });
      await appendEvents(store, 40, 7, 40);
      let calls = 0;
      const failing = tally({ afterWrite: () => { if (++calls === 3) throw new Error('crash between view write and checkpoint'); } });
      await expect(catchUp({ store, views, projections: [failing], batchSize: 10 })).rejects.toThrow('crash between');
      // In place, the two batches before the failing one committed, each with its checkpoint.
      const reached = backend.inPlace ? 60 : 40;
      expect(await readTally(views.reader.db)).toEqual(await expectedTally(store, undefined, reached));
      expect((await checkpoint())?.position).toBe(reached);
      // The abandoned session left no generation behind.
      expect(await backend.generations()).toEqual([gen(1)]);
      await catchUp({ store, views, projections: [tally()], batchSize: 10 });
      expect(await readTally(views.reader.db)).toEqual(await expectedTally(store));
    });

    it('two catch-ups racing in one process take turns and count no batch twice', async () => {
      await catchUp({ store, views, projections: [tally()] });
      await appendEvents(store, 100);
      const runs = await Promise.all([catchUp({ store, views, projections: [tally()], batchSize: 7 }), catchUp({ store, views, projections: [tally()], batchSize: 13 })]);
      expect(runs.map((r) => r.events).sort((a, b) => a - b)).toEqual([0, 100]);
      expect(await readTally(views.reader.db)).toEqual(await expectedTally(store));
    });

    it('readers see a session whole batches at a time: at publish, or (in place) as each batch commits', async () => {
      await appendEvents(store, 20);
      await catchUp({ store, views, projections: [tally()] });
      const before = await readTally(views.reader.db);
      await appendEvents(store, 20, 7, 20);
      const seenMidSession: Record<string, number>[] = [];
      const p = tally({ afterWrite: async () => { seenMidSession.push(await readTally(views.reader.db)); } });
      await catchUp({ store, views, projections: [p], batchSize: 5 });
      // Each read happens inside a batch's transaction, after its rows are written: never part of that batch.
      const expected = backend.inPlace ? await Promise.all([20, 25, 30, 35].map((until) => expectedTally(store, undefined, until))) : [before, before, before, before];
      expect(seenMidSession).toEqual(expected);
      expect(await readTally(views.reader.db)).toEqual(await expectedTally(store));
      expect(before).not.toEqual(await expectedTally(store));
    });
  });

  describe('rebuild', () => {
    it('a version bump rebuilds from position 0 with the new code', async () => {
      await appendEvents(store, 60);
      await catchUp({ store, views, projections: [tally()] });
      const v2 = tally({ version: 2, types: ['A'] });
      const run = await catchUp({ store, views, projections: [v2], batchSize: 16 });
      expect(run.rebuilt).toEqual(['tally']);
      expect(await readTally(views.reader.db)).toEqual(await expectedTally(store, ['A']));
      // Each checkpoint names the event at its position (appendEvents numbers them from ev-0).
      expect(await listCheckpoints(views.reader.db)).toEqual([{ name: 'tally', version: 2, position: 60, eventId: 'ev-59' }]);
      expect((await catchUp({ store, views, projections: [v2] })).rebuilt).toEqual([]);
    });

    it('the published views serve reads while the rebuild runs, the new ones after it publishes', async () => {
      await appendEvents(store, 60);
      await catchUp({ store, views, projections: [tally()] });
      const old = await readTally(views.reader.db);
      const during: Record<string, number>[] = [];
      const v2 = tally({ version: 2, types: ['A'], afterWrite: async () => { during.push(await readTally(views.reader.db)); } });
      const run = await rebuild({ store, views, projections: [v2], batchSize: 10 });
      expect(run).toMatchObject({ rebuilt: ['tally'], events: 60, published: gen(2) });
      expect(during).toHaveLength(6);
      for (const seen of during) expect(seen).toEqual(old);
      expect(await readTally(views.reader.db)).toEqual(await expectedTally(store, ['A']));
      expect(old).not.toEqual(await expectedTally(store, ['A']));
    });

    it('an interrupted rebuild leaves nothing behind, and the next catch-up rebuilds from the start', async () => {
      await appendEvents(store, 60);
      await catchUp({ store, views, projections: [tally()] });
      const published = await readTally(views.reader.db);
      let calls = 0;
      const crashing = tally({ version: 2, afterWrite: () => { if (++calls === 4) throw new Error('killed'); } });
      await expect(rebuild({ store, views, projections: [crashing], batchSize: 10 })).rejects.toThrow('killed');
      expect(await readTally(views.reader.db)).toEqual(published);
      expect(await checkpoint()).toEqual({ name: 'tally', version: 1, position: 60, eventId: 'ev-59' });
      expect(await backend.generations()).toEqual([gen(1)]);
      const resumed = tally({ version: 2 });
      expect((await catchUp({ store, views, projections: [resumed], batchSize: 10 })).rebuilt).toEqual(['tally']);
      expect(resumed.applied).toBe(6);
      expect(await readTally(views.reader.db)).toEqual(await expectedTally(store));
    });

    it('rebuilding one projection keeps the others and catches them up in the same session', async () => {
      await appendEvents(store, 30);
      const [a, b] = [tally({ name: 'tally_a' }), tally({ name: 'tally_b', types: ['A'] })];
      await catchUp({ store, views, projections: [a, b] });
      await appendEvents(store, 10, 7, 30);
      const [a2, b2] = [tally({ name: 'tally_a' }), tally({ name: 'tally_b', types: ['A'] })];
      const run = await rebuild({ store, views, projections: [a2, b2], only: ['tally_b'], batchSize: 10 });
      expect(run.rebuilt).toEqual(['tally_b']);
      // tally_a went on from its checkpoint (one batch), tally_b from zero (four).
      expect(a2.applied).toBe(1);
      expect(await readTally(views.reader.db, 'tally_a')).toEqual(await expectedTally(store));
      expect(await readTally(views.reader.db, 'tally_b')).toEqual(await expectedTally(store, ['A']));
      await expect(rebuild({ store, views, projections: [a2], only: ['nope'] })).rejects.toThrow(/cannot rebuild nope/);
    });

    it('apply gets what prepare made of the very same batch, and does without it on a batch its checkpoint covers in part', async () => {
      const recorder = (name: string) => {
        const base = tally({ name });
        const seen: { from: number; to: number; prepared: unknown }[] = [];
        const p: Projection & { seen: typeof seen } = {
          ...base,
          seen,
          prepare: async (batch, ctx) => ({ from: batch[0]!.position, to: batch[batch.length - 1]!.position, until: ctx.until }),
          async apply(batch, ctx) {
            seen.push({ from: batch[0]!.position, to: batch[batch.length - 1]!.position, prepared: ctx.prepared ?? null });
            await base.apply(batch, ctx);
          },
        };
        return p;
      };
      await appendEvents(store, 25);
      await catchUp({ store, views, projections: [tally({ name: 'tally_a' })] });
      await appendEvents(store, 15, 7, 25);
      const [a, b] = [recorder('tally_a'), recorder('tally_b')];
      await rebuild({ store, views, projections: [a, b], only: ['tally_b'], batchSize: 10 });
      expect(a.seen).toEqual([{ from: 26, to: 30, prepared: null }, { from: 31, to: 40, prepared: { from: 31, to: 40, until: 40 } }]);
      expect(b.seen).toEqual([1, 11, 21, 31].map((from) => ({ from, to: from + 9, prepared: { from, to: from + 9, until: from + 9 } })));
      expect(await readTally(views.reader.db, 'tally_a')).toEqual(await expectedTally(store));
      expect(await readTally(views.reader.db, 'tally_b')).toEqual(await expectedTally(store));
    });

    it('a full rebuild starts from an empty generation and keeps secondary indexes', async () => {
      await appendEvents(store, 20);
      await rebuild({ store, views, projections: [tally()] });
      await rebuild({ store, views, projections: [tally()] });
      expect(await backend.indexes(views.reader.db)).toEqual([{ index_name: 'tally_by_events', table_name: 'tally' }]);
      expect(await viewTables(views.reader.db)).toEqual(['projection_checkpoint', 'tally']);
      expect(await backend.generations()).toEqual([gen(2)]);
    });
  });

  describe('views made from another state of the log', () => {
    // A copy of the log as it is now, as an operator would keep one (SQLite's online backup).
    const copyOfLog = async (): Promise<string> => {
      const path = tempPath('copy.sqlite');
      await store.database.backup(path);
      return path;
    };

    it('a log restored from an earlier copy is told, not caught up from the views\' checkpoint; a full rebuild remedies it', async () => {
      await appendEvents(store, 30);
      await catchUp({ store, views, projections: [tally()], batchSize: 8 });
      const copy = await copyOfLog();
      await appendEvents(store, 10, 7, 30);
      await catchUp({ store, views, projections: [tally()], batchSize: 8 });
      expect(await checkpoint()).toEqual({ name: 'tally', version: 1, position: 40, eventId: 'ev-39' });
      await store.close();

      store = openSqliteEventStore({ path: copy });
      // The views are ahead of the restored log: they used to look up to date.
      await expect(catchUp({ store, views, projections: [tally()] })).rejects.toThrow(ViewsMismatchError);
      await expect(catchUp({ store, views, projections: [tally()] })).rejects.toThrow(/up to position 40, which the log has never reached \(it ends at 30\)/);
      // Other events at the positions the views have read: a catch-up from position 40 would skip ten of them.
      await appendEvents(store, 15, 3, 1000);
      await expect(catchUp({ store, views, projections: [tally()] })).rejects.toThrow(/read event ev-39 at position 40, where the log holds event ev-1009/);
      // Nothing was published by the refused sessions: the views still say what they said.
      expect(await checkpoint()).toEqual({ name: 'tally', version: 1, position: 40, eventId: 'ev-39' });
      // Nor can a partial rebuild go on from them; a full one reads nothing of them.
      await expect(rebuild({ store, views, projections: [tally()], only: ['tally'] })).rejects.toThrow(ViewsMismatchError);
      await rebuild({ store, views, projections: [tally()] });
      expect(await readTally(views.reader.db)).toEqual(await expectedTally(store));
      await appendEvents(store, 5, 3, 2000);
      expect(await catchUp({ store, views, projections: [tally()] })).toMatchObject({ events: 5 });
      expect(await readTally(views.reader.db)).toEqual(await expectedTally(store));
    });

    it('views used with another log are told', async () => {
      await appendEvents(store, 20);
      await catchUp({ store, views, projections: [tally()] });
      await store.close();
      store = openSqliteEventStore({ path: tempPath('other.sqlite') });
      await appendEvents(store, 25, 5, 500);
      await expect(catchUp({ store, views, projections: [tally()] })).rejects.toThrow(/where the log holds event ev-519/);
    });

    it('an erasure of the event a checkpoint names is no mismatch: the log handed its position out', async () => {
      await appendEvents(store, 20);
      // The newest event belongs to the learner who is then erased.
      const r = await store.appendToStream('learner-gone', [{ eventId: 'gone-0', type: 'A', schemaVersion: 1, data: {}, occurredOn: null }]);
      expect(r._tag).toBe('Right');
      await catchUp({ store, views, projections: [tally()] });
      expect(await checkpoint()).toMatchObject({ position: 21, eventId: 'gone-0' });
      await store.eraseStream('learner-gone');
      expect(await store.headPosition()).toBe(20);
      expect(await catchUp({ store, views, projections: [tally()] })).toMatchObject({ events: 0 });
      await appendEvents(store, 6, 7, 20);
      expect(await catchUp({ store, views, projections: [tally()] })).toMatchObject({ events: 6 });
      // The tally never forgot the erased stream (it has no forgetLearner); every other stream is the log's.
      const { 'learner-gone': gone, ...rest } = await readTally(views.reader.db);
      expect([gone, rest]).toEqual([1, await expectedTally(store)]);
    });
  });

  describe('subscriber', () => {
    it('follows the log after catching up, publishing per session', async () => {
      await appendEvents(store, 25);
      const publishedHeads: number[] = [];
      const sub = startSubscriber({ store, views, projections: [tally()], pollIntervalMs: 10, minSessionIntervalMs: 0, batchSize: 10, onPublished: (s) => publishedHeads.push(s.head) });
      await sub.caughtUp();
      expect(await readTally(views.reader.db)).toEqual(await expectedTally(store));
      await appendEvents(store, 25, 7, 25);
      await sub.caughtUp();
      expect(await readTally(views.reader.db)).toEqual(await expectedTally(store));
      expect(publishedHeads.at(-1)).toBe(50);
      await sub.stop();
    });

    it('tries a failed session again after a growing wait, says so, and catches up once one succeeds', async () => {
      await appendEvents(store, 25);
      let failuresLeft = 2;
      const reported: { message: string; retryInMs: number; failures: number | undefined }[] = [];
      const flaky = tally({ afterWrite: () => { if (failuresLeft-- > 0) throw new Error('no space left (a test)'); } });
      const sub: ViewsSubscription = startSubscriber({
        store, views, projections: [flaky], pollIntervalMs: 10, minSessionIntervalMs: 0, retryMs: 20, maxRetryMs: 30,
        onError: (err, retryInMs) => reported.push({ message: (err as Error).message, retryInMs, failures: sub.failure()?.failures }),
      });
      await sub.caughtUp();
      expect(reported).toEqual([
        { message: 'no space left (a test)', retryInMs: 20, failures: 1 },
        { message: 'no space left (a test)', retryInMs: 30, failures: 2 },
      ]);
      expect(sub.failure()).toBeNull();
      // The failed sessions published nothing half done: the views hold each event once.
      expect(await readTally(views.reader.db)).toEqual(await expectedTally(store));
      await appendEvents(store, 10, 7, 25);
      await sub.caughtUp();
      expect(await readTally(views.reader.db)).toEqual(await expectedTally(store));
      await sub.stop();
    });

    it('stops at once while it waits to try again', async () => {
      await appendEvents(store, 5);
      let failed!: () => void;
      const first = new Promise<void>((resolve) => { failed = resolve; });
      const sub = startSubscriber({
        store, views, projections: [tally({ afterWrite: () => { throw new Error('always (a test)'); } })],
        pollIntervalMs: 10, minSessionIntervalMs: 0, retryMs: 600_000, onError: () => failed(),
      });
      await first;
      expect(sub.failure()).toMatchObject({ message: 'always (a test)', failures: 1 });
      const t0 = Date.now();
      await sub.stop();
      expect(Date.now() - t0).toBeLessThan(5_000);
      await sub.caughtUp();
    });

    it('tries again at once when told to, as after a rebuild made the views anew', async () => {
      await appendEvents(store, 5);
      let failing = true;
      let failed!: () => void;
      const first = new Promise<void>((resolve) => { failed = resolve; });
      const sub = startSubscriber({
        store, views, projections: [tally({ afterWrite: () => { if (failing) throw new Error('views damaged (a test)'); } })],
        pollIntervalMs: 10, minSessionIntervalMs: 0, retryMs: 600_000, onError: () => failed(),
      });
      await first;
      failing = false;
      const t0 = Date.now();
      sub.retryNow();
      await sub.caughtUp();
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(sub.failure()).toBeNull();
      expect(await readTally(views.reader.db)).toEqual(await expectedTally(store));
      await sub.stop();
    });

    it('does not wait to try again when it was stopped during the session that failed', async () => {
      await appendEvents(store, 5);
      let stopping: Promise<void> | null = null;
      const sub: ViewsSubscription = startSubscriber({
        store, views, pollIntervalMs: 10, minSessionIntervalMs: 0, retryMs: 600_000,
        projections: [tally({ afterWrite: () => { stopping ??= sub.stop(); throw new Error('failing while stopped (a test)'); } })],
      });
      while (stopping === null) await new Promise((r) => setTimeout(r, 10));
      const t0 = Date.now();
      await stopping;
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(sub.failure()).toMatchObject({ message: 'failing while stopped (a test)', failures: 1 });
    });

    it('goes on from whatever another writer published meanwhile', async () => {
      await appendEvents(store, 30);
      const sub = startSubscriber({ store, views, projections: [tally()], pollIntervalMs: 10, minSessionIntervalMs: 0 });
      await sub.caughtUp();
      // Another writer (a `pathways rebuild` elsewhere) publishes a rebuild that stops at position 20.
      const other = await backend.open();
      await rebuild({ store: { ...store, headPosition: async () => 20 }, views: other, projections: [tally()] });
      await other.close();
      expect((await checkpoint())?.position).toBe(20);
      await appendEvents(store, 10, 7, 30);
      await sub.caughtUp();
      expect(await readTally(views.reader.db)).toEqual(await expectedTally(store));
      expect((await readCheckpoint(views.reader.db, 'tally'))?.position).toBe(40);
      await sub.stop();
    });
  });
});
