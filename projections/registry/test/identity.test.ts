import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { learnerStream } from '@leerroutes/domain';
import { openSqliteEventStore } from '@leerroutes/event-store/sqlite';
import { coveredDatesOf, foldPathway, reportingPathwayOf, type Pathway } from '@leerroutes/pathway';
import { catchUp, forgetLearner, openDuckDbViews } from '@leerroutes/projection-runtime';
import { readEventCounts } from '@leerroutes/projection-event-counts';
import { createViewsPathwaySource, PROJECTIONS } from '../src/index.js';
import { appendDelivery, buildWorld } from './support/world.js';
import { cleanRebuildDump, dump, tempDir } from './support/views.js';

describe('incremental views equal views rebuilt from zero', () => {
  it('after yearly deliveries with corrections, caught up batch by batch', async () => {
    const dir = tempDir();
    const store = openSqliteEventStore({ path: join(dir, 'log.sqlite') });
    const views = await openDuckDbViews(join(dir, 'log.views'), { recheckMs: 0 });
    const world = buildWorld({ learners: 150, years: 6, seed: 7 });
    // Batch sizes that cut learners' streams at different places in each run.
    for (const [i, delivery] of world.deliveries.entries()) {
      await appendDelivery(store, delivery);
      await catchUp({ store, views, projections: PROJECTIONS, batchSize: [37, 101, 13][i % 3] });
    }
    const incremental = await dump(views);
    expect(incremental).toBe(await cleanRebuildDump(store));

    // The dump is not trivially equal: pathways, cohorts, counts and reference data are all there.
    const count = async (table: string) => Number((await views.reader.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    expect(await count('learner_pathway')).toBe(150);
    expect(await count('learner_cohort')).toBeGreaterThan(150);
    expect(await count('reference_area')).toBe(4);
    expect(await count('reference_institution')).toBe(3);
    // The statistics too: memberships, classifications (versioned, so more than one per learner and rule set) and yearly rows.
    expect(await count('stat_member')).toBeGreaterThan(150);
    expect(await count('stat_learner')).toBeGreaterThan(2 * 150);
    expect(await count('stat_state')).toBeGreaterThan(150 * 4);
    expect(await count('stat_step')).toBeGreaterThan(150);
    const retractions = (await readEventCounts(views.reader.db)).filter((c) => c.event_type === 'Retracted');
    expect(retractions.length).toBeGreaterThan(0);
    await views.close();
    await store.close();
  });
});

describe('the views PathwaySource', () => {
  it('gives what folding each learner stream directly gives', async () => {
    const dir = tempDir();
    const store = openSqliteEventStore({ path: join(dir, 'log.sqlite') });
    const views = await openDuckDbViews(join(dir, 'log.views'), { recheckMs: 0 });
    const world = buildWorld({ learners: 80, years: 5, seed: 3 });
    const source = createViewsPathwaySource(views.reader);
    expect(await source.checkpoint()).toBe(0);
    for (const delivery of world.deliveries.slice(0, -1)) await appendDelivery(store, delivery);
    await catchUp({ store, views, projections: PROJECTIONS, batchSize: 50 });
    expect(await source.checkpoint()).toBe(await store.headPosition());
    // Remembered per generation: the next one moves it.
    await appendDelivery(store, world.deliveries.at(-1)!);
    await catchUp({ store, views, projections: PROJECTIONS, batchSize: 50 });
    expect(await source.checkpoint()).toBe(await store.headPosition());

    const direct: Pathway[] = [];
    for (const id of world.learnerIds) direct.push(foldPathway(id, await store.readStream(learnerStream(id))));
    expect(await source.pathway(world.learnerIds[5]!)).toEqual(direct[5]);
    const all: Pathway[] = [];
    for await (const batch of source.allPathways(30)) all.push(...batch);
    expect(all).toEqual(direct);

    const cohorts = new Set(direct.map((p) => p.adviceCohort['monitor']).filter((c): c is string => c !== null));
    expect(cohorts.size).toBeGreaterThan(0);
    for (const cohort of cohorts) {
      const ids = (await source.cohortPathways('advice', 'monitor', cohort)).map((p) => p.learnerId);
      expect(ids).toEqual(direct.filter((p) => p.adviceCohort['monitor'] === cohort).map((p) => p.learnerId));
      // What reports read: the reporting part of the same learners, in the same order.
      expect(await source.cohortReportingPathways!('advice', 'monitor', cohort))
        .toEqual(direct.filter((p) => p.adviceCohort['monitor'] === cohort).map(reportingPathwayOf));
    }
    expect(await source.coveredReferenceDates!()).toEqual(coveredDatesOf(direct));
    // Views of the older version (no reporting tables yet) still answer, from the whole pathways.
    const someCohort = [...cohorts][0]!;
    const before = await source.cohortReportingPathways!('advice', 'monitor', someCohort);
    const older = await views.writeSession();
    await older.transaction(async ({ db }) => {
      await db.schema.dropTable('learner_report').execute();
      await db.schema.dropTable('covered_date').execute();
    });
    await older.publish();
    expect(await source.cohortReportingPathways!('advice', 'monitor', someCohort)).toEqual(before);
    expect(await source.coveredReferenceDates!()).toEqual(coveredDatesOf(direct));
    const intake = direct.find((p) => p.intakeCohort)!.intakeCohort!;
    const inIntake = (await source.cohortPathways('intake', 'inspectie', intake)).map((p) => p.learnerId);
    expect(inIntake).toEqual(direct.filter((p) => p.intakeCohort === intake).map((p) => p.learnerId));

    const ref = await source.referenceData();
    expect(ref.areas.get('ZUID')).toEqual({ name: 'ZUID', parent: 'RDAM' });
    expect(ref.institutions.get('VO3')?.board).toBe('B2');
    expect(await source.checkpoint()).toBe(await store.headPosition());
    await views.close();
    await store.close();
  });
});

describe('erasure', () => {
  it('leaves the views as a rebuild without the learner would', async () => {
    const dir = tempDir();
    const store = openSqliteEventStore({ path: join(dir, 'log.sqlite') });
    const views = await openDuckDbViews(join(dir, 'log.views'), { recheckMs: 0 });
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
    await views.close();
    await store.close();
  });
});
