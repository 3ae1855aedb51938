import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { learnerStream } from '@leerroutes/domain';
import type { EventStore } from '@leerroutes/event-store';
import { openSqliteEventStore } from '@leerroutes/event-store/sqlite';
import { catchUp, listGenerations, openDuckDbViews, readCurrent, rebuild, spansOf } from '@leerroutes/projection-runtime';
import { PROJECTIONS, REBUILD_SOURCE } from '../src/index.js';
import { appendDelivery, buildWorld } from './support/world.js';
import { cleanRebuildDump, dump, tempDir } from './support/views.js';

const FAILING_SOURCE = new URL('./support/failing-source.ts', import.meta.url).href;

async function worldLog(learners: number) {
  const dir = tempDir();
  const logPath = join(dir, 'log.sqlite');
  const store = openSqliteEventStore({ path: logPath });
  for (const delivery of buildWorld({ learners, years: 6, seed: 13 }).deliveries) await appendDelivery(store, delivery);
  return { dir, logPath, store };
}

async function countEvents(store: EventStore): Promise<number> {
  let n = 0;
  for await (const batch of store.readAll({ batchSize: 1000 })) n += batch.length;
  return n;
}

describe('a full rebuild with the log read and prepared in a worker thread', () => {
  it.each([[1, 9, true], [2, 9, true], [3, 9, true], [1, 23, true], [1, 9, false]])('gives the views a rebuild in this thread gives, with %i worker(s) folding slices of %i positions (the writer folding too: %s)', async (workers, sliceSize, localFolds) => {
    const { dir, logPath, store } = await worldLog(120);
    // Erased streams leave gaps in the log's positions: spans with few events, or none.
    const before = await countEvents(store);
    for (const id of ['L00003', 'L00004', 'L00005', 'L00050']) await store.eraseStream(learnerStream(id));
    expect(await countEvents(store)).toBeLessThan(before - 20);
    const views = await openDuckDbViews(join(dir, 'thread.views'), { recheckMs: 0 });
    // Small batches: many of them (enough for the writer to fold some: 50), more than the workers may prepare
    // ahead, cutting learners' streams; slices of a batch cut them again, and what each projection prepared of
    // them is combined.
    const summary = await rebuild({ store, views, projections: PROJECTIONS, batchSize: 23, sliceSize, rebuildThread: { module: REBUILD_SOURCE, data: { log: logPath }, workers, localFolds } });
    expect(summary.events).toBe(await countEvents(store));
    // Every span once, by a worker or by the writer: while the workers start, the writer has nothing to write and folds.
    // Spans of 23 positions, shrinking to slices at the end (slices of 9: more spans than batches).
    const spans = spansOf({ kind: 'read', after: 0, until: await store.headPosition(), batchSize: 23, sliceSize, targets: [] }).length;
    if (sliceSize < 23) expect(spans).toBeGreaterThan(Math.ceil((await store.headPosition()) / 23));
    expect(summary.spans!.workers + summary.spans!.local).toBe(spans);
    if (localFolds) expect(summary.spans!.local).toBeGreaterThan(0);
    else expect(summary.spans!.local).toBe(0);
    expect(summary.spans!.workers).toBeGreaterThan(0);
    const threaded = await dump(views);
    expect(threaded).toBe(await cleanRebuildDump(store));
    // Not trivially equal: every projection wrote rows.
    for (const table of ['stat_member', 'stat_state', 'event_count', 'reference_area']) expect(threaded).toContain(table);
    await views.close();
    await store.close();
  });

  // A pass from empty views deletes nothing (ProjectionContext.fresh): sound only for what the log held as the pass
  // began. Events appended while it runs, to learners it has already folded, must replace those learners' rows.
  it.each([['in worker threads', true], ['in this thread', false]])('whose log grows while it runs (%s) ends with the views a rebuild of the grown log gives', async (_label, threaded) => {
    const dir = tempDir();
    const logPath = join(dir, 'log.sqlite');
    const store = openSqliteEventStore({ path: logPath });
    const { deliveries } = buildWorld({ learners: 120, years: 6, seed: 13 });
    for (const delivery of deliveries.slice(0, -1)) await appendDelivery(store, delivery);
    const headBefore = await store.headPosition();
    const views = await openDuckDbViews(join(dir, 'grow.views'), { recheckMs: 0 });
    let appending: Promise<void> | null = null;
    let appendedAfter = -1;
    const summary = await rebuild({
      store, views, projections: PROJECTIONS, batchSize: 23,
      ...(threaded ? { rebuildThread: { module: REBUILD_SOURCE, data: { log: logPath }, workers: 1 } } : {}),
      onProgress: (p) => {
        // Most of the way through, when most learners have been folded (each in the batch that holds its last
        // event, in the latest delivery): the next year's delivery, which adds to nearly every learner's stream.
        if (appending === null && p.phase === 'rebuild' && p.position > headBefore * 0.85) {
          appendedAfter = p.position;
          appending = appendDelivery(store, deliveries[deliveries.length - 1]!);
        }
      },
    });
    await appending;
    expect(appendedAfter).toBeGreaterThan(0);
    expect(appendedAfter).toBeLessThan(headBefore);
    // The rebuild read on past the head it began with (the catch-up pass), and ended at the grown log's head.
    expect(summary.head).toBe(await store.headPosition());
    expect(summary.head).toBeGreaterThan(headBefore);
    expect(await dump(views)).toBe(await cleanRebuildDump(store));
    await views.close();
    await store.close();
  });

  it('that throws half-way fails the rebuild and leaves the published views as they were', async () => {
    const { dir, logPath, store } = await worldLog(60);
    const viewsDir = join(dir, 'log.views');
    const views = await openDuckDbViews(viewsDir, { recheckMs: 0 });
    await catchUp({ store, views, projections: PROJECTIONS });
    const published = readCurrent(viewsDir);
    const before = await dump(views);
    await expect(rebuild({ store, views, projections: PROJECTIONS, batchSize: 50, rebuildThread: { module: FAILING_SOURCE, data: { log: logPath, failAfter: 3 } } }))
      .rejects.toThrow(/rebuild( thread|'s fold in this thread) failed: prepare failed on purpose after 3 batches/);
    expect(readCurrent(viewsDir)).toBe(published);
    expect(await dump(views)).toBe(before);
    // The failed session's generation is gone; only the published one is left.
    expect(listGenerations(viewsDir)).toEqual([published]);
    expect(readdirSync(viewsDir).filter((f) => f.endsWith('.wal'))).toEqual([]);
    // And the writer lock was let go: the next rebuild (in this thread) runs and publishes.
    await rebuild({ store, views, projections: PROJECTIONS });
    expect(await dump(views)).toBe(before);
    await views.close();
    await store.close();
  });

  it('whose source cannot be loaded fails the rebuild the same way', async () => {
    const { dir, logPath, store } = await worldLog(10);
    const viewsDir = join(dir, 'log.views');
    const views = await openDuckDbViews(viewsDir, { recheckMs: 0 });
    await catchUp({ store, views, projections: PROJECTIONS });
    const published = readCurrent(viewsDir);
    await expect(rebuild({ store, views, projections: PROJECTIONS, rebuildThread: { module: join(dir, 'no-such-module.js'), data: { log: logPath } } }))
      .rejects.toThrow(/rebuild thread failed/);
    expect(listGenerations(viewsDir)).toEqual([published]);
    await views.close();
    await store.close();
  });
});
