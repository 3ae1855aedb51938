/**
 * The access store's behaviour, the same on both adapters: the SQLite file a
 * single server keeps beside the views, and a schema of a PostgreSQL
 * database that several servers share. Each test gets a place of its own (a
 * fresh file, a fresh schema) and may open it more than once, as two servers would.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { postgresForTests, queryOnce, useThrowawayDatabase } from '@leerroutes/event-store/test-support/postgres';
import {
  accessLocation, accessPath, openAccessStore, openSqliteAccessStore,
  type AccessStore, type ApiKey, type Clock,
} from '../src/access/index.js';
import { openPostgresAccessStore } from '../src/access/postgres.js';

const pgForTests = await postgresForTests();

/** Opens the store at one place; every call is another instance on the same storage. */
type Opener = (clock?: Clock) => Promise<AccessStore>;

interface Adapter {
  readonly name: string;
  readonly skip?: string;
  /** Called inside the adapter's describe (it may register hooks); returns a maker of fresh places. */
  setup(): () => Opener;
}

const tmp = mkdtempSync(join(tmpdir(), 'access-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const adapters: Adapter[] = [
  {
    name: 'SQLite',
    setup() {
      let n = 0;
      return () => {
        const path = join(tmp, `place-${++n}.api.sqlite`);
        return (clock) => openSqliteAccessStore({ path, ...(clock ? { clock } : {}) });
      };
    },
  },
  {
    name: 'PostgreSQL',
    ...(pgForTests.available ? {} : { skip: pgForTests.reason }),
    setup() {
      const db = useThrowawayDatabase(pgForTests);
      let n = 0;
      return () => {
        const schema = `access_${++n}`;
        return (clock) => openPostgresAccessStore({ connectionString: db.url(), schema, ...(clock ? { clock } : {}) });
      };
    },
  },
];

/** A clock that moves one second per reading, so every time written is known. */
function ticking(start = '2024-03-01T09:00:00.000Z'): Clock {
  let t = Date.parse(start);
  return () => new Date((t += 1000));
}

describe.each(adapters)('the access store on $name', (adapter) => {
  if (adapter.skip) {
    const reason = adapter.skip;
    it('needs PostgreSQL', (ctx) => ctx.skip(reason));
    return;
  }
  const freshPlace = adapter.setup();
  const opened: AccessStore[] = [];
  /** Instances on one fresh place, closed after the test. */
  async function stores(count: number, clock?: Clock): Promise<AccessStore[]> {
    const place = freshPlace();
    const made: AccessStore[] = [];
    for (let i = 0; i < count; i++) made.push(await place(clock));
    opened.push(...made);
    return made;
  }
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  it('verifies a created key by its secret, which is shown once and never listed', async () => {
    const [store] = await stores(1, ticking());
    const { key, apiKey } = await store!.createKey('analyst-1', 'analyst');
    expect(key).toMatch(/^lr_analyst_[A-Za-z0-9_-]{43}$/);
    expect(apiKey).toEqual({ id: apiKey.id, name: 'analyst-1', role: 'analyst', createdAt: '2024-03-01T09:00:01.000Z', revokedAt: null });
    expect(await store!.verify(key)).toEqual(apiKey);
    expect(await store!.verify(`${key}x`)).toBeNull();
    expect(await store!.verify('')).toBeNull();
    const listed = await store!.listKeys();
    expect(listed).toEqual([apiKey]);
    expect(JSON.stringify(listed)).not.toContain(key.slice(11));
  });

  it('lists keys in the order they were made, with their roles and times', async () => {
    const [store] = await stores(1, ticking());
    const made: ApiKey[] = [];
    for (const [name, role] of [['d', 'dashboard'], ['a', 'analyst'], ['e', 'engineer']] as const) made.push((await store!.createKey(name, role)).apiKey);
    expect(made[0]!.id).toBeLessThan(made[1]!.id);
    expect(made[1]!.id).toBeLessThan(made[2]!.id);
    expect(await store!.listKeys()).toEqual(made);
    expect(made.map((k) => k.createdAt)).toEqual(['2024-03-01T09:00:01.000Z', '2024-03-01T09:00:02.000Z', '2024-03-01T09:00:03.000Z']);
  });

  it('refuses a revoked key; revoking twice or an unknown id reports false', async () => {
    const [store] = await stores(1, ticking());
    const kept = await store!.createKey('kept', 'dashboard');
    const gone = await store!.createKey('gone', 'engineer');
    expect(await store!.revokeKey(gone.apiKey.id)).toBe(true);
    expect(await store!.verify(gone.key)).toBeNull();
    expect(await store!.verify(kept.key)).toEqual(kept.apiKey);
    expect(await store!.revokeKey(gone.apiKey.id)).toBe(false);
    expect(await store!.revokeKey(gone.apiKey.id + 1000)).toBe(false);
    expect(await store!.listKeys()).toEqual([kept.apiKey, { ...gone.apiKey, revokedAt: '2024-03-01T09:00:03.000Z' }]);
  });

  it('keeps keys across a close and a reopen', async () => {
    const place = freshPlace();
    const first = await place();
    const { key, apiKey } = await first.createKey('lasting', 'analyst');
    await first.close();
    const again = await place();
    opened.push(again);
    expect(await again.verify(key)).toEqual(apiKey);
  });

  it('keeps an ephemeral key in the instance that made it: never listed, unknown to another instance and after a reopen', async () => {
    const place = freshPlace();
    const [a, b] = [await place(), await place()];
    opened.push(b);
    const key = a.createEphemeralKey('open-dashboard', 'dashboard');
    const found = await a.verify(key);
    expect(found).toMatchObject({ name: 'open-dashboard', role: 'dashboard', revokedAt: null });
    expect(found!.id).toBeLessThan(0);
    expect(await a.listKeys()).toEqual([]);
    expect(await b.verify(key)).toBeNull();
    await a.close();
    const reopened = await place();
    opened.push(reopened);
    expect(await reopened.verify(key)).toBeNull();
  });

  it('audits one row per learner, one row without a learner for none, the detail as the JSON written', async () => {
    const [store] = await stores(1, ticking());
    const { apiKey } = await store!.createKey('analyst-1', 'analyst');
    await store!.audit(apiKey, 'explain-cell', ['L1', 'L2', 'L3'], { cell: { z: 1, a: [2, 'x'] }, note: 'é "q"' });
    await store!.audit(apiKey, 'rebuild', [], undefined);
    const entries = await store!.auditEntries({ limit: 10 });
    expect(entries.map((e) => [e.action, e.learnerId])).toEqual([['rebuild', null], ['explain-cell', 'L3'], ['explain-cell', 'L2'], ['explain-cell', 'L1']]);
    expect(entries[0]).toMatchObject({ keyName: 'analyst-1', role: 'analyst', detail: null, at: '2024-03-01T09:00:03.000Z' });
    expect(entries.slice(1).map((e) => e.detail)).toEqual(Array(3).fill('{"cell":{"z":1,"a":[2,"x"]},"note":"é \\"q\\""}'));
    expect(new Set(entries.slice(1).map((e) => e.at))).toEqual(new Set(['2024-03-01T09:00:02.000Z']));
    expect(entries[0]!.id).toBeGreaterThan(entries[1]!.id);
  });

  it('reads the audit log newest first, up to the limit, for one learner when asked', async () => {
    const [store] = await stores(1);
    const { apiKey } = await store!.createKey('analyst-1', 'analyst');
    for (const id of ['L1', 'L2', 'L1', 'L3', 'L1']) await store!.audit(apiKey, 'learner', [id], { id });
    expect((await store!.auditEntries({ limit: 2 })).map((e) => e.learnerId)).toEqual(['L1', 'L3']);
    const forL1 = await store!.auditEntries({ limit: 10, learnerId: 'L1' });
    expect(forL1).toHaveLength(3);
    expect(forL1.every((e) => e.learnerId === 'L1')).toBe(true);
    expect(forL1.map((e) => e.id)).toEqual([...forL1.map((e) => e.id)].sort((x, y) => y - x));
    expect(await store!.auditEntries({ limit: 10, learnerId: 'L9' })).toEqual([]);
  });

  it('two instances on one place (two servers) see each other\'s keys and revocations at once', async () => {
    const [a, b] = await stores(2);
    const made = await a!.createKey('shared', 'analyst');
    expect(await b!.verify(made.key)).toEqual(made.apiKey);
    expect(await b!.listKeys()).toEqual([made.apiKey]);
    expect(await b!.revokeKey(made.apiKey.id)).toBe(true);
    expect(await a!.verify(made.key)).toBeNull();
    expect(await a!.revokeKey(made.apiKey.id)).toBe(false);
    const second = await b!.createKey('second', 'dashboard');
    expect(second.apiKey.id).not.toBe(made.apiKey.id);
    expect(await a!.verify(second.key)).toEqual(second.apiKey);
  });

  it('audit rows from two instances land in one log, in the order written', async () => {
    const [a, b] = await stores(2);
    const ka = (await a!.createKey('server-a', 'analyst')).apiKey;
    const kb = (await b!.createKey('server-b', 'engineer')).apiKey;
    await a!.audit(ka, 'learner', ['L1'], null);
    await b!.audit(kb, 'explain-cell', ['L2', 'L3'], { n: 2 });
    await a!.audit(ka, 'learner', ['L4'], null);
    for (const store of [a!, b!]) {
      expect((await store.auditEntries({ limit: 10 })).map((e) => `${e.keyName}:${e.learnerId}`)).toEqual(['server-a:L4', 'server-b:L3', 'server-b:L2', 'server-a:L1']);
    }
  });
});

describe('where the keys live', () => {
  it('accessLocation: beside the views for a log file, the database itself for a PostgreSQL log', () => {
    expect(accessLocation('/data/log.sqlite', '/data/log.views')).toBe('/data/log.api.sqlite');
    expect(accessLocation('/data/log.sqlite', '/elsewhere/v.views/')).toBe('/elsewhere/v.api.sqlite');
    expect(accessLocation('/data/log.sqlite', '/data/log.views')).toBe(accessPath('/data/log.views'));
    for (const url of ['postgres://u@db:5432/pathways', 'postgresql://u@db/pathways?sslmode=require', 'POSTGRES://u@db/x']) {
      expect(accessLocation(url, '/data/x.views')).toBe(url);
    }
  });

  it('openAccessStore opens a SQLite file for a path', async () => {
    const path = join(tmp, 'opened.api.sqlite');
    const store = await openAccessStore(path);
    try {
      const { key } = await store.createKey('k', 'dashboard');
      expect(existsSync(path)).toBe(true);
      expect(await store.verify(key)).not.toBeNull();
    } finally {
      await store.close();
    }
  });
});

describe('the access store in PostgreSQL', () => {
  if (!pgForTests.available) {
    const { reason } = pgForTests;
    it('needs PostgreSQL', (ctx) => ctx.skip(reason));
    return;
  }
  const db = useThrowawayDatabase(pgForTests);
  const sql = <T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> => queryOnce<T>(db.url(), text, values);

  it('openAccessStore opens the api_access schema of the database a URL names, creating it', async () => {
    for (const url of [db.url(), db.url().replace(/^postgres:/, 'postgresql:')]) {
      const store = await openAccessStore(url);
      try {
        await store.createKey(`via ${url.slice(0, 11)}`, 'dashboard');
      } finally {
        await store.close();
      }
    }
    const tables = await sql<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'api_access' ORDER BY 1`);
    expect(tables.map((t) => t.table_name)).toEqual(['api_keys', 'audit_log']);
    expect((await sql<{ name: string }>('SELECT name FROM api_access.api_keys ORDER BY id')).map((r) => r.name)).toEqual(['via postgres://', 'via postgresql:']);
  });

  it('several servers opening a fresh database at once all get the tables', async () => {
    for (let round = 0; round < 3; round++) {
      const schema = `race_${round}`;
      const stores = await Promise.allSettled(Array.from({ length: 6 }, () => openPostgresAccessStore({ connectionString: db.url(), schema })));
      const failures = stores.flatMap((s) => (s.status === 'rejected' ? [String(s.reason)] : []));
      await Promise.all(stores.map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined)));
      expect(failures, `round ${round}`).toEqual([]);
    }
  });

  it('writes a cell explanation\'s rows all or none', async () => {
    const store = await openPostgresAccessStore({ connectionString: db.url(), schema: 'atomic' });
    try {
      const { apiKey } = await store.createKey('analyst', 'analyst');
      // PostgreSQL text cannot hold NUL: the last row fails, and the ones before it must not stay.
      await expect(store.audit(apiKey, 'explain-cell', ['L1', 'L2', 'L\u00003'], null)).rejects.toThrow();
      expect(await store.auditEntries({ limit: 10 })).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('finds a key by its hash through the unique index', async () => {
    const store = await openPostgresAccessStore({ connectionString: db.url(), schema: 'indexed' });
    await store.close();
    const c = new pg.Client({ connectionString: db.url() });
    await c.connect();
    try {
      // Too few rows for the planner to want an index on its own: forbid the scan so a missing index shows.
      await c.query('SET enable_seqscan = off');
      const plan = (await c.query(`EXPLAIN (FORMAT JSON) SELECT id, name, role, created_at, revoked_at FROM indexed.api_keys WHERE key_hash = $1`, ['x'])).rows[0]['QUERY PLAN'];
      expect(JSON.stringify(plan)).toMatch(/"Index Scan"|"Index Only Scan"|"Bitmap Index Scan"/);
    } finally {
      await c.end();
    }
  });
});
