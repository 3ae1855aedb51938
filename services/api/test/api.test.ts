/**
 * The HTTP layer against an in-memory service: roles, problem details,
 * content negotiation, caching, the audit log and the disclosure guard.
 * The same API on the real engine with generated data: api-engine.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatReport, type ReportRequest, type ReportRow } from '@leerroutes/indicators';
import { ViewsMismatchError } from '@leerroutes/projection-runtime/views-damage';
import { openSqliteAccessStore, type AccessStore, type Role } from '../src/access/index.js';
import { createApp } from '../src/app.js';
import { ProblemSchema, ReportSchema } from '../src/schemas.js';
import { FakeService } from './fake-service.js';

let dir: string;
let access: AccessStore;
let service: FakeService;
let app: ReturnType<typeof createApp>['app'];
let openapi: any;
const keys = {} as Record<Role, string>;
let ready = true;
let trouble: string | null = null;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'api-test-'));
  access = await openSqliteAccessStore({ path: join(dir, 'x.api.sqlite') });
  service = new FakeService();
  ready = true;
  trouble = null;
  for (const role of ['dashboard', 'analyst', 'engineer'] as const) keys[role] = (await access.createKey(`test-${role}`, role)).key;
  ({ app, openapi } = createApp({ service, access, isReady: () => ready, viewsTrouble: () => trouble }));
});
afterEach(async () => { await access.close(); rmSync(dir, { recursive: true, force: true }); });

const get = (path: string, role?: Role | null, headers: Record<string, string> = {}) =>
  app.request(path, { headers: { ...(role ? { authorization: `Bearer ${keys[role]}` } : {}), ...headers } });
const post = (path: string, role: Role, body: unknown) =>
  app.request(path, { method: 'POST', headers: { authorization: `Bearer ${keys[role]}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function problem(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = ProblemSchema.parse(await res.json());
  expect(body.status).toBe(status);
  return body;
}

const Q = '?cohortType=advice&cohort=2012-2013&rules=monitor';

describe('operations endpoints', () => {
  it('health answers without a key; readiness follows the engine', async () => {
    expect(await (await get('/health')).json()).toEqual({ status: 'ok' });
    const r = await get('/ready');
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ ready: true, checkpoint: 100, head: 100 });
    expect(await (await get('/ready')).json()).not.toHaveProperty('detail');
    // A failed catch-up being tried again is said whether the views were ready or not.
    trouble = 'keeping the views current failed 2 time(s) in a row (disk full); trying again in 4 s';
    expect(await (await get('/ready')).json()).toEqual({ ready: true, checkpoint: 100, head: 100, detail: trouble });
    ready = false;
    const notReady = await get('/ready');
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ ready: false, detail: trouble });
    trouble = null;
    expect(await (await get('/ready')).json()).toMatchObject({ ready: false, detail: 'catching up' });
  });

  it('publishes an OpenAPI document with every route and the query schema of the handlers', async () => {
    const doc = await (await get('/api/openapi.json')).json() as any;
    expect(doc).toEqual(JSON.parse(JSON.stringify(openapi)));
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/admin/audit', '/api/admin/import', '/api/admin/rebuild', '/api/compare/{indicator}', '/api/explain/{indicator}',
      '/api/exports/report/{indicator}', '/api/exports/{what}',
      '/api/indicators/{indicator}', '/api/learners/{learnerId}', '/api/meta', '/api/whoami', '/health', '/ready',
    ]);
    const op = doc.paths['/api/indicators/{indicator}'].get;
    const names = op.parameters.map((p: any) => p.name);
    expect(names).toEqual(expect.arrayContaining(['indicator', 'cohortType', 'cohort', 'rules', 'by', 'asKnownOn', 'minCell']));
    expect(op.parameters.find((p: any) => p.name === 'indicator').schema.enum).toContain('advice-position');
    expect(op.responses['200'].content).toHaveProperty('text/csv');
    expect(op.responses['403'].content).toHaveProperty('application/problem+json');
    expect(doc.components.schemas.Report.properties.rows.type).toBe('array');
    expect(doc.paths['/api/learners/{learnerId}'].get['x-required-role']).toBe('analyst');
    const exp = doc.paths['/api/exports/{what}'].get;
    expect(exp['x-required-role']).toBe('analyst');
    expect(exp.parameters.map((p: any) => p.name)).toEqual(['what', 'cohortType', 'cohort', 'rules', 'asKnownOn', 'asOf', 'format']);
    expect(Object.keys(exp.responses['200'].content)).toEqual(['application/vnd.apache.parquet', 'text/csv']);
  });
});

describe('the dashboard page', () => {
  const dashboard = {
    index: ({ dashboardKey }: { dashboardKey: string | null }) => `<html><head>${dashboardKey ? `<meta name="leerroutes-key" content="${dashboardKey}">` : ''}</head></html>`,
    asset: (path: string) => path === 'app.js' ? { body: 'console.log(1)', type: 'text/javascript', etag: '"abc"' } : undefined,
  };
  it('is served without a key, with a strict content security policy, and its assets revalidate', async () => {
    const { app: page } = createApp({ service, access, dashboard });
    const res = await page.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).not.toContain('leerroutes-key');
    const js = await page.request('/assets/app.js');
    expect(js.headers.get('content-type')).toBe('text/javascript');
    expect((await page.request('/assets/app.js', { headers: { 'if-none-match': '"abc"' } })).status).toBe(304);
    expect((await page.request('/assets/nothing.js')).status).toBe(404);
  });
  it('carries a dashboard-role key only when the server hands one out', async () => {
    const key = access.createEphemeralKey('open', 'dashboard');
    const { app: page } = createApp({ service, access, dashboard, dashboardKey: key });
    expect(await (await page.request('/')).text()).toContain(key);
    const who = await page.request('/api/whoami', { headers: { authorization: `Bearer ${key}` } });
    expect(await who.json()).toEqual({ name: 'open', role: 'dashboard' });
    expect((await page.request('/api/learners/L0001', { headers: { authorization: `Bearer ${key}` } })).status).toBe(403);
  });
});

describe('authentication and roles', () => {
  it('refuses data without a key, with an unknown key and with a revoked key (401)', async () => {
    const none = await problem(await get(`/api/indicators/outcome${Q}`), 401);
    expect(none.type).toBe('urn:leerroutes:problem:unauthorized');
    expect((await get(`/api/indicators/outcome${Q}`, null, { authorization: 'Bearer lr_x_nonsense' })).status).toBe(401);
    const { key, apiKey } = await access.createKey('temp', 'engineer');
    expect((await get(`/api/indicators/outcome${Q}`, null, { 'x-api-key': key })).status).toBe(200);
    await access.revokeKey(apiKey.id);
    const res = await get(`/api/indicators/outcome${Q}`, null, { 'x-api-key': key });
    await problem(res, 401);
    expect(service.requests).toHaveLength(1);
  });

  const cases: [string, 'get' | 'post', string, Role][] = [
    ['whoami', 'get', '/api/whoami', 'dashboard'],
    ['meta', 'get', '/api/meta', 'dashboard'],
    ['indicator', 'get', `/api/indicators/advice-position${Q}`, 'dashboard'],
    ['compare', 'get', '/api/compare/advice-position?cohort=2012-2013', 'dashboard'],
    ['learner', 'get', '/api/learners/L0001', 'analyst'],
    ['explain', 'get', `/api/explain/advice-position${Q}&category=afstroom&offset=3`, 'analyst'],
    ['import', 'post', '/api/admin/import', 'engineer'],
    ['rebuild', 'post', '/api/admin/rebuild', 'engineer'],
    ['audit', 'get', '/api/admin/audit', 'engineer'],
  ];
  const roles: Role[] = ['dashboard', 'analyst', 'engineer'];
  for (const [name, method, path, least] of cases) {
    it(`${name}: allowed from ${least} up, 403 below`, async () => {
      for (const role of roles) {
        const res = method === 'get' ? await get(path, role) : await post(path, role, { dir });
        const allowed = roles.indexOf(role) >= roles.indexOf(least);
        if (allowed) expect(res.status, `${role} on ${path}`).toBe(200);
        else expect((await problem(res, 403)).type).toBe('urn:leerroutes:problem:forbidden');
      }
    });
  }

  it('whoami tells the role', async () => {
    expect(await (await get('/api/whoami', 'analyst')).json()).toEqual({ name: 'test-analyst', role: 'analyst' });
  });

  it('only engineers may ask for unsuppressed cells', async () => {
    await problem(await get(`/api/indicators/outcome${Q}&unsuppressed=true`, 'dashboard'), 403);
    await problem(await get(`/api/indicators/outcome${Q}&unsuppressed=true`, 'analyst'), 403);
    expect((await get(`/api/indicators/outcome${Q}&unsuppressed=true`, 'engineer')).status).toBe(200);
    expect(service.requests.map((r) => r.unsuppressed)).toEqual([true]);
  });

  it('the dashboard role cannot lower the threshold; an analyst can, to 5', async () => {
    await get(`/api/indicators/outcome${Q}&minCell=5`, 'dashboard');
    await get(`/api/indicators/outcome${Q}&minCell=20`, 'dashboard');
    await get(`/api/indicators/outcome${Q}&minCell=5`, 'analyst');
    expect(service.requests.map((r) => r.minCell)).toEqual([10, 20, 5]);
  });
});

describe('indicator endpoints', () => {
  it('pass the CLI parameters through as a report request and return the long-format report', async () => {
    const res = await get('/api/indicators/streams?cohort-type=intake&cohort=2012-2013&rules=inspectie&by=area:2&by=gender&as-known-on=2017-06-01', 'dashboard');
    expect(res.status).toBe(200);
    const report = ReportSchema.parse(await res.json());
    expect(service.requests[0]).toEqual({
      indicator: 'streams', cohortType: 'intake', cohort: '2012-2013', rules: 'inspectie', by: ['area:2', 'gender'], asKnownOn: '2017-06-01', minCell: 10,
    });
    expect(report.rows).toHaveLength(3);
  });

  it('serve CSV when asked by Accept, JSON by default, 406 otherwise', async () => {
    const csv = await get(`/api/indicators/advice-position${Q}&by=gender`, 'dashboard', { accept: 'text/csv' });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toBe('gender,offset,school_year,family,category,count,denominator,percent,suppressed,suppression');
    expect(lines).toContain(',3,,outcome,afstroom,40,200,20,false,');
    expect(lines).toContain('x,3,,outcome,afstroom,,,,true,primary');
    expect((await get(`/api/indicators/advice-position${Q}`, 'dashboard', { accept: 'text/html,application/json;q=0.9' })).headers.get('content-type')).toMatch(/json/);
    expect((await get(`/api/indicators/advice-position${Q}&format=csv`, 'dashboard')).headers.get('content-type')).toMatch(/csv/);
    await problem(await get(`/api/indicators/advice-position${Q}`, 'dashboard', { accept: 'image/png' }), 406);
  });

  it('answer a repeated request with 304 until the checkpoint moves', async () => {
    const first = await get(`/api/indicators/outcome${Q}`, 'dashboard');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    expect(first.headers.get('cache-control')).toMatch(/private, max-age=\d+/);
    const again = await get(`/api/indicators/outcome${Q}`, 'dashboard', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(service.requests).toHaveLength(1);
    const csv = await get(`/api/indicators/outcome${Q}`, 'dashboard', { 'if-none-match': etag, accept: 'text/csv' });
    expect(csv.status).toBe(200);
    service.checkpointValue = 101;
    const moved = await get(`/api/indicators/outcome${Q}`, 'dashboard', { 'if-none-match': etag });
    expect(moved.status).toBe(200);
    expect(moved.headers.get('etag')).not.toBe(etag);
  });

  it('send a large report as the same JSON, made in slices, plain or compressed', async () => {
    const many = (request: ReportRequest): ReportRow[] => Array.from({ length: 12_345 }, (_, i) => ({
      group: { [request.by[0] ?? 'gender']: `g${i}` }, offset: 3, schoolYear: null, family: 'outcome', category: i % 2 ? 'gelijk' : 'afstroom', count: 10 + i, denominator: 20 + 2 * i, percent: 50, suppressed: false, suppression: null,
    }));
    service.rows = many;
    for (const encoding of ['identity', 'gzip']) {
      const res = await get(`/api/indicators/outcome${Q}&by=gender`, 'dashboard', { 'accept-encoding': encoding });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('content-encoding') ?? 'identity').toBe(encoding);
      const text = encoding === 'gzip' ? await new Response(res.body!.pipeThrough(new DecompressionStream('gzip'))).text() : await res.text();
      const body = JSON.parse(text);
      expect(body.rows).toEqual(many(body.request));
      expect(text).toBe(JSON.stringify(body));
      expect(Object.keys(body)).toEqual(['request', 'ruleSet', 'rows', 'source', 'minCell', 'suppressed', 'unprotected']);
      const csv = await get(`/api/indicators/outcome${Q}&by=gender&format=csv`, 'dashboard');
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(await csv.text()).toBe(formatReport(body, 'csv'));
    }
  });

  it('answer anew when the views are published again at the same checkpoint (an erased learner forgotten)', async () => {
    const first = await get(`/api/indicators/outcome${Q}`, 'dashboard');
    const etag = first.headers.get('etag')!;
    expect(service.requests).toHaveLength(1);
    service.generationValue = 'gen-000002';
    const after = await get(`/api/indicators/outcome${Q}`, 'dashboard', { 'if-none-match': etag });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
    expect(service.requests).toHaveLength(2);
  });

  it('tie as-known-on answers to the checkpoint of the views (a filter there), not to the head of the log', async () => {
    const path = `/api/indicators/outcome${Q}&asKnownOn=2016-01-01`;
    const etag = (await get(path, 'dashboard')).headers.get('etag')!;
    service.headValue = 150;
    expect((await get(path, 'dashboard', { 'if-none-match': etag })).status).toBe(304);
    service.checkpointValue = 150;
    expect((await get(path, 'dashboard', { 'if-none-match': etag })).status).toBe(200);
  });

  it('compare joins two rule sets on the row coordinates', async () => {
    const body = await (await get('/api/compare/advice-position?cohort=2012-2013&rulesA=monitor&rulesB=inspectie', 'dashboard')).json() as any;
    expect(body.rulesA.name).toBe('monitor');
    expect(body.rulesB.name).toBe('inspectie');
    expect(body.rows.find((r: any) => r.category === 'afstroom').a).toEqual({ count: 40, denominator: 200, percent: 20, suppressed: false, suppression: null });
    expect(service.requests.map((r) => r.rules)).toEqual(['monitor', 'inspectie']);
  });

  it('compare says why a side is hidden (primary or complementary), as the report rows do', async () => {
    const body = await (await get('/api/compare/advice-position?cohort=2012-2013&by=gender&rulesA=monitor&rulesB=inspectie', 'dashboard')).json() as any;
    const hidden = body.rows.find((r: any) => r.group.gender === 'x');
    expect(hidden.a).toEqual({ count: null, denominator: null, percent: null, suppressed: true, suppression: 'primary' });
    expect(hidden.b.suppression).toBe('primary');
  });

  it('meta lists the cohorts for the pickers', async () => {
    const body = await (await get('/api/meta', 'dashboard')).json() as any;
    expect(body.cohorts.intake).toEqual(['2012-2013']);
    expect(body.indicators).toContain('flows');
    expect(body.minCell).toBe(10);
  });

  it('meta names areas and institutions and lists the covered school years (for the dashboard)', async () => {
    const body = await (await get('/api/meta', 'dashboard')).json() as any;
    expect(body.names).toEqual({ area: { GM0599: 'Rotterdam' }, institution: { '00AA': 'Het Lyceum' } });
    expect(body.schoolYears).toEqual(['2011-2012', '2012-2013']);
    expect(body.cohorts.leerjaar3).toEqual(['2014-2015']);
  });
});

describe('problem details for bad parameters', () => {
  const bad: [string, string, string][] = [
    ['unknown indicator', '/api/indicators/happiness?cohort=2012-2013', '#/indicator'],
    ['malformed cohort', '/api/indicators/outcome?cohort=2012', '#/cohort'],
    ['missing cohort', '/api/indicators/outcome', '#/cohort'],
    ['missing cohort (flows)', '/api/indicators/flows?rules=monitor', '#/cohort'],
    ['unknown dimension', '/api/indicators/outcome?cohort=2012-2013&by=shoe_size', '#/by'],
    ['three breakdowns', '/api/indicators/outcome?cohort=2012-2013&by=gender,advice,area', '#/by'],
    ['the same dimension twice', '/api/indicators/outcome?cohort=2012-2013&by=area:1,area:2', '#/by'],
    ['bad date', '/api/indicators/outcome?cohort=2012-2013&asKnownOn=2017-13-45', '#/asKnownOn'],
    ['threshold under 5', '/api/indicators/outcome?cohort=2012-2013&minCell=3', '#/minCell'],
    ['unknown rule set', '/api/indicators/outcome?cohort=2012-2013&rules=lenient', '#/rules'],
    ['bad cohort type', '/api/indicators/outcome?cohort=2012-2013&cohortType=birth', '#/cohortType'],
    ['unknown parameter', '/api/indicators/outcome?cohort=2012-2013&colour=red', '#/'],
    ['BSN as learner id', '/api/learners/111222333', '#/learnerId'],
    ['explain without category', `/api/explain/outcome?cohort=2012-2013`, '#/category'],
  ];
  for (const [name, path, pointer] of bad) {
    it(name, async () => {
      const body = await problem(await get(path, 'analyst'), 400);
      expect(body.type).toBe('urn:leerroutes:problem:validation');
      expect(body.errors?.map((e) => e.pointer)).toContain(pointer);
      expect(body.detail).toBeTruthy();
    });
  }
  it('a request error of the engine is a 4xx problem, not a crash', async () => {
    expect((await problem(await get('/api/indicators/outcome?cohort=1999-2000', 'dashboard'), 404)).detail).toBe('no such cohort');
  });
  it('an unknown path is a 404 problem', async () => {
    await problem(await get('/api/nothing', 'dashboard'), 404);
  });
  it('a body that is not JSON is a validation problem', async () => {
    const res = await app.request('/api/admin/import', { method: 'POST', headers: { authorization: `Bearer ${keys.engineer}` }, body: 'dir=/x' });
    await problem(res, 400);
    expect(service.imports).toEqual([]);
  });
  it("a full disk is a 507 problem that says to try again, without the server's paths; anything else stays a 500", async () => {
    const delivery = mkdtempSync(join(dir, 'delivery-'));
    service.importDirectory = async () => { throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }); };
    const full = await problem(await post('/api/admin/import', 'engineer', { dir: delivery }), 507);
    expect(full.type).toBe('urn:leerroutes:problem:disk-full');
    expect(full.detail).toContain('Send the request again once there is space');
    // DuckDB's message names the file that could not be written: the log gets it, the caller does not.
    service.report = async () => { throw new Error('IO Error: Could not write file "/srv/views/gen-000004.duckdb.tmp/x.block": No space left on device'); };
    const spill = await problem(await get(`/api/indicators/outcome${Q}`, 'dashboard'), 507);
    expect(spill.detail).not.toContain('/srv/views');
    service.report = async () => { throw new Error('something else'); };
    expect((await problem(await get(`/api/indicators/outcome${Q}`, 'dashboard'), 500)).type).toBe('urn:leerroutes:problem:internal');
  });
  it("views that cannot be read are a 503 views-damaged problem that says to rebuild, a damaged log a 503 log-damaged, without the server's paths, and /ready says only the kind", async () => {
    const damaged = Object.assign(new Error("the views in /srv/views cannot be read: CURRENT names no generation ('x')"), { code: 'VIEWS_DAMAGED' });
    service.report = async () => { throw damaged; };
    const body = await problem(await get(`/api/indicators/outcome${Q}`, 'dashboard'), 503);
    expect(body.type).toBe('urn:leerroutes:problem:views-damaged');
    expect(body.detail).toContain('rebuild');
    expect(body.detail).not.toContain('/srv/views');
    // DuckDB's own words, met in a query on a damaged file.
    service.report = async () => { throw new Error('IO Error: Corrupt database file: computed checksum 1 does not match stored checksum 2 in block at location 3'); };
    expect((await problem(await get(`/api/indicators/outcome${Q}`, 'dashboard'), 503)).type).toBe('urn:leerroutes:problem:views-damaged');
    service.checkpoint = async () => { throw damaged; };
    const ready = await get('/ready');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false, checkpoint: null, head: null, detail: 'the views cannot be read: rebuild them' });
    service.report = async () => { throw Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' }); };
    const log = await problem(await get(`/api/indicators/outcome${Q}`, 'dashboard'), 503);
    expect(log.type).toBe('urn:leerroutes:problem:log-damaged');
    expect(log.detail).not.toContain('rebuild');
    service.checkpoint = async () => { throw new Error('connect ECONNREFUSED 10.0.0.7:5432'); };
    const down = await (await get('/ready')).json() as { detail: string };
    expect(down.detail).not.toContain('10.0.0.7');
  });
  it('views made from another state of the log are a 503 views-mismatch problem that says to rebuild, and /ready names the kind only', async () => {
    const mismatch = new ViewsMismatchError('/srv/views', 'they have read the log up to position 40, which the log has never reached (it ends at 30)');
    service.report = async () => { throw mismatch; };
    const body = await problem(await get(`/api/indicators/outcome${Q}`, 'dashboard'), 503);
    expect(body.type).toBe('urn:leerroutes:problem:views-mismatch');
    expect(body.detail).toContain('rebuild');
    expect(body.detail).not.toContain('/srv/views');
    // Its code is what counts: an error that crossed a thread keeps its fields, not its class.
    service.checkpoint = async () => { throw Object.assign(new Error(mismatch.message), { code: 'VIEWS_MISMATCH' }); };
    const ready = await get('/ready');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false, checkpoint: null, head: null, detail: 'the views were made from another state of the event log: rebuild them' });
  });
  it('an import from a directory the server does not have is a 400 problem naming it, and nothing is imported', async () => {
    const absent = join(dir, 'no-such-delivery');
    const body = await problem(await post('/api/admin/import', 'engineer', { dir: absent }), 400);
    expect(body.detail).toContain(absent);
    expect(body.errors).toEqual([{ location: 'body', pointer: '#/dir', detail: expect.stringContaining(absent) }]);
    const file = join(dir, 'x.api.sqlite');
    expect((await problem(await post('/api/admin/import', 'engineer', { dir: file }), 400)).detail).toContain(`'${file}' on the server is not a directory`);
    expect(service.imports).toEqual([]);
    const { entries } = await (await get('/api/admin/audit', 'engineer')).json() as any;
    expect(entries.filter((e: any) => e.action === 'import')).toEqual([]);
  });
});

describe('audit log', () => {
  it('records every learner-level read with the key, action and learner, newest first', async () => {
    await get('/api/learners/L0001', 'analyst');
    await problem(await get('/api/learners/L9999', 'analyst'), 404);
    await get(`/api/explain/advice-position${Q}&category=afstroom&offset=3&group=gender%3Df`, 'engineer');
    await get(`/api/indicators/outcome${Q}`, 'analyst');
    await get('/api/learners/L0001', 'dashboard');
    const { entries } = await (await get('/api/admin/audit', 'engineer')).json() as any;
    expect(entries.map((e: any) => [e.keyName, e.action, e.learnerId])).toEqual([
      ['test-engineer', 'explain-cell', 'L0002'],
      ['test-engineer', 'explain-cell', 'L0001'],
      ['test-analyst', 'learner', 'L9999'],
      ['test-analyst', 'learner', 'L0001'],
    ]);
    expect(JSON.parse(entries[0].detail).cell).toEqual({ group: { gender: 'f' }, offset: 3, schoolYear: null, category: 'afstroom' });
    const forOne = await (await get('/api/admin/audit?learnerId=L0001', 'engineer')).json() as any;
    expect(forOne.entries).toHaveLength(2);
  });

  it('operations are audited too', async () => {
    await post('/api/admin/import', 'engineer', { dir, knownAt: '2017-11-01' });
    expect(service.imports).toEqual([{ dir, knownAt: '2017-11-01' }]);
    const { entries } = await (await get('/api/admin/audit', 'engineer')).json() as any;
    expect(entries[0]).toMatchObject({ action: 'import', learnerId: null, keyName: 'test-engineer' });
  });

  it('stores only a hash of each key', async () => {
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(join(dir, 'x.api.sqlite'), { readonly: true });
    const dump = JSON.stringify(db.prepare('SELECT * FROM api_keys').all());
    db.close();
    for (const key of Object.values(keys)) expect(dump).not.toContain(key);
    expect(dump).toMatch(/[0-9a-f]{64}/);
  });
});

describe('disclosure guard', () => {
  it('withholds a report in which suppression failed, unless an engineer asked for unsuppressed cells', async () => {
    service.rows = () => [{ group: { gender: 'x' }, offset: 3, schoolYear: null, family: 'outcome', category: 'afstroom', count: 3, denominator: 40, percent: 7.5, suppressed: false, suppression: null }];
    const body = await problem(await get(`/api/indicators/outcome${Q}&by=gender`, 'dashboard'), 500);
    expect(body.type).toBe('urn:leerroutes:problem:suppression-guard');
    expect(JSON.stringify(body)).not.toContain('7.5');
    expect((await get(`/api/indicators/outcome${Q}&by=gender&unsuppressed=true`, 'engineer')).status).toBe(200);
  });
  it('does not send the dashboard role a table whose coarser tables give away small hidden cells; the analyst gets it with the count', async () => {
    service.unprotectedValue = 2;
    try {
      const body = await problem(await get(`/api/indicators/outcome${Q}&by=gender,area`, 'dashboard'), 409);
      expect(body.type).toBe('urn:leerroutes:problem:unprotected-cells');
      expect(body.detail).toContain('2 small hidden cells');
      expect(JSON.stringify(body)).not.toContain('afstroom');
      expect((await get(`/api/compare/outcome${Q.replace('rules=monitor', 'rulesA=monitor&rulesB=inspectie')}&by=gender,area`, 'dashboard')).status).toBe(409);
      const analyst = await get(`/api/indicators/outcome${Q}&by=gender,area`, 'analyst');
      expect(analyst.status).toBe(200);
      expect((await analyst.json() as any).unprotected).toBe(2);
    } finally {
      service.unprotectedValue = 0;
    }
    // Answers are remembered per checkpoint, so the table without the count is another request.
    expect((await get(`/api/indicators/outcome${Q}&by=area`, 'dashboard')).status).toBe(200);
  });
  it('hides the size of a small group whose counts are all suppressed', async () => {
    service.rows = () => [{ group: { gender: 'x' }, offset: 3, schoolYear: null, family: 'outcome', category: 'afstroom', count: null, denominator: 7, percent: null, suppressed: true, suppression: 'primary' }];
    const report = await (await get(`/api/indicators/outcome${Q}&by=gender`, 'dashboard')).json() as any;
    expect(report.rows[0]).toMatchObject({ count: null, denominator: null, suppressed: true });
  });
});
