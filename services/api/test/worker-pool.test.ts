/** Reports computed in worker threads are the reports computed in the server's thread. */
import { runReport } from '@leerroutes/indicators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceError } from '../src/service.js';
import { ReportPool } from '../src/worker-pool.js';
import { startDemo, type Demo } from '../test-support/demo.js';

let demo: Demo;
let pool: ReportPool;

beforeAll(async () => {
  demo = await startDemo({ learners: 600, cohorts: '2012', seed: 5, withDashboard: false });
  pool = await ReportPool.start({ db: demo.engine.dbPath, views: demo.engine.viewsPath, size: 2 });
}, 180_000);
afterAll(async () => { await pool?.close(); await demo?.close(); });

describe('ReportPool', () => {
  it('answers like runReport in this thread, for concurrent requests spread over the workers', async () => {
    const requests = (['advice-position', 'distribution', 'flows', 'streams'] as const).map((indicator) =>
      ({ indicator, cohortType: 'intake' as const, cohort: '2012-2013', rules: 'monitor', by: ['gender'], minCell: 10 }));
    const [pooled, local] = await Promise.all([
      Promise.all(requests.map((r) => pool.report(r))),
      Promise.all(requests.map((r) => runReport(r, { pathways: demo.engine.pathways, store: demo.engine.store }))),
    ]);
    expect(pooled).toEqual(JSON.parse(JSON.stringify(local)));
    expect(pooled.some((r) => r.rows.some((row) => (row.count ?? 0) > 0))).toBe(true);
  });

  it('explains a cell in a worker', async () => {
    const request = { indicator: 'advice-position' as const, cohortType: 'intake' as const, cohort: '2012-2013', rules: 'monitor', by: [], minCell: 10 };
    const report = await pool.report(request);
    const row = report.rows.find((r) => (r.count ?? 0) > 0)!;
    const { learnerIds } = await pool.explainCell(request, { group: {}, offset: row.offset, schoolYear: row.schoolYear, category: row.category });
    expect(learnerIds).toHaveLength(row.count!);
  });

  it('brings request errors back with their code', async () => {
    const err = await pool.report({ indicator: 'outcome', cohortType: 'advice', cohort: '2012-2013', rules: 'nonsense', by: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).code).toMatch(/bad-request|not-found/);
  });
});
