/**
 * The statistics SQL (packages/indicators/src/sql) on PostgreSQL gives what it
 * gives on DuckDB: one generated population with a corrected re-delivery,
 * folded once into DuckDB views (the engine's catch-up) and once into a
 * throwaway PostgreSQL database (the same projections' tables and `apply`,
 * through kysely's PostgresDialect, in batches), and every indicator read
 * from both: both rule sets, no, one and two breakdowns, live, as known on a
 * date before the correction, as of a school year, and both at once;
 * published (suppressed) and unsuppressed. DuckDB is held to the fold-based
 * oracle by sql-equals-oracle.test.ts; this holds PostgreSQL to DuckDB.
 *
 * The database sorts and compares text by a Dutch ICU collation, not by code
 * point as DuckDB does, so SQL whose answer depends on the server's
 * collation differs here instead of on some deployment; the school groups
 * are named so that the two orders disagree on which comes first.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openSqliteEventStore, type SqliteEventStore } from '@leerroutes/event-store/sqlite';
import { describeWithPostgres, postgresForTests } from '@leerroutes/event-store/test-support/postgres';
import { importDirectory } from '@leerroutes/import';
import {
  INDICATORS, PER_YEAR_INDICATORS, personPeriodSelect, spellSelect, statisticsCell, statisticsCohorts, statisticsCompare, statisticsReport,
  type PeriodRequest, type ReportRequest, type StatisticsSource,
} from '@leerroutes/indicators';
import { catchUp, openDuckDbViews, readCheckpoint, sqlBulkWriter, type Projection, type ViewsStore } from '@leerroutes/projection-runtime';
import { PROJECTIONS } from '@leerroutes/projections';
import { generatePopulation } from '@leerroutes/synthetic';

const pgForTests = await postgresForTests();

/**
 * As the PostgreSQL event store reads them: INT8 (what count(*) and sum()
 * give) as a number rather than a string, DATE as its text rather than a
 * local-midnight Date, which is how the DuckDB dialect hands both over.
 */
const viewTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === pg.types.builtins.INT8) return Number;
    if (oid === pg.types.builtins.DATE) return (text: string) => text;
    return pg.types.getTypeParser(oid, format as 'text');
  }) as typeof pg.types.getTypeParser,
};

/** The projections the statistics queries read: the statistics and the reference data (areas, boards). */
const READ_BY_REPORTS = PROJECTIONS.filter((p) => p.name === 'statistics' || p.name === 'reference-data');
/** Smaller than the catch-up's batches, so learners span batches and their rows are replaced on PostgreSQL too. */
const PG_BATCH = 1_500;

/**
 * School groups (the generator makes none): every third VO school in a pilot
 * and in its comparison group at once, which a report names by the first
 * name in code-point order ('Vergelijking' before 'pilot'; a Dutch collation
 * says the opposite); others in one group only.
 */
function writeSchoolGroups(dir: string): void {
  const vo = readFileSync(join(dir, 'institutions.csv'), 'utf8').trim().split('\n').slice(1)
    .map((line) => ({ code: line.slice(0, line.indexOf(',')), kind: line.slice(line.lastIndexOf(',') + 1) })).filter((i) => i.kind === 'vo');
  const rows = vo.flatMap((i, n) => n % 3 === 0 ? [[i.code, 'pilot', '2010-08-01', ''], [i.code, 'Vergelijking', '2010-08-01', '']]
    : n % 3 === 1 ? [[i.code, 'Controle', '2010-08-01', '2016-07-31']] : []);
  writeFileSync(join(dir, 'school_groups.csv'), ['institution,group,valid_from,valid_to', ...rows.map((r) => r.join(','))].join('\n') + '\n');
}

const DEFAULT_BY = [[], ['parental_education'], ['area:1', 'gender'], ['vo_school'], ['pupil_weight', 'advice'], ['area', 'school_group'], ['migration_background', 'board']];
const PER_YEAR_BY = [[], ['level'], ['area', 'school_weight_group'], ['vo_school'], ['po_school', 'advice'], ['area:1', 'school_group']];

describeWithPostgres('the statistics SQL on PostgreSQL reports what it reports on DuckDB', pgForTests, (database) => {
  let root: string;
  let store: SqliteEventStore;
  let views: ViewsStore;
  let pool: pg.Pool;
  let pgDb: Kysely<any>;
  let duck: StatisticsSource;
  let post: StatisticsSource;
  let head: number;
  const time = { duck: 0, post: 0 };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'leerroutes-pg-sql-'));
    await generatePopulation({ out: join(root, 'pop'), learners: 600, cohorts: '2012-2013', seed: 31, redelivery: join(root, 'fix') });
    writeSchoolGroups(join(root, 'pop'));
    store = openSqliteEventStore({ path: join(root, 'log.sqlite') });
    await importDirectory({ dir: join(root, 'pop'), store, knownAt: '2023-11-01' });
    await importDirectory({ dir: join(root, 'fix'), store, knownAt: '2024-01-15' });
    head = await store.headPosition();

    views = await openDuckDbViews(join(root, 'views'));
    await catchUp({ store, views, projections: PROJECTIONS });
    duck = {
      snapshot: (fn) => views.reader.snapshot(fn),
      checkpoint: async (db) => (await readCheckpoint(db, 'statistics'))?.position ?? 0,
    };

    pool = new pg.Pool({ connectionString: database.url(), max: 2, types: viewTypes });
    pgDb = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
    const t = (logical: string) => logical;
    await pgDb.transaction().execute(async (trx) => {
      for (const p of READ_BY_REPORTS) await p.createTables(trx, t);
    });
    for await (const batch of store.readAll({ until: head, batchSize: PG_BATCH })) {
      const until = batch[batch.length - 1]!.position;
      await pgDb.transaction().execute(async (trx) => {
        for (const p of READ_BY_REPORTS as Projection[]) await p.apply(batch, { db: trx, t, bulk: sqlBulkWriter(trx), store, until });
      });
    }
    // As a writer session ends: each projection makes again what it summarizes (Projection.settle).
    await pgDb.transaction().execute(async (trx) => {
      for (const p of READ_BY_REPORTS as Projection[]) await p.settle?.({ db: trx, t });
    });
    // Fresh tables have no statistics until autovacuum comes by; a views store analyzes after a rebuild.
    await sql`analyze`.execute(pgDb);
    // One consistent state per report, as a PostgreSQL views store would give it.
    post = {
      snapshot: (fn) => pgDb.transaction().setIsolationLevel('repeatable read').execute(fn),
      checkpoint: async () => head,
    };
  }, 600_000);

  afterAll(async () => {
    // eslint-disable-next-line no-console
    console.log(`report queries: DuckDB ${Math.round(time.duck)} ms, PostgreSQL ${Math.round(time.post)} ms`);
    await pgDb?.destroy();
    await views?.close();
    await store?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  async function timed<T>(engine: 'duck' | 'post', work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      time[engine] += performance.now() - start;
    }
  }

  it('folds the log into the same rows on both', async () => {
    for (const p of READ_BY_REPORTS) {
      for (const table of p.tables) {
        // Every row as text, sorted in JS: neither engine's row order nor its collation is compared.
        const rowsOf = async (db: Kysely<any>) => (await db.selectFrom(table).selectAll().execute()).map((r) => JSON.stringify(r)).sort();
        const [d, q] = [await duck.snapshot(rowsOf), await post.snapshot(rowsOf)];
        expect(q, table).toEqual(d);
        if (table === 'stat_member' || table === 'stat_state' || table === 'reference_area') expect(d.length, table).toBeGreaterThan(0);
      }
    }
  }, 120_000);

  const scopes: { name: string; asKnownOn?: string; asOfSchoolYear?: string; rules?: string[]; pick?: number[] }[] = [
    { name: 'live' },
    { name: 'as known on 2023-12-31 (before the correction)', asKnownOn: '2023-12-31', rules: ['monitor'], pick: [0, 2, 5] },
    { name: 'as of 2018-2019', asOfSchoolYear: '2018-2019', rules: ['inspectie'], pick: [1, 2, 4] },
    { name: 'as known on 2023-12-31, as of 2017-2018', asKnownOn: '2023-12-31', asOfSchoolYear: '2017-2018', rules: ['monitor'], pick: [3, 5] },
  ];

  for (const scope of scopes) {
    it(`gives every indicator's published and unsuppressed tables alike, ${scope.name}`, async () => {
      for (const indicator of INDICATORS) {
        const perYear = PER_YEAR_INDICATORS.includes(indicator);
        const all = perYear ? PER_YEAR_BY : DEFAULT_BY;
        const bys = scope.pick ? scope.pick.map((i) => all[i]!) : all;
        let counted = 0;
        let n = 0;
        for (const rules of scope.rules ?? ['monitor', 'inspectie']) {
          for (const by of bys) {
            // Each breakdown under one cohort type and one of published / unsuppressed, taken in turn,
            // so that every cohort type and both modes come by without multiplying the reports.
            const cohorts = perYear ? [{ cohortType: 'advice' as const, cohort: null }, { cohortType: 'intake' as const, cohort: '2012-2013' }] : [
              { cohortType: 'advice' as const, cohort: '2011-2012' }, { cohortType: 'intake' as const, cohort: '2013-2014' }, { cohortType: 'leerjaar3' as const, cohort: '2014-2015' },
            ];
            const cohort = cohorts[n % cohorts.length]!;
            const unsuppressed = n % 2 === 1;
            n++;
            const request: ReportRequest = {
              indicator, ...cohort, rules, by, ...(unsuppressed ? { unsuppressed } : {}),
              ...(scope.asKnownOn ? { asKnownOn: scope.asKnownOn } : {}), ...(scope.asOfSchoolYear ? { asOfSchoolYear: scope.asOfSchoolYear } : {}),
            };
            const expected = (await timed('duck', () => statisticsReport(request, duck))).rows;
            const actual = (await timed('post', () => statisticsReport(request, post))).rows;
            // Order included: the published order is part of the report.
            expect(actual, JSON.stringify(request)).toEqual(expected);
            counted += expected.filter((r) => (r.count ?? 0) > 0).length;
          }
        }
        // Not an empty comparison: the population has something to count here.
        expect(counted, indicator).toBeGreaterThan(0);
      }
    }, 600_000);
  }

  it('explains cells, compares rule sets and lists cohorts alike', async () => {
    const cohorts = await statisticsCohorts(duck, ['monitor', 'inspectie']);
    expect(await statisticsCohorts(post, ['monitor', 'inspectie'])).toEqual(cohorts);
    expect(cohorts.intake.length).toBeGreaterThan(0);
    let explained = 0;
    for (const request of [
      { indicator: 'outcome', cohortType: 'advice', cohort: '2011-2012', rules: 'monitor', by: ['school_group'], unsuppressed: true },
      { indicator: 'distribution', cohortType: 'intake', cohort: '2013-2014', rules: 'inspectie', by: ['area:1'], unsuppressed: true, asKnownOn: '2023-12-31' },
      { indicator: 'early-leavers', cohortType: 'advice', cohort: null, rules: 'monitor', by: ['school_weight_group'], unsuppressed: true, asOfSchoolYear: '2018-2019' },
    ] satisfies ReportRequest[]) {
      const rows = (await statisticsReport(request, duck)).rows.filter((r) => (r.count ?? 0) > 0).slice(0, 8);
      for (const r of rows) {
        const cell = { group: r.group, offset: r.offset, schoolYear: r.schoolYear, category: r.category, family: r.family };
        const ids = (await statisticsCell(request, cell, duck)).learnerIds;
        expect((await statisticsCell(request, cell, post)).learnerIds, JSON.stringify([request, cell])).toEqual(ids);
        expect(ids.length).toBeGreaterThan(0);
        explained += ids.length;
      }
      const compared = await statisticsCompare({ ...request, by: [] }, 'monitor', 'inspectie', duck);
      expect(await statisticsCompare({ ...request, by: [] }, 'monitor', 'inspectie', post)).toEqual(compared);
    }
    expect(explained).toBeGreaterThan(0);
  }, 300_000);

  it('exports the same person-period and spell rows', async () => {
    for (const request of [
      { cohortType: 'advice', cohort: '2011-2012', rules: 'monitor' },
      { cohortType: 'intake', cohort: null, rules: 'inspectie', asKnownOn: '2023-12-31' },
      { cohortType: 'leerjaar3', cohort: '2014-2015', rules: 'monitor', asOfSchoolYear: '2018-2019' },
    ] satisfies PeriodRequest[]) {
      for (const select of [personPeriodSelect, spellSelect]) {
        const rowsOf = async (db: Kysely<any>) => (await sql<Record<string, unknown>>`${await select(request, db)}`.execute(db)).rows;
        const expected = await duck.snapshot(rowsOf);
        expect(await post.snapshot(rowsOf), `${select.name} ${JSON.stringify(request)}`).toEqual(expected);
        expect(expected.length).toBeGreaterThan(0);
      }
    }
  }, 300_000);
}, { icuLocale: 'nl-NL' });
