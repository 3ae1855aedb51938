import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { learnerStream } from '@leerroutes/domain';
import { catchUp, forgetLearner, listViewTables } from '@leerroutes/projection-runtime';
import { readEventCounts } from '@leerroutes/projection-event-counts';
import { PROJECTIONS } from '../src/index.js';
import { appendDelivery, buildWorld } from './support/world.js';
import { cleanRebuildDump, dump, openLogAndViews } from './support/views.js';

const yearOf = (data: unknown): string => {
  const y = (data as { schoolYear?: unknown } | null)?.schoolYear;
  return typeof y === 'string' ? y : '';
};

describe('event-counts', () => {
  it('is, verbatim, the worked example of a projection in the README', () => {
    const root = join(import.meta.dirname, '..', '..', '..');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const head = '`projections/event-counts/src/index.ts`\n\n```ts\n';
    const start = readme.indexOf(head);
    expect(start, 'the README shows the source under its path').toBeGreaterThan(0);
    const shown = readme.slice(start + head.length, readme.indexOf('```\n', start + head.length));
    expect(shown).toBe(readFileSync(join(root, 'projections', 'event-counts', 'src', 'index.ts'), 'utf8'));
  });

  it('counts every event of the log once, by type and school year, however the batches cut the log', async () => {
    const { store, views, close } = await openLogAndViews();
    const world = buildWorld({ learners: 30, years: 4, seed: 3 });
    for (const [i, delivery] of world.deliveries.entries()) {
      await appendDelivery(store, delivery);
      await catchUp({ store, views, projections: PROJECTIONS, batchSize: [7, 50][i % 2] });
    }
    const expected = new Map<string, number>();
    for await (const batch of store.readAll({ batchSize: 1000 })) {
      for (const e of batch) expected.set(`${e.type}|${yearOf(e.data)}`, (expected.get(`${e.type}|${yearOf(e.data)}`) ?? 0) + 1);
    }
    const counted = await readEventCounts(views.reader.db);
    expect(new Map(counted.map((c) => [`${c.event_type}|${c.school_year}`, Number(c.events)]))).toEqual(expected);
    expect(counted.length).toBeGreaterThan(5);
    // Each batch appended its counts; settled before each session published, the table holds one row per count.
    const { rows } = await sql<{ n: number }>`select cast(count(*) as integer) as n from event_count`.execute(views.reader.db);
    expect(rows[0]!.n).toBe(counted.length);
    await close();
  });

  it('drops a count that forgetting a learner takes to zero, as a rebuild without the learner would', async () => {
    const { store, views, close } = await openLogAndViews();
    const world = buildWorld({ learners: 3, years: 3, seed: 5 });
    for (const delivery of world.deliveries) await appendDelivery(store, delivery);
    await catchUp({ store, views, projections: PROJECTIONS });
    // A learner who alone accounts for some count: forgetting them must remove that row, not leave a zero.
    const counts = new Map((await readEventCounts(views.reader.db)).map((c) => [`${c.event_type}|${c.school_year}`, Number(c.events)]));
    let learnerId: string | undefined;
    for (const id of world.learnerIds) {
      const own = new Map<string, number>();
      for (const e of await store.readStream(learnerStream(id))) own.set(`${e.type}|${yearOf(e.data)}`, (own.get(`${e.type}|${yearOf(e.data)}`) ?? 0) + 1);
      if ([...own].some(([k, n]) => counts.get(k) === n)) { learnerId = id; break; }
    }
    expect(learnerId).toBeDefined();
    const events = await store.readStream(learnerStream(learnerId!));
    await store.eraseStream(learnerStream(learnerId!));
    await forgetLearner({ views, store, projections: PROJECTIONS, learnerId: learnerId!, events });
    expect((await readEventCounts(views.reader.db)).every((c) => Number(c.events) > 0)).toBe(true);
    expect(await dump(views)).toBe(await cleanRebuildDump(store));
    await close();
  });

  it('drops the row-per-event table of views published by version 2 when it builds version 3', async () => {
    const { store, views, close } = await openLogAndViews();
    const world = buildWorld({ learners: 5, years: 2, seed: 9 });
    for (const delivery of world.deliveries) await appendDelivery(store, delivery);
    await catchUp({ store, views, projections: PROJECTIONS });
    // As version 2 left them: its table beside the others and its checkpoint at version 2.
    const session = await views.writeSession({ from: 'published', purpose: 'test' });
    await session.transaction(async ({ db }) => {
      await db.schema.createTable('counted_event').addColumn('position', 'bigint').addColumn('stream', 'text').addColumn('event_type', 'text').addColumn('school_year', 'text').execute();
      await db.updateTable('projection_checkpoint').set({ version: 2 }).where('name', '=', 'event-counts').execute();
    });
    await session.publish();
    expect(await views.reader.snapshot((db) => listViewTables(db))).toContain('counted_event');
    const r = await catchUp({ store, views, projections: PROJECTIONS });
    expect(r.rebuilt).toEqual(['event-counts']);
    const tables = await views.reader.snapshot((db) => listViewTables(db));
    expect(tables).not.toContain('counted_event');
    expect(tables).toContain('event_count');
    await close();
  });
});
