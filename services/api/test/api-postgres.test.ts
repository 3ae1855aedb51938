/**
 * Two API servers on one PostgreSQL database, as `serve` runs them behind a
 * load balancer: a key made through one works on the other, a revocation
 * counts everywhere at the next request, the roles hold, and every learner
 * read from either server is in the one audit log the engineer reads.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeWithPostgres, postgresForTests } from '@leerroutes/event-store/test-support/postgres';
import { openAccessStore, type AccessStore, type Role } from '../src/access/index.js';
import { createApp } from '../src/app.js';
import { ProblemSchema } from '../src/schemas.js';
import { FakeService } from './fake-service.js';

const pgForTests = await postgresForTests();
const Q = '?cohortType=advice&cohort=2012-2013&rules=monitor';

describeWithPostgres('two API servers sharing keys and the audit log in PostgreSQL', pgForTests, (db) => {
  let stores: AccessStore[] = [];
  let servers: ReturnType<typeof createApp>['app'][] = [];
  const keys = {} as Record<Role, string>;
  const names = {} as Record<Role, string>;
  let run = 0;

  beforeEach(async () => {
    stores = [await openAccessStore(db.url()), await openAccessStore(db.url())];
    servers = stores.map((access) => createApp({ service: new FakeService(), access }).app);
    // The tests share the database: names of their own keep each test's audit rows apart.
    run++;
    for (const role of ['dashboard', 'analyst', 'engineer'] as const) {
      names[role] = `pg-${role}-${run}`;
      keys[role] = (await stores[0]!.createKey(names[role], role)).key;
    }
  });
  afterEach(async () => {
    for (const s of stores) await s.close();
  });

  const get = (server: number, path: string, key: string) => servers[server]!.request(path, { headers: { authorization: `Bearer ${key}` } });

  it('a key made through one server is accepted by the other; revoked through the other, refused by the first', async () => {
    const [a, b] = stores;
    const made = await a!.createKey('rotating', 'dashboard');
    expect((await get(1, `/api/indicators/outcome${Q}`, made.key)).status).toBe(200);
    expect(await b!.revokeKey(made.apiKey.id)).toBe(true);
    const res = await get(0, `/api/indicators/outcome${Q}`, made.key);
    expect(res.status).toBe(401);
    expect(ProblemSchema.parse(await res.json()).type).toBe('urn:leerroutes:problem:unauthorized');
  });

  it('a dashboard key cannot read learner-level data on either server', async () => {
    for (const server of [0, 1]) {
      for (const path of ['/api/learners/L0001', `/api/explain/advice-position${Q}&category=afstroom&offset=3`, '/api/admin/audit']) {
        const res = await get(server, path, keys.dashboard);
        expect(res.status, `${server} ${path}`).toBe(403);
        expect(ProblemSchema.parse(await res.json()).type).toBe('urn:leerroutes:problem:forbidden');
      }
    }
    const audit = await (await get(1, '/api/admin/audit?limit=1000', keys.engineer)).json() as { entries: { keyName: string }[] };
    expect(audit.entries.filter((e) => e.keyName === names.dashboard)).toEqual([]);
  });

  it('learner reads on both servers are in the one audit log either server shows', async () => {
    expect((await get(0, `/api/explain/advice-position${Q}&category=afstroom&offset=3`, keys.analyst)).status).toBe(200);
    expect((await get(1, '/api/learners/L0001', keys.analyst)).status).toBe(200);
    const views = await Promise.all([0, 1].map(async (server) => {
      const res = await get(server, '/api/admin/audit?limit=1000', keys.engineer);
      expect(res.status).toBe(200);
      return ((await res.json()) as { entries: { keyName: string; action: string; learnerId: string | null }[] }).entries
        .filter((e) => e.keyName === names.analyst).map((e) => `${e.action}:${e.learnerId}`);
    }));
    expect(views[0]).toEqual(['learner:L0001', 'explain-cell:L0002', 'explain-cell:L0001']);
    expect(views[1]).toEqual(views[0]);
  });
});
