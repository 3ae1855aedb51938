/**
 * The PostgreSQL views store across connections: two stores with pools of
 * their own stand for two processes (the lock is PostgreSQL's, so it cannot
 * tell them apart from processes), backends are terminated to stand for
 * killed ones; and a few tests with a real second process, killed for real.
 */
import pg from 'pg';
import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeWithPostgres, postgresForTests, withApplicationName } from '@leerroutes/event-store/test-support/postgres';
import { dumpViews, listViewTables, ViewsLockedError, type Projection, type ViewsStore, type WriterSession } from '../src/index.js';
import { openPostgresViews } from '../src/postgres/index.js';
import { startChild, type Child } from './support/child.js';

const pgForTests = await postgresForTests();

const count = async (db: Kysely<any>) => (await sql<{ n: number }>`select count(*) as n from t`.execute(db)).rows[0]!.n;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithPostgres('PostgreSQL views across connections', pgForTests, (database) => {
  let n = 0;
  let prefix = '';
  const opened: ViewsStore[] = [];
  const open = async (options: { recheckMs?: number } = {}) => {
    const views = await openPostgresViews({ connectionString: database.url(), schema: prefix, ...options });
    opened.push(views);
    return views;
  };

  async function query<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
    const c = new pg.Client({ connectionString: database.url() });
    await c.connect();
    try {
      return (await c.query<T>(text, values)).rows;
    } finally {
      await c.end();
    }
  }

  const schemas = async () => (await query<{ name: string }>(`SELECT nspname AS name FROM pg_namespace WHERE nspname ~ $1 ORDER BY nspname`, [`^${prefix}_g[0-9]+$`])).map((r) => r.name);

  /** Backends holding a views writer lock (advisory, first key 'LV') in this test's database: advisory locks are listed server-wide, other test files' too. */
  const lockHolders = async () => (await query<{ pid: number }>(
    `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = ${0x4c56} AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  )).map((r) => r.pid);

  async function fill(views: ViewsStore, xs: readonly number[], purpose?: string): Promise<WriterSession> {
    const session = await views.writeSession({ from: 'empty', ...(purpose ? { purpose } : {}) });
    await session.transaction(async ({ db, bulk }) => {
      await db.schema.createTable('t').addColumn('x', 'integer', (c) => c.notNull()).execute();
      await bulk.insert('t', ['x'], xs.map((x) => [x]));
    });
    return session;
  }

  let views: ViewsStore;
  beforeEach(async () => {
    prefix = `c${++n}`;
    views = await open({ recheckMs: 0 });
    await (await fill(views, [1, 2])).publish();
  });
  const children: Child[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGKILL');
    for (const v of opened.splice(0)) await v.close();
  });

  const child = (mode: 'read' | 'write' | 'rebuild'): Child => {
    const c = startChild(`postgres:${prefix}:${database.url()}`, mode);
    children.push(c);
    return c;
  };

  it('a process killed mid-rebuild leaves the published views readable; the next writer gets the lock and sweeps its schema', async () => {
    const rebuilder = child('rebuild');
    expect(await rebuilder.next()).toEqual({ holding: true, pid: rebuilder.process.pid });
    const refused = await views.writeSession({ ifLocked: 'fail' }).then(() => null, (err: unknown) => err);
    expect((refused as Error).message).toMatch(new RegExp(`written by the test child \\(pid ${rebuilder.process.pid}, since .*\\); try again`));
    rebuilder.process.kill('SIGKILL');
    expect((await rebuilder.exited).signal).toBe('SIGKILL');
    // Killed with its schema written to but unpublished.
    expect(await schemas()).toEqual([`${prefix}_g1`, `${prefix}_g2`]);
    expect(await count(views.reader.db)).toBe(2);
    expect(await views.reader.published()).toBe(`${prefix}_g1`);

    // The lock went with the process's connection (a lock that stayed would keep this waiting until the test times out).
    const session = await views.writeSession();
    expect(await schemas()).toEqual([`${prefix}_g1`]);
    await session.transaction(({ bulk }) => bulk.insert('t', ['x'], [[7]]));
    await session.publish();
    expect(await count(views.reader.db)).toBe(3);
  });

  it('a reader in another process sees an in-place session batch by batch, and a rebuild once published', async () => {
    const reader = child('read');
    const read = async () => { reader.send('read'); return reader.next(); };
    expect(await read()).toEqual({ n: 2, total: 3, generation: `${prefix}_g1` });
    const session = await views.writeSession();
    await session.transaction(({ bulk }) => bulk.insert('t', ['x'], Array.from({ length: 1000 }, () => [10])));
    expect(await read()).toEqual({ n: 1002, total: 10003, generation: `${prefix}_g1` });
    await session.publish();
    const rebuild = await fill(views, [5, 6]);
    expect(await read()).toEqual({ n: 1002, total: 10003, generation: `${prefix}_g1` });
    await rebuild.publish();
    expect(await read()).toEqual({ n: 2, total: 11, generation: `${prefix}_g2` });
    reader.send('stop');
    expect((await reader.exited).code).toBe(0);
  });

  it('a second store is refused at once, naming the holder, or waits and is told who it waits for', async () => {
    const other = await open();
    const holding = await other.writeSession({ purpose: 'the other store' });
    const refused = await views.writeSession({ ifLocked: 'fail' }).then(() => null, (err: unknown) => err);
    expect(refused).toBeInstanceOf(ViewsLockedError);
    expect((refused as ViewsLockedError).holder).toMatchObject({ pid: process.pid, purpose: 'the other store' });
    expect((refused as Error).message).toMatch(new RegExp(`written by the other store \\(pid ${process.pid}, since .*\\); try again`));

    const told: string[] = [];
    let started = false;
    const waiting = views.writeSession({ onWait: (m) => told.push(m) }).then((s) => { started = true; return s; });
    for (let i = 0; i < 500 && told.length === 0; i++) await sleep(10);
    expect(told).toEqual([expect.stringMatching(/written by the other store \(pid \d+, since .*\); waiting for it to finish/)]);
    expect(started).toBe(false);

    await holding.transaction(({ bulk }) => bulk.insert('t', ['x'], [[3]]));
    await holding.publish();
    const session = await waiting;
    expect(await count(session.db)).toBe(3);
    await session.abandon();
    expect(told).toHaveLength(1);
  });

  it('a holder whose backend is terminated frees the lock; its fresh schema is swept by the next session', async () => {
    const other = await open();
    const rebuild = await fill(other, [7, 8, 9], 'a rebuild');
    expect(await schemas()).toEqual([`${prefix}_g1`, `${prefix}_g2`]);
    const [holder] = await lockHolders();
    expect(holder).toBeDefined();
    await query('SELECT pg_terminate_backend($1)', [holder]);
    // The killed session can neither write nor publish; the published views are as they were.
    await expect(rebuild.transaction(({ bulk }) => bulk.insert('t', ['x'], [[10]]))).rejects.toThrow();
    expect(await count(views.reader.db)).toBe(2);
    expect(await views.reader.published()).toBe(`${prefix}_g1`);

    // The lock goes with the backend, once it has exited.
    let session: WriterSession | null = null;
    for (let i = 0; i < 100 && !session; i++) {
      session = await views.writeSession({ ifLocked: 'fail' }).catch((err: unknown) => {
        if (!(err instanceof ViewsLockedError)) throw err;
        return null;
      });
      if (!session) await sleep(50);
    }
    expect(session).not.toBeNull();
    expect(await schemas()).toEqual([`${prefix}_g1`]);
    await session!.abandon();
    await rebuild.abandon();
  });

  it('closing a store ends its open session and frees the lock', async () => {
    const other = await open();
    await other.writeSession({ purpose: 'closed soon' });
    expect(await lockHolders()).toHaveLength(1);
    await other.close();
    expect(await lockHolders()).toEqual([]);
    const session = await views.writeSession({ ifLocked: 'fail' });
    await session.abandon();
  });

  it('a reader in another store sees a rebuild once published; one whose pointer is stale re-points when its generation is dropped', async () => {
    const reader = await open();
    const stale = await open({ recheckMs: 60_000 });
    const staleSnapshot = await open({ recheckMs: 60_000 });
    expect(await count(reader.reader.db)).toBe(2);
    expect(await count(stale.reader.db)).toBe(2);
    expect(await count(staleSnapshot.reader.db)).toBe(2);
    expect(await stale.reader.published()).toBe(`${prefix}_g1`);

    const rebuild = await fill(views, [1, 2, 3, 4]);
    expect(await count(reader.reader.db)).toBe(2);
    expect(await rebuild.publish()).toEqual({ generation: `${prefix}_g2` });
    expect(await schemas()).toEqual([`${prefix}_g2`]);

    // Within moments (the reader looks at the pointer at most every 200 ms).
    let seen = 0;
    for (let i = 0; i < 100 && seen !== 4; i++) {
      seen = await count(reader.reader.db);
      if (seen !== 4) await sleep(50);
    }
    expect(seen).toBe(4);
    // The stale one would not look for a minute; its generation is gone, so it looks at once.
    expect(await count(stale.reader.db)).toBe(4);
    // In a snapshot the failed query has spoilt its transaction: the snapshot goes again as a whole.
    expect(await staleSnapshot.reader.snapshot((db) => count(db))).toBe(4);
  });

  it('the drop of a superseded generation waits for a snapshot still reading it', async () => {
    const reader = await open();
    let publishing: Promise<unknown> = Promise.resolve();
    await reader.reader.snapshot(async (db) => {
      expect(await count(db)).toBe(2);
      const rebuild = await fill(views, [5]);
      publishing = rebuild.publish();
      // The pointer switched at once; the drop of the old generation waits for this snapshot's lock on t.
      let waitingDrop = 0;
      for (let i = 0; i < 200 && waitingDrop === 0; i++) {
        waitingDrop = (await query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'DROP SCHEMA%'`)).length;
        if (waitingDrop === 0) await sleep(25);
      }
      expect(waitingDrop).toBe(1);
      expect(await views.reader.published()).toBe(`${prefix}_g2`);
      expect(await count(db)).toBe(2);
    });
    await publishing;
    expect(await schemas()).toEqual([`${prefix}_g2`]);
    expect(await count(reader.reader.db)).toBe(1);
  });

  it('concurrent queries beyond the pool size, each looking at the pointer, all get their answer', async () => {
    const small = await openPostgresViews({ connectionString: database.url(), schema: prefix, recheckMs: 0, maxConnections: 2 });
    opened.push(small);
    expect(await Promise.all(Array.from({ length: 8 }, () => count(small.reader.db)))).toEqual(Array.from({ length: 8 }, () => 2));
  });

  it('a store closed before it read anything leaves no connection open (which kept a process alive for pg\'s idle timeout)', async () => {
    const name = `views-closed-${prefix}`;
    const sessions = async () => (await query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [name]))[0]!.n;
    const quiet = await openPostgresViews({ connectionString: withApplicationName(database.url(), name), schema: prefix });
    expect(await sessions()).toBe(1);
    await quiet.close();
    expect(await sessions()).toBe(0);
  });

  it('bulk insert round-trips text, integers, bigints, booleans and nulls, and a duplicate key fails the transaction', async () => {
    const session = await views.writeSession();
    const rows = [
      ['plain', 1, 2 ** 40, true, 'x'],
      ['quote " comma , brace {} backslash \\ newline \n', -2147483648, -1, false, null],
      ['NULL', 2147483647, 0, null, ''],
      ['', 0, Number.MAX_SAFE_INTEGER, true, 'ünïcødé ✓'],
    ];
    await session.transaction(async ({ db, bulk }) => {
      await db.schema.createTable('typed').addColumn('s', 'text', (c) => c.primaryKey()).addColumn('i', 'integer').addColumn('big', 'bigint')
        .addColumn('b', 'boolean').addColumn('maybe', 'text').execute();
      // Columns in another order than the table's.
      await bulk.insert('typed', ['maybe', 'b', 'big', 'i', 's'], rows.map((r) => [...r].reverse()));
    });
    await expect(session.transaction(({ bulk }) => bulk.insert('typed', ['s', 'i', 'big', 'b', 'maybe'], [['fresh', 1, 1, true, null], ['plain', 1, 1, true, null]])))
      .rejects.toThrow(/duplicate key/);
    await session.publish();
    const back = await views.reader.db.selectFrom('typed').selectAll().orderBy('i').execute();
    expect(back).toEqual([...rows].sort((a, b) => (a[1] as number) - (b[1] as number)).map(([s, i, big, b, maybe]) => ({ s, i, big, b, maybe })));
  });

  it('bulk insert splits many rows into statements and loses none', async () => {
    const session = await fill(views, Array.from({ length: 25_001 }, (_, i) => i));
    await session.publish();
    const { rows } = await sql<{ n: number; total: number; distinct: number }>`select count(*) as n, sum(x) as total, count(distinct x) as distinct from t`.execute(views.reader.db);
    expect(rows[0]).toEqual({ n: 25_001, total: (25_000 * 25_001) / 2, distinct: 25_001 });
  });

  it('dumpViews and listViewTables read only the published generation, not one being rebuilt beside it', async () => {
    const p: Projection = { name: 'p', version: 1, tables: ['t'], createTables: async () => {}, apply: async () => {} };
    const before = await views.reader.snapshot((db) => dumpViews(db, [p]));
    expect(before).toBe('# t (x)\n[1]\n[2]\n');
    const rebuild = await fill(views, [3]);
    await rebuild.transaction(({ db }) => db.schema.createTable('u').addColumn('y', 'integer').execute());
    expect(await listViewTables(views.reader.db)).toEqual(new Set(['t']));
    expect(await views.reader.snapshot((db) => dumpViews(db, [p]))).toBe(before);
    await rebuild.publish();
    expect(await views.reader.snapshot((db) => dumpViews(db, [p]))).toBe('# t (x)\n[3]\n');
  });
});
