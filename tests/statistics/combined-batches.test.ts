/**
 * A rebuild's writer writes consecutive spans that are prepared and waiting
 * as one batch, each projection's prepared values combined
 * (Projection.combine; rebuild-thread.ts, SpanGroup). Whether spans pile up
 * depends on the threads' timing, so the combined write is checked here
 * directly: the same batches of a fresh pass, prepared, then written one by
 * one or combined in any grouping, must give the same views.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine } from '@leerroutes/engine';
import type { RecordedEvent } from '@leerroutes/event-store';
import { openSqliteEventStore, type SqliteEventStore } from '@leerroutes/event-store/sqlite';
import { dumpViews, openDuckDbViews, tableNames, type Projection, type WriterSession } from '@leerroutes/projection-runtime';
import { PROJECTIONS } from '@leerroutes/projections';

const SAMPLE = join(import.meta.dirname, '..', '..', 'samples', 'small');
const BATCHES = 9;

describe('consecutive batches of a fresh pass written as one', () => {
  let root: string;
  let store: SqliteEventStore;
  /** Each batch of the log, in order, with what every projection prepared of it. */
  let batches: { last: number; prepared: Map<string, unknown> }[];
  let oneByOne: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'leerroutes-combined-'));
    const engine = await openEngine({ db: join(root, 'log.sqlite') });
    await engine.importDirectory(SAMPLE, { knownAt: '2023-11-01', skipProjections: true });
    await engine.close();
    store = openSqliteEventStore({ path: join(root, 'log.sqlite') });
    const events: RecordedEvent[] = [];
    for await (const batch of store.readAll({ batchSize: 5_000, metadata: false })) events.push(...batch);
    const size = Math.ceil(events.length / BATCHES);
    batches = [];
    for (let from = 0; from < events.length; from += size) {
      const batch = events.slice(from, from + size);
      const until = batch.at(-1)!.position;
      const prepared = new Map<string, unknown>();
      for (const p of PROJECTIONS) prepared.set(p.name, await p.prepare!(batch, { store, until, fresh: true }));
      batches.push({ last: until, prepared });
    }
    oneByOne = await written(batches.map((_, i) => [i]));
  }, 120_000);

  afterAll(async () => {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  /** Fresh views with the batches written in these groups (indexes, consecutive), each group's values combined. */
  async function written(groups: readonly (readonly number[])[]): Promise<string> {
    const dir = mkdtempSync(join(root, 'views-'));
    const views = await openDuckDbViews(dir);
    try {
      const session = await views.writeSession({ from: 'empty', purpose: 'test' });
      await session.transaction(async ({ db }) => {
        for (const p of PROJECTIONS) await p.createTables(db, tableNames(p));
      });
      for (const group of groups) {
        await session.transaction(async ({ db, bulk }) => {
          for (const p of PROJECTIONS) {
            const parts = group.map((i) => batches[i]!.prepared.get(p.name));
            const prepared = parts.length === 1 ? parts[0] : combineOf(p)(parts);
            await p.apply([], { db, t: tableNames(p), bulk, store, until: batches[group.at(-1)!]!.last, fresh: true, prepared });
          }
        });
      }
      await settled(session);
      return await views.reader.snapshot((db) => dumpViews(db, PROJECTIONS));
    } finally {
      await views.close();
    }
  }

  /** Each projection's settle, then published, as the runtime ends a session. */
  async function settled(session: WriterSession): Promise<void> {
    await session.transaction(async ({ db }) => {
      for (const p of PROJECTIONS) await p.settle?.({ db, t: tableNames(p) });
    });
    await session.publish();
  }

  const combineOf = (p: Projection) => {
    if (!p.combine) throw new Error(`${p.name} has no combine: a rebuild would write its spans one by one`);
    return p.combine.bind(p);
  };

  it('every projection can combine, so a rebuild may write any run of spans as one', () => {
    expect(PROJECTIONS.filter((p) => !p.combine).map((p) => p.name)).toEqual([]);
  });

  it('gives the views the batches give one by one, in any grouping', async () => {
    expect(batches.length).toBe(BATCHES);
    expect(await written([batches.map((_, i) => i)])).toBe(oneByOne);
    await fc.assert(fc.asyncProperty(fc.array(fc.boolean(), { minLength: BATCHES - 1, maxLength: BATCHES - 1 }), async (cuts) => {
      // A cut after batch i starts a new group.
      const groups: number[][] = [[0]];
      cuts.forEach((cut, i) => (cut ? groups.push([i + 1]) : groups.at(-1)!.push(i + 1)));
      expect(await written(groups)).toBe(oneByOne);
    }), { numRuns: 6 });
  }, 240_000);

  it('combines values that are themselves combined', async () => {
    const dir = mkdtempSync(join(root, 'views-'));
    const views = await openDuckDbViews(dir);
    try {
      const session = await views.writeSession({ from: 'empty', purpose: 'test' });
      await session.transaction(async ({ db, bulk }) => {
        for (const p of PROJECTIONS) await p.createTables(db, tableNames(p));
        for (const p of PROJECTIONS) {
          const combine = combineOf(p);
          const half = Math.floor(BATCHES / 2);
          const parts = batches.map((b) => b.prepared.get(p.name));
          const prepared = combine([combine(parts.slice(0, half)), combine(parts.slice(half))]);
          await p.apply([], { db, t: tableNames(p), bulk, store, until: batches.at(-1)!.last, fresh: true, prepared });
        }
      });
      await settled(session);
      expect(await views.reader.snapshot((db) => dumpViews(db, PROJECTIONS))).toBe(oneByOne);
    } finally {
      await views.close();
    }
  }, 120_000);
});
