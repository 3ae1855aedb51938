/**
 * The engine's projections on PostgreSQL views: created, caught up, a
 * learner forgotten and rebuilt there, holding row for row what the DuckDB
 * views hold.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { learnerStream } from '@leerroutes/domain';
import { describeWithPostgres, postgresForTests } from '@leerroutes/event-store/test-support/postgres';
import { catchUp, dumpViews, forgetLearner, rebuild, type ViewsStore } from '@leerroutes/projection-runtime';
import { openPostgresViews } from '@leerroutes/projection-runtime/postgres';
import { defaultProjections } from '@leerroutes/projections';
import { openEngine, type Engine } from '../src/index.js';
import { writeTwoLearners } from './support/two-learners.js';
import { reads } from '../src/reads.js';

const pgForTests = await postgresForTests();

/** Every projection table's rows as sorted JSON lines, numbers as numbers: the same on both backends whatever their collation and integer types. */
async function contents(db: Kysely<any>): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of defaultProjections().flatMap((p) => p.tables).sort()) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
    out[table] = rows.map((r) => JSON.stringify(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)), (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))).sort();
  }
  return out;
}

describeWithPostgres('the projections on PostgreSQL views', pgForTests, (database) => {
  let root: string;
  let engine: Engine;
  let views: ViewsStore;
  let n = 0;
  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'leerroutes-pg-views-'));
    const dir = writeTwoLearners(join(root, 'delivery'));
    engine = await openEngine({ db: join(root, 'p.sqlite') });
    await engine.importDirectory(dir);
    views = await openPostgresViews({ connectionString: database.url(), schema: `engine${++n}`, recheckMs: 0 });
  });
  afterEach(async () => {
    await views.close();
    await engine.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('hold what the DuckDB views hold, after a catch-up, an erasure and a rebuild', async () => {
    const projections = defaultProjections();
    const run = await catchUp({ store: engine.store, views, projections });
    expect(run.rebuilt).toEqual(projections.map((p) => p.name));
    const duck = await engine.views.reader.snapshot(contents);
    expect(duck['stat_member']!.length).toBeGreaterThan(0);
    expect(await views.reader.snapshot(contents)).toEqual(duck);
    // The engine's reads answer from PostgreSQL views as from DuckDB's, with a rebuild's schema beside them.
    const side = await views.writeSession({ from: 'empty', purpose: 'a rebuild beside' });
    await side.transaction(({ db }) => db.schema.createTable('stat_covered').addColumn('year', 'integer').execute());
    const reference = await reads(engine.store, views.reader, 'postgres').reference();
    await side.abandon();
    expect(reference.schoolYears.length).toBeGreaterThan(0);
    expect(reference).toEqual(await engine.reference());
    // The indicators' SQL (unqualified table names) runs on the published schema as on DuckDB.
    const pgReads = reads(engine.store, views.reader, 'postgres');
    expect(await pgReads.cohorts()).toEqual(await engine.cohorts());
    for (const request of [
      { indicator: 'streams', cohortType: 'intake', cohort: '2012-2013', rules: 'monitor', by: ['gender'], minCell: 5 },
      { indicator: 'advice-position', cohortType: 'advice', cohort: '2011-2012', rules: 'inspectie', by: [], minCell: 5 },
    ] as const) {
      expect(await pgReads.report(request)).toEqual(await engine.report(request));
    }
    // Two learners: the advice cells are suppressed, the stream counts are not.
    expect((await pgReads.report({ indicator: 'streams', cohortType: 'intake', cohort: '2012-2013', rules: 'monitor', by: ['gender'], minCell: 5 })).rows.length).toBeGreaterThan(0);

    // Erasure as the engine does it: the views forget the learner, then the log drops the stream.
    const events = await engine.store.readStream(learnerStream('GONE'));
    expect(events.length).toBeGreaterThan(0);
    const before = [await pgReads.checkpoint(), await pgReads.version()];
    await forgetLearner({ views, store: engine.store, projections, learnerId: 'GONE', events });
    // The same checkpoint, other views: what the API's cache and ETags are keyed by must say so.
    expect(await pgReads.checkpoint()).toBe(before[0]);
    expect(await pgReads.version()).not.toBe(before[1]);
    await engine.eraseLearner('GONE', 'test', 'test');
    await catchUp({ store: engine.store, views, projections });
    const forgotten = await views.reader.snapshot(contents);
    expect(JSON.stringify(forgotten)).not.toContain('GONE');
    expect(JSON.stringify(forgotten)).toContain('KEEP');
    expect(forgotten).toEqual(await engine.views.reader.snapshot(contents));

    // A rebuild from the log as it now is reproduces the views an erasure and catch-ups made.
    const live = await views.reader.snapshot((db) => dumpViews(db, projections));
    await rebuild({ store: engine.store, views, projections });
    expect(await views.reader.snapshot((db) => dumpViews(db, projections))).toBe(live);
  });
});
