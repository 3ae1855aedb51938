/**
 * The statistics read path (the statistics projection's tables, counted in
 * SQL) against the fold-based oracle (every learner's events folded again and
 * counted unit by unit), on a generated population with a corrected
 * re-delivery: every indicator, both rule sets, with no, one and two
 * breakdowns, live, as known on a date before the correction, as of a school
 * year, and both at once. Unsuppressed, so every count is compared; the
 * publishing step (and with it suppression) is shared by the two paths.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteEventStore, type SqliteEventStore } from '@leerroutes/event-store/sqlite';
import { importDirectory } from '@leerroutes/import';
import {
  INDICATORS, PER_YEAR_INDICATORS, distributionOfTransitions, scopeOf, statisticsCell, statisticsCountTable, statisticsReport,
  type CountInstance, type Indicator, type ReportRequest, type ReportRow, type StatisticsSource,
} from '@leerroutes/indicators';
import { replayAsKnownOn, oracleCell, oracleReport } from '@leerroutes/indicators/oracle';
import { catchUp, openDuckDbViews, readCheckpoint, type ViewsStore } from '@leerroutes/projection-runtime';
import { PROJECTIONS } from '@leerroutes/projections';
import { generatePopulation } from '@leerroutes/synthetic';

let root: string;
let store: SqliteEventStore;
let views: ViewsStore;
let source: StatisticsSource;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'leerroutes-sql-'));
  await generatePopulation({ out: join(root, 'pop'), learners: 700, cohorts: '2012-2013', seed: 23, redelivery: join(root, 'fix') });
  // School groups (the generator makes none), valid from before, until within and from after the cohorts' start
  // days, one school in two groups at once: what the school_group breakdown looks up on the day of each unit.
  const vo = readFileSync(join(root, 'pop', 'institutions.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')).filter((f) => f[4] === 'vo').map((f) => f[0]!);
  writeFileSync(join(root, 'pop', 'school_groups.csv'), ['institution,group,valid_from,valid_to',
    ...vo.filter((_, i) => i % 6 === 0).map((i) => `${i},pilot,2010-08-01,`),
    ...vo.filter((_, i) => i % 6 === 3).flatMap((i) => [`${i},comparison,2010-08-01,2013-07-31`, `${i},alpha,2012-01-01,`]),
    ...vo.filter((_, i) => i % 6 === 1).map((i) => `${i},beta,2013-09-01,`)].join('\n') + '\n');
  store = openSqliteEventStore({ path: join(root, 'log.sqlite') });
  await importDirectory({ dir: join(root, 'pop'), store, knownAt: '2023-11-01' });
  await importDirectory({ dir: join(root, 'fix'), store, knownAt: '2024-01-15' });
  views = await openDuckDbViews(join(root, 'views'));
  await catchUp({ store, views, projections: PROJECTIONS });
  source = {
    snapshot: (fn) => views.reader.snapshot(fn),
    checkpoint: async (db) => (await readCheckpoint(db, 'statistics'))?.position ?? 0,
  };
}, 300_000);

afterAll(async () => {
  await views?.close();
  await store?.close();
  rmSync(root, { recursive: true, force: true });
});

const replays = new Map<string, ReturnType<typeof replayAsKnownOn>>();

/**
 * The oracle's rows: the log replayed once per scope (as known on, valid
 * until the end of the as-of year), and the request without its scope run
 * over that replay as if it were the views.
 */
async function oracle(request: ReportRequest): Promise<readonly ReportRow[]> {
  const validUntil = request.asOfSchoolYear ? `${Number(request.asOfSchoolYear.slice(0, 4)) + 1}-07-31` : null;
  const scopeKey = JSON.stringify([request.asKnownOn ?? null, validUntil]);
  if (!replays.has(scopeKey)) replays.set(scopeKey, replayAsKnownOn(store, request.asKnownOn ?? null, validUntil));
  const replay = await replays.get(scopeKey)!;
  const { asKnownOn: _k, asOfSchoolYear: _a, ...unscoped } = request;
  return (await oracleReport(unscoped, { pathways: replay.source, store })).rows;
}

const key = (r: ReportRow) => JSON.stringify([r.group, r.offset, r.schoolYear, r.family, r.category]);
/** Cells that count something; cells both sides show as zero are alike whether listed or not. */
const cells = (rows: readonly ReportRow[]) => new Map(rows.filter((r) => (r.count ?? 0) > 0 || (r.denominator ?? 0) > 0).map((r) => [key(r), [r.count, r.denominator]]));

const DEFAULT_BY = [[], ['parental_education'], ['area:1', 'gender'], ['vo_school'], ['pupil_weight', 'advice']];
const PER_YEAR_BY = [[], ['level'], ['area', 'school_weight_group'], ['vo_school'], ['po_school']];
/** School groups are looked up on a cohort's start day or on each yearly unit's own: one indicator of each. */
const BREAKDOWNS: Partial<Record<Indicator, string[][]>> = {
  'advice-position': [...DEFAULT_BY, ['school_group']],
  'school-profile': [...PER_YEAR_BY, ['school_group']],
};

describe('the statistics read path equals the fold-based oracle', () => {
  // Live, every breakdown; the scoped editions (a filter on the same queries) with a breakdown of each kind,
  // each under one rule set, so the whole matrix stays within a few minutes on a shared CI machine.
  const scopes: { name: string; asKnownOn?: string; asOfSchoolYear?: string; rules?: string[]; pick?: number[] }[] = [
    { name: 'live' },
    { name: 'as known on 2023-12-31 (before the correction)', asKnownOn: '2023-12-31', rules: ['monitor'], pick: [0, 2, 3] },
    { name: 'as of 2018-2019', asOfSchoolYear: '2018-2019', rules: ['inspectie'], pick: [1, 2, 4] },
    { name: 'as known on 2023-12-31, as of 2017-2018', asKnownOn: '2023-12-31', asOfSchoolYear: '2017-2018', rules: ['monitor'], pick: [0, 2] },
  ];
  // One test per scope: the oracle replays the log once per scope and reuses it for every indicator.
  for (const scope of scopes) {
    it(scope.name, async () => {
      for (const indicator of INDICATORS) {
        const perYear = PER_YEAR_INDICATORS.includes(indicator);
        const all = BREAKDOWNS[indicator] ?? (perYear ? PER_YEAR_BY : DEFAULT_BY);
        const bys = scope.pick ? scope.pick.map((i) => all[i]!) : all;
        let compared = 0;
        for (const rules of scope.rules ?? ['monitor', 'inspectie']) {
          for (const cohort of perYear ? [{ cohortType: 'advice' as const, cohort: null }, { cohortType: 'intake' as const, cohort: '2012-2013' }] : [
            { cohortType: 'advice' as const, cohort: '2011-2012' }, { cohortType: 'intake' as const, cohort: '2013-2014' }, { cohortType: 'leerjaar3' as const, cohort: '2014-2015' },
          ]) {
            for (const by of bys) {
              const request: ReportRequest = {
                indicator, ...cohort, rules, by, unsuppressed: true,
                ...(scope.asKnownOn ? { asKnownOn: scope.asKnownOn } : {}), ...(scope.asOfSchoolYear ? { asOfSchoolYear: scope.asOfSchoolYear } : {}),
              };
              const expected = cells(await oracle(request));
              const actual = cells((await statisticsReport(request, source)).rows);
              expect(actual, JSON.stringify(request)).toEqual(expected);
              compared += expected.size;
            }
          }
        }
        // Not an empty comparison: the population has something to count here.
        expect(compared, indicator).toBeGreaterThan(0);
      }
    }, 900_000);
  }
});

/** A count table in one canonical text, instances and categories sorted, zero counts left out. */
function canonical(table: readonly CountInstance[]): string[] {
  return table.map((i) => JSON.stringify([i.group, i.lineage, i.offset, i.schoolYear, i.family, i.denominator, [...i.counts].filter(([, n]) => n > 0).sort()])).sort();
}

describe('the distribution derived from a transitions count table (what suppressing transitions relates to)', () => {
  it('equals the distribution counted in SQL, in every scope and under the lineage of every breakdown', async () => {
    let compared = 0;
    for (const scope of [{}, { asKnownOn: '2023-12-31' }, { asOfSchoolYear: '2016-2017' }, { asKnownOn: '2023-12-31', asOfSchoolYear: '2013-2014' }]) {
      for (const cohort of [{ cohortType: 'advice' as const, cohort: '2011-2012' }, { cohortType: 'intake' as const, cohort: '2013-2014' }, { cohortType: 'leerjaar3' as const, cohort: '2014-2015' }]) {
        for (const by of [...DEFAULT_BY, ['area']]) {
          const transitions: ReportRequest = { indicator: 'transitions', ...cohort, rules: 'monitor', by, ...scope };
          await source.snapshot(async (db) => {
            const t = await statisticsCountTable(transitions, scopeOf(transitions, db));
            const derived = distributionOfTransitions(t);
            const counted = await statisticsCountTable({ ...transitions, indicator: 'distribution' }, scopeOf(transitions, db));
            if (derived === null) {
              // No pair of offsets to derive from: then the table is counted, and there is no transition at all.
              expect(t, JSON.stringify(transitions)).toEqual([]);
              return;
            }
            expect(canonical(derived), JSON.stringify(transitions)).toEqual(canonical(counted));
            compared += counted.length;
          });
        }
      }
    }
    expect(compared).toBeGreaterThan(100);
  }, 600_000);
});

describe('a cell of an edge (a transition, a flow, a revision pair) is explained by the learners the oracle puts in it', () => {
  // An edge's category is made from its two ends after counting (sql/units.ts unitCategory): a cell is found by that text.
  it('for every edge family, live and as known on a date before the correction', async () => {
    let explained = 0;
    for (const scope of [{}, { asKnownOn: '2023-12-31' }]) {
      for (const [indicator, by] of [['transitions', []], ['transitions', ['gender']], ['flows', []], ['advice-revisions', ['parental_education']]] as const) {
        const request: ReportRequest = { indicator, cohortType: 'advice', cohort: '2011-2012', rules: 'monitor', by: [...by], unsuppressed: true, ...scope };
        const edges = (await statisticsReport(request, source)).rows.filter((r) => r.category.includes(' -> ') && (r.count ?? 0) > 0);
        expect(edges.length, JSON.stringify(request)).toBeGreaterThan(0);
        const replay = await replayAsKnownOn(store, request.asKnownOn ?? null, null);
        const { asKnownOn: _k, ...unscoped } = request;
        for (const r of edges.filter((_, i) => i % Math.ceil(edges.length / 12) === 0)) {
          const cell = { group: r.group, offset: r.offset, schoolYear: r.schoolYear, category: r.category, family: r.family };
          const ids = (await statisticsCell(request, cell, source)).learnerIds;
          expect([...ids].sort(), JSON.stringify([request, cell])).toEqual((await oracleCell(unscoped, cell, { pathways: replay.source, store })).learnerIds);
          expect(ids.length).toBeGreaterThan(0);
          explained += ids.length;
        }
      }
    }
    expect(explained).toBeGreaterThan(0);
  }, 600_000);
});
