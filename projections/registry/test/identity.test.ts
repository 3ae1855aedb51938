import { describe, expect, it } from 'vitest';
import { learnerStream } from '@leerroutes/domain';
import { catchUp, forgetLearner } from '@leerroutes/projection-runtime';
import { readEventCounts } from '@leerroutes/projection-event-counts';
import { PROJECTIONS } from '../src/index.js';
import { appendDelivery, buildWorld } from './support/world.js';
import { cleanRebuildDump, dump, openLogAndViews } from './support/views.js';

describe('incremental views equal views rebuilt from zero', () => {
  it('after yearly deliveries with corrections, caught up batch by batch', async () => {
    const { store, views, close } = await openLogAndViews();
    const world = buildWorld({ learners: 150, years: 6, seed: 7 });
    // Batch sizes that cut learners' streams at different places in each run.
    for (const [i, delivery] of world.deliveries.entries()) {
      await appendDelivery(store, delivery);
      await catchUp({ store, views, projections: PROJECTIONS, batchSize: [37, 101, 13][i % 3] });
    }
    const incremental = await dump(views);
    expect(incremental).toBe(await cleanRebuildDump(store));

    // The dump is not trivially equal: statistics, counts and reference data are all there.
    const count = async (table: string) => Number((await views.reader.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    expect(await count('reference_area')).toBe(4);
    expect(await count('reference_institution')).toBe(3);
    // The statistics too: memberships, classifications (versioned, so more than one per learner and rule set) and yearly rows.
    expect(await count('stat_member')).toBeGreaterThan(150);
    expect(await count('stat_learner')).toBeGreaterThan(2 * 150);
    expect(await count('stat_state')).toBeGreaterThan(150 * 4);
    expect(await count('stat_step')).toBeGreaterThan(150);
    const retractions = (await readEventCounts(views.reader.db)).filter((c) => c.event_type === 'Retracted');
    expect(retractions.length).toBeGreaterThan(0);
    await close();
  });
});

describe('erasure', () => {
  it('leaves the views as a rebuild without the learner would', async () => {
    const { store, views, close } = await openLogAndViews();
    const world = buildWorld({ learners: 40, years: 4, seed: 11 });
    for (const delivery of world.deliveries) await appendDelivery(store, delivery);
    await catchUp({ store, views, projections: PROJECTIONS });
    const learnerId = world.learnerIds[3]!;
    const before = await dump(views);
    expect(before).toContain(learnerId);

    const events = await store.readStream(learnerStream(learnerId));
    await store.eraseStream(learnerStream(learnerId));
    await forgetLearner({ views, store, projections: PROJECTIONS, learnerId, events });
    const after = await dump(views);
    expect(after).not.toContain(learnerId);
    expect(after).toBe(await cleanRebuildDump(store));
    await close();
  });
});
