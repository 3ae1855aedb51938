/**
 * The PostgreSQL backend against the embedded default, through the engine
 * alone: the same deliveries (a population, then a corrected re-delivery
 * known later) imported into a SQLite log with DuckDB views and into one
 * PostgreSQL database give the same log, the same ledger, and the same
 * reports, live, as known on a date before the correction and as of a
 * school year, and the same learner-level export files (and so do DuckDB
 * views kept by one machine from the PostgreSQL log); a rebuild on
 * PostgreSQL changes none of them; erasing a learner on both leaves them equal.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { learnerStream } from '@leerroutes/domain';
import { openEngine, type Engine } from '@leerroutes/engine';
import { describeWithPostgres, postgresForTests } from '@leerroutes/event-store/test-support/postgres';
import { INDICATORS, type ReportRequest } from '@leerroutes/indicators';
import { forgetLearner } from '@leerroutes/projection-runtime';
import { defaultProjections } from '@leerroutes/projections';
import { generatePopulation } from '@leerroutes/synthetic';

const pg = await postgresForTests();

describeWithPostgres('the PostgreSQL backend gives what the embedded one gives', pg, (database) => {
  let root: string;
  let sqlite: Engine;
  let postgres: Engine;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'leerroutes-pg-same-'));
    await generatePopulation({ out: join(root, 'pop'), learners: 400, cohorts: '2012-2013', seed: 41, redelivery: join(root, 'fix') });
    sqlite = await openEngine({ db: join(root, 'log.sqlite') });
    postgres = await openEngine({ db: database.url() });
    for (const engine of [sqlite, postgres]) {
      await engine.importDirectory(join(root, 'pop'), { knownAt: '2023-11-01' });
      await engine.importDirectory(join(root, 'fix'), { knownAt: '2024-01-15' });
    }
  }, 600_000);

  afterAll(async () => {
    await sqlite?.close();
    await postgres?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('stores the same log and ledger', async () => {
    expect(postgres.backend).toBe('postgres');
    const [a, b] = await Promise.all([sqlite.dump(['log', 'ledger']), postgres.dump(['log', 'ledger'])]);
    expect(a.split('\n').length).toBeGreaterThan(1000);
    // Positions are left out: both keep the same order, but SQLite's may have gaps where PostgreSQL's have none.
    const unpositioned = (dump: string) => dump.replace(/^\[\d+,/gm, '[');
    expect(unpositioned(b) === unpositioned(a), 'log and ledger dumps are equal').toBe(true);
  });

  const requests = (cohort: string): ReportRequest[] => {
    const out: ReportRequest[] = [];
    for (const indicator of INDICATORS) {
      for (const by of [[], ['parental_education'], ['vo_school', 'gender']]) {
        for (const scope of [{}, { asKnownOn: '2023-12-31' }, { asOfSchoolYear: '2014-2015' }]) {
          out.push({ indicator, cohortType: 'advice', cohort, rules: 'monitor', by, ...scope });
        }
      }
      out.push({ indicator, cohortType: 'advice', cohort, rules: 'inspectie', by: ['advice'], unsuppressed: true });
    }
    return out;
  };

  const sameReports = async () => {
    let rows = 0;
    for (const request of requests('2011-2012')) {
      const [a, b] = await Promise.all([sqlite.report(request), postgres.report(request)]);
      rows += a.rows.length;
      expect(JSON.stringify(b.rows), JSON.stringify(request)).toBe(JSON.stringify(a.rows));
    }
    expect(rows).toBeGreaterThan(100);
  };

  it('answers every indicator the same, live, as known on a date and as of a school year', sameReports, 300_000);

  it('exports the same learner-level files (person-period and spells streamed from PostgreSQL, copied by DuckDB)', async () => {
    for (const kind of ['person-period', 'spells'] as const) {
      const files = await Promise.all([sqlite, postgres].map(async (engine, i) => {
        const out = join(root, `${kind}-${i}.csv`);
        await engine.exportLearnerData({ kind, period: { cohortType: 'advice', cohort: '2011-2012', rules: 'monitor' } }, { format: 'csv', out });
        return readFileSync(out, 'utf8');
      }));
      expect(files[0]!.split('\n').length, kind).toBeGreaterThan(100);
      expect(files[1] === files[0], `${kind} files are equal`).toBe(true);
    }
  }, 120_000);

  it('DuckDB views of a machine of its own, kept from the PostgreSQL log, answer the same', async () => {
    const local = await openEngine({ db: database.url(), views: join(root, 'local.views') });
    try {
      expect(local.viewsPath).toBe(join(root, 'local.views'));
      await local.catchUp();
      expect(await local.checkpoint()).toBe(await postgres.checkpoint());
      for (const request of requests('2011-2012').filter((_, i) => i % 3 === 0)) {
        const [a, b] = await Promise.all([sqlite.report(request), local.report(request)]);
        expect(JSON.stringify(b.rows), JSON.stringify(request)).toBe(JSON.stringify(a.rows));
      }
      expect((await local.storage()).viewsBytes).toBeGreaterThan(0);
    } finally {
      await local.close();
    }
  }, 300_000);

  it('a rebuild on PostgreSQL changes nothing, and erasure leaves both equal, also one killed between the views and the log', async () => {
    const before = await postgres.dump(['views']);
    await postgres.rebuild();
    expect(await postgres.dump(['views'])).toBe(before);
    const learner = /learner-([A-Za-z0-9]+)/.exec(await sqlite.dump(['log']))?.[1];
    expect(learner).toBeDefined();
    // On PostgreSQL the erasure is run as after a kill once the views had forgotten the learner: the views forget twice.
    const events = await postgres.store.readStream(learnerStream(learner!));
    await forgetLearner({ views: postgres.views, store: postgres.store, projections: defaultProjections(), learnerId: learner!, events });
    const [ra, rb] = [await sqlite.eraseLearner(learner!, 'test', 'test'), await postgres.eraseLearner(learner!, 'test', 'test')];
    expect(ra!.eventsRemoved).toBeGreaterThan(0);
    expect(rb!.eventsRemoved).toBe(ra!.eventsRemoved);
    expect(rb!.factsRemoved).toBe(ra!.factsRemoved);
    expect(await postgres.learner(learner!)).toBeNull();
    await sameReports();
    const erased = await postgres.dump(['views']);
    await postgres.rebuild();
    expect(await postgres.dump(['views'])).toBe(erased);
  }, 600_000);
});
