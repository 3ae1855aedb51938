/**
 * The exports over HTTP on the real engine (a generated population of 300):
 * the analyst role gets the same files `pathways export` writes (the same
 * engine code), audited before they are read; the dashboard role gets 403.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ReportSchema } from '@leerroutes/indicators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../src/access/index.js';
import { startDemo, type Demo } from '../test-support/demo.js';

let demo: Demo;
let scratch: string;
let duck: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  demo = await startDemo({ learners: 300, cohorts: '2012-2016', seed: 3, withDashboard: false });
  scratch = mkdtempSync(join(tmpdir(), 'api-exports-test-'));
  duck = await DuckDBInstance.create(':memory:');
  conn = await duck.connect();
}, 120_000);
afterAll(async () => {
  conn?.closeSync();
  duck?.closeSync();
  await demo?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const call = (path: string, role: Role | null) =>
  fetch(demo.server.url + path, { headers: role ? { authorization: `Bearer ${demo.keys[role]}` } : {} });

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const rows = async (query: string) => (await conn.runAndReadAll(query)).getRowObjectsJson() as Record<string, unknown>[];
const count = async (query: string) => Number(Object.values((await rows(query))[0]!)[0]);

/** The body saved as a file. */
async function saved(res: Response, name: string): Promise<string> {
  const file = join(scratch, name);
  writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  return file;
}

const exportDirs = () => readdirSync(tmpdir()).filter((f) => f.startsWith('leerroutes-export-'));

describe('GET /api/exports', () => {
  it('is for the analyst role and up: no key 401, the dashboard role 403', async () => {
    for (const path of ['/api/exports/events', '/api/exports/person-period?cohort=2012-2013', '/api/exports/spells', '/api/exports/report/distribution?cohort=2012-2013']) {
      expect((await call(path, null)).status, path).toBe(401);
      const res = await call(path, 'dashboard');
      expect(res.status, path).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    }
    expect((await call('/api/exports/spells?format=csv', 'analyst')).status).toBe(200);
  });

  it('answers the file the engine writes for the same request, audited before it is read', async () => {
    const before = exportDirs();
    const res = await call('/api/exports/person-period?cohort=2012-2013&rules=monitor', 'analyst');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.apache.parquet');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="person-period.parquet"');
    const file = await saved(res, 'pp-http.parquet');
    const direct = join(scratch, 'pp-direct.parquet');
    const summary = await demo.engine.exportLearnerData({ kind: 'person-period', period: { cohortType: 'advice', cohort: '2012-2013', rules: 'monitor' } }, { format: 'parquet', out: direct });
    expect(Number(res.headers.get('x-export-rows'))).toBe(summary.rows);
    expect(summary.rows).toBeGreaterThan(0);
    const [a, b] = [`select * from read_parquet(${lit(file)})`, `select * from read_parquet(${lit(direct)})`];
    expect(await count(`select count(*) from (${a})`)).toBe(summary.rows);
    expect(await count(`select count(*) from (${a} except all ${b})`)).toBe(0);
    // One audit row per learner in the file, written before it was sent.
    const learners = (await rows(`select distinct learner_id from read_parquet(${lit(file)}) order by 1`)).map((r) => String(r['learner_id']));
    expect(learners.length).toBeGreaterThan(10);
    const entries = (await demo.access.auditEntries({ limit: 1000 })).filter((e) => e.action === 'export-person-period');
    expect(entries.map((e) => e.learnerId).sort()).toEqual(learners);
    expect(entries.every((e) => e.keyName === 'demo-analyst')).toBe(true);
    expect(JSON.parse(entries[0]!.detail!)).toEqual({ format: 'parquet', cohort: '2012-2013', rules: 'monitor', rows: summary.rows });
    const one = await (await call(`/api/admin/audit?learnerId=${learners[0]}`, 'engineer')).json() as { entries: { action: string }[] };
    expect(one.entries.map((e) => e.action)).toContain('export-person-period');
    // The file's directory is gone once it was sent.
    expect(exportDirs().filter((d) => !before.includes(d))).toEqual([]);
  });

  it('events as CSV: the events export with its header, a row per event', async () => {
    const res = await call('/api/exports/events?format=csv&asKnownOn=2030-01-01', 'analyst');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const file = await saved(res, 'events.csv');
    const stats = await demo.engine.store.stats();
    const learnerEvents = Object.entries(stats.byType).filter(([t]) => !['AreaDefined', 'InstitutionDefined', 'SchoolGroupDefined', 'ReferenceDateCovered', 'LearnerErased'].includes(t))
      .reduce((n, [, k]) => n + k, 0);
    expect(await count(`select count(*) from read_csv(${lit(file)}, header = true)`)).toBe(learnerEvents);
    expect(Number(res.headers.get('x-export-rows'))).toBe(learnerEvents);
    const inFile = await count(`select count(distinct learner_id) from read_csv(${lit(file)}, header = true)`);
    expect(new Set((await demo.access.auditEntries({ limit: 100_000 })).filter((e) => e.action === 'export-events').map((e) => e.learnerId)).size).toBe(inFile);
    const [first] = await rows(`select * from read_csv(${lit(file)}, header = true) limit 1`);
    expect(Object.keys(first!).slice(0, 5)).toEqual(['learner_id', 'position', 'revision', 'event_id', 'type']);
  });

  it('a report as a file is the suppressed report the indicator endpoint answers', async () => {
    const q = 'cohort=2012-2013&by=gender';
    const shown = ReportSchema.parse(await (await call(`/api/indicators/advice-position?${q}`, 'analyst')).json());
    const res = await call(`/api/exports/report/advice-position?${q}`, 'analyst');
    expect(res.status).toBe(200);
    const file = await saved(res, 'ap.parquet');
    const inFile = (await rows(`select gender, category, count, suppressed from read_parquet(${lit(file)})`));
    expect(inFile).toEqual(shown.rows.map((r) => ({ gender: r.group['gender'], category: r.category, count: r.count, suppressed: r.suppressed })));
    expect(inFile.some((r) => r['suppressed'] === true && r['count'] === null)).toBe(true);
    // Unsuppressed numbers stay the engineer's.
    expect((await call(`/api/exports/report/advice-position?${q}&unsuppressed=true`, 'analyst')).status).toBe(403);
  });

  it('refuses parameters an export does not take, with problem details', async () => {
    for (const path of [
      '/api/exports/events?cohort=2012-2013', '/api/exports/person-period?by=gender', '/api/exports/spells?rules=nope',
      '/api/exports/everything', '/api/exports/events?format=xlsx', '/api/exports/person-period?cohort=2012',
    ]) {
      const res = await call(path, 'analyst');
      expect(res.status, path).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    }
  });
});
