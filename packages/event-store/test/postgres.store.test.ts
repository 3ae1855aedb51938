import pg from 'pg';
import { expect, it } from 'vitest';
import type { RecordedEvent } from '../src/port.js';
import { openPostgresEventStore, PostgresLockedError, PostgresUnreachableError, SCHEMA_VERSION } from '../src/postgres/index.js';
import { expectLeft, expectRight, newEvent, readAllAfter, waitFor, waitUntil } from '../test-support/conformance/helpers.js';
import { describeWithPostgres, postgresForTests, queryOnce, withApplicationName } from '../test-support/postgres.js';

const pgForTests = await postgresForTests();

describeWithPostgres('PostgreSQL event store specifics', pgForTests, (db) => {
  let n = 0;
  const freshSchema = () => `specifics_${++n}`;
  const open = (schema: string, extra: { clock?: () => Date; lockTimeoutMs?: number } = {}) =>
    openPostgresEventStore({ connectionString: db.url(), schema, ...extra });

  const sql = <T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> => queryOnce<T>(db.url(), text, values);

  it('takes recordedAt from the injected clock, once per append call', async () => {
    let tick = Date.parse('2018-03-01T10:00:00.000Z');
    const store = await open(freshSchema(), { clock: () => new Date((tick += 1000)) });
    try {
      expectRight(await store.appendToStream('l-1', [newEvent(), newEvent({ knownAt: '2017-10-01T00:00:00.000Z' })]));
      expectRight(await store.appendToStream('l-1', [newEvent()]));
      const [a, b, c] = await store.readStream('l-1');
      expect([a!.recordedAt, b!.recordedAt, c!.recordedAt]).toEqual(['2018-03-01T10:00:01.000Z', '2018-03-01T10:00:01.000Z', '2018-03-01T10:00:02.000Z']);
      expect(a!.knownAt).toBe(a!.recordedAt);
      expect(b!.knownAt).toBe('2017-10-01T00:00:00.000Z');
    } finally {
      await store.close();
    }
  });

  it('without a clock, recordedAt comes from the database server and follows position order', async () => {
    const store = await open(freshSchema());
    try {
      for (let i = 0; i < 5; i++) expectRight(await store.appendToStream(`l-${i}`, [newEvent()]));
      const [{ now }] = (await sql<{ now: Date }>('SELECT now()')) as [{ now: Date }];
      const events = (await Promise.all([0, 1, 2, 3, 4].map((i) => store.readStream(`l-${i}`)))).flat();
      const times = events.map((e) => Date.parse(e.recordedAt));
      expect(times).toEqual([...times].sort((x, y) => x - y));
      expect(times[4]!).toBeLessThanOrEqual(now.getTime());
    } finally {
      await store.close();
    }
  });

  it('runs its statements without JIT compilation, keeping the startup options the URL gives', async () => {
    const url = new URL(db.url());
    url.searchParams.set('options', '-c statement_timeout=12345');
    const store = await openPostgresEventStore({ connectionString: url.toString(), schema: freshSchema() });
    try {
      const setting = async (name: string) => (await store.query<{ v: string }>(`SELECT current_setting('${name}') AS v`)).rows[0]!.v;
      expect(await setting('jit')).toBe('off');
      expect(await setting('statement_timeout')).toBe('12345ms');
    } finally {
      await store.close();
    }
  });

  it('returns positions, revisions and counts as numbers and payloads as parsed JSON', async () => {
    const store = await open(freshSchema());
    try {
      // Payloads travel as elements of a text array: quotes, backslashes, braces, commas and a literal NULL must survive that.
      const data = { text: 'Gróningen – ĳ 🎓 "q", {b} \\ \\" NULL', n: 12.5, big: 2 ** 40, list: [1, null, { deep: [true, false] }], empty: {}, nul: 'NULL' };
      const r = expectRight(await store.appendToStream('l-1', [newEvent({ data, metadata: { by: 'test' } })]));
      expect(typeof r.position).toBe('number');
      const [e] = await store.readStream('l-1');
      expect(e).toMatchObject({ position: r.position, revision: 0, schemaVersion: 1, data, metadata: { by: 'test' } });
      expect(typeof e!.position).toBe('number');
      const stats = await store.stats();
      expect([typeof stats.events, typeof stats.streams, typeof stats.lastPosition]).toEqual(['number', 'number', 'number']);
      expect(await store.headPosition()).toBe(r.position);
    } finally {
      await store.close();
    }
  });

  it('gives payloads back exactly as given: key order, and strings jsonb would refuse', async () => {
    const store = await open(freshSchema());
    try {
      // Key order matters to anything that prints or hashes a payload; the SQLite store keeps it too.
      const data = { zeta: 1, alpha: { long_key_first: true, b: 2 }, nul: 'a\u0000b', mid: [3, { y: 1, x: 2 }] };
      expectRight(await store.appendToStream('l-1', [newEvent({ data, metadata: { z: 1, a: 2 } })]));
      const [e] = await store.readStream('l-1');
      expect(JSON.stringify(e!.data)).toBe(JSON.stringify(data));
      expect(JSON.stringify(e!.metadata)).toBe(JSON.stringify({ z: 1, a: 2 }));
    } finally {
      await store.close();
    }
  });

  it('appends thousands of events over hundreds of streams in one call, as the importer does', async () => {
    const store = await open(freshSchema());
    try {
      const appends = Array.from({ length: 300 }, (_, i) => ({
        stream: `learner-${i}`,
        expectedRevision: 'no_stream' as const,
        events: Array.from({ length: 10 }, (_, k) => newEvent({ type: `T${k % 3}`, data: { i, k } })),
      }));
      const results = expectRight(await store.appendToStreams(appends));
      expect(results.map((r) => r.position)).toEqual(appends.map((_, i) => (i + 1) * 10));
      const all = (await readAllAfter(store, 0, 1000)).flat();
      expect(all.map((e) => e.eventId)).toEqual(appends.flatMap((a) => a.events.map((e) => e.eventId)));
      expect(all.map((e) => e.position)).toEqual(all.map((_, i) => i + 1));
      expect((await store.stats()).byType).toEqual({ T0: 1200, T1: 900, T2: 900 });
    } finally {
      await store.close();
    }
  });

  it('scopes idempotency to the stream, as EventStoreDB does: the same id in another stream is another event', async () => {
    const store = await open(freshSchema());
    try {
      const e = newEvent();
      expectRight(await store.appendToStream('l-a', [e]));
      expect(expectRight(await store.appendToStream('l-a', [e]))).toMatchObject({ appended: 0, duplicates: 1, position: null });
      expect(expectRight(await store.appendToStream('l-b', [e], { expectedRevision: 'no_stream' }))).toMatchObject({ revision: 0, appended: 1 });
      expect((await store.stats()).streams).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('checks the expected revision of an empty append and lets an erased stream start again from revision 0', async () => {
    const store = await open(freshSchema());
    try {
      expect(expectLeft(await store.appendToStream('l-1', [], { expectedRevision: 'stream_exists' }))).toMatchObject({ actual: 'no_stream' });
      expect(expectRight(await store.appendToStream('l-1', [], { expectedRevision: 'no_stream' }))).toMatchObject({ revision: 'no_stream', position: null });
      expect(await store.streamRevision('l-1')).toBeNull();
      expectRight(await store.appendToStream('l-1', [newEvent(), newEvent()]));
      await store.eraseStream('l-1');
      expect(expectRight(await store.appendToStream('l-1', [newEvent()], { expectedRevision: 'no_stream' })).revision).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('keeps each schema a log of its own, and refuses schema names it would have to quote', async () => {
    const [s1, s2] = [freshSchema(), freshSchema()];
    const [a, b] = [await open(s1), await open(s2)];
    try {
      expect(expectRight(await a.appendToStream('l-1', [newEvent(), newEvent()])).position).toBe(2);
      expect(expectRight(await b.appendToStream('l-1', [newEvent()])).position).toBe(1);
      expect((await a.readStream('l-1')).length).toBe(2);
      const tables = await sql<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1', [s1]);
      expect(tables.map((t) => t.table_name)).toEqual(['event_types', 'events', 'log_head', 'schema_version', 'streams']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    await expect(openPostgresEventStore({ connectionString: db.url(), schema: 'x; DROP TABLE y' })).rejects.toThrow(/invalid schema name/);
    await expect(openPostgresEventStore({ connectionString: db.url(), schema: 'Events' })).rejects.toThrow(/invalid schema name/);
  });

  it('creates its tables once when several stores open a fresh schema at the same moment', async () => {
    const schema = freshSchema();
    const stores = await Promise.all(Array.from({ length: 4 }, () => open(schema)));
    try {
      expect(await sql('SELECT version FROM ' + schema + '.schema_version')).toEqual([{ version: SCHEMA_VERSION }]);
      await Promise.all(stores.map((s, i) => s.appendToStream(`l-${i}`, [newEvent()])));
      expect((await stores[0]!.stats()).events).toBe(4);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('refuses a schema written by a newer version', async () => {
    const schema = freshSchema();
    await (await open(schema)).close();
    await sql(`INSERT INTO ${schema}.schema_version (version) VALUES ($1)`, [SCHEMA_VERSION + 1]);
    await expect(open(schema)).rejects.toThrow(/newer/);
    // The refused store's pool is ended (openPool): no session of it stays open.
    const app = `refused-${schema}`;
    await expect(openPostgresEventStore({ connectionString: withApplicationName(db.url(), app), schema })).rejects.toThrow(/newer/);
    const left = await queryOnce<{ n: string }>(db.url(), 'SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1', [app]);
    expect(Number(left[0]!.n)).toBe(0);
  });

  it('never reuses positions of erased newest events, even after reopening, and erased rows are gone from the tables', async () => {
    const schema = freshSchema();
    const store = await open(schema);
    const marker = 'ZZ-ERASE-ME-3141592653-ZZ';
    expectRight(await store.appendToStream('l-keep', [newEvent()]));
    const erased = expectRight(await store.appendToStream('l-gone', [newEvent({ data: { note: marker } }), newEvent()]));
    expect(await store.eraseStream('l-gone')).toBe(2);
    await store.close();
    expect(await sql(`SELECT position FROM ${schema}.events WHERE data::text LIKE $1`, [`%${marker}%`])).toEqual([]);
    expect(await sql(`SELECT name FROM ${schema}.streams WHERE name = 'l-gone'`)).toEqual([]);

    const reopened = await open(schema);
    try {
      expect(await reopened.headPosition()).toBe(1);
      expect(expectRight(await reopened.appendToStream('l-new', [newEvent()])).position).toBe(erased.position! + 1);
    } finally {
      await reopened.close();
    }
  });

  it('keeps a category to names that start with it and a dash, whatever the database collation', async () => {
    const store = await open(freshSchema());
    try {
      for (const name of ['learner-1', 'learner.x', 'learner_y', 'learners-2', 'Learner-3', 'learner', 'learner-2', 'learner--3']) {
        expectRight(await store.appendToStream(name, [newEvent()]));
      }
      const names: string[] = [];
      for await (const batch of store.readStreams({ category: 'learner', batchSize: 2 })) names.push(...batch.map((s) => s[0]!.stream));
      expect(names.sort()).toEqual(['learner--3', 'learner-1', 'learner-2']);
      expect((await store.stats()).streamsByCategory).toMatchObject({ learner: 4, 'learner.x': 1, learner_y: 1, learners: 1, Learner: 1 });
    } finally {
      await store.close();
    }
  });

  it('reports StoreUnavailable when another session keeps the append lock past the lock timeout', async () => {
    const schema = freshSchema();
    const store = await open(schema, { lockTimeoutMs: 50 });
    const blocker = new pg.Client({ connectionString: db.url() });
    await blocker.connect();
    try {
      await blocker.query(`SELECT pg_advisory_lock(${0x4c52}, hashtext($1))`, [schema]);
      const err = expectLeft(await store.appendToStream('l-1', [newEvent()]));
      expect(err.kind).toBe('StoreUnavailable');
      expect(await store.streamRevision('l-1')).toBeNull();
      await blocker.query(`SELECT pg_advisory_unlock(${0x4c52}, hashtext($1))`, [schema]);
      expectRight(await store.appendToStream('l-1', [newEvent()]));
    } finally {
      await blocker.end();
      await store.close();
    }
  });

  it('wakes a subscription through NOTIFY, also after its listening connection was killed', async () => {
    const schema = freshSchema();
    const store = await open(schema);
    const writer = await open(schema);
    try {
      const received: RecordedEvent[] = [];
      // Polling once an hour: anything delivered within the test came through LISTEN/NOTIFY.
      const sub = store.subscribeToAll((b) => void received.push(...b), { pollIntervalMs: 3_600_000 });
      await sub.caughtUp();
      const listeners = async () =>
        (await sql<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = $1`, [`LISTEN ${schema}_appended`])).map(
          (r) => r.pid,
        );
      let first: number[] = [];
      await waitUntil(async () => (first = await listeners()).length > 0, 'the subscription listening');
      expect(first).toHaveLength(1);

      expectRight(await writer.appendToStream('l-1', [newEvent()]));
      await waitFor(() => received.length === 1);

      await sql('SELECT pg_terminate_backend($1)', [first[0]]);
      // The killed backend may linger in pg_stat_activity for a moment: wait for exactly one listener, a new one.
      await waitUntil(async () => {
        const again = await listeners();
        return again.length === 1 && again[0] !== first[0];
      }, 'listening again');
      expectRight(await writer.appendToStream('l-2', [newEvent()]));
      await waitFor(() => received.length === 2);
      expect(received.map((e) => e.stream)).toEqual(['l-1', 'l-2']);
      await sub.stop();
    } finally {
      await Promise.all([store.close(), writer.close()]);
    }
  });

  it('writeTransaction commits appends and the caller\'s own rows together, and a conflict or a throw keeps neither', async () => {
    const schema = freshSchema();
    const store = await open(schema);
    try {
      await sql(`CREATE TABLE ${schema}.side (n int)`);
      const ok = expectRight(await store.writeTransaction(async (tx) => {
        const r = await tx.append([{ stream: 'l-1', expectedRevision: 'no_stream', events: [newEvent(), newEvent()] }]);
        await tx.query(`INSERT INTO ${schema}.side VALUES (1)`);
        // A retry of the same ids in the same transaction is a duplicate, as appendToStreams' is.
        const again = await tx.append([{ stream: 'l-1', expectedRevision: 'any', events: (await store.readStream('l-1')).map((e) => ({ ...newEvent(), eventId: e.eventId })) }]);
        return [r[0]!.appended, again[0]!.appended];
      }));
      expect(ok).toEqual([2, 0]);
      const conflict = expectLeft(await store.writeTransaction(async (tx) => {
        await tx.query(`INSERT INTO ${schema}.side VALUES (2)`);
        await tx.append([{ stream: 'l-2', expectedRevision: 'no_stream', events: [newEvent()] }]);
        return tx.append([{ stream: 'l-1', expectedRevision: 0, events: [newEvent()] }]);
      }));
      expect(conflict).toMatchObject({ kind: 'WrongExpectedRevision', stream: 'l-1', expected: 0, actual: 1 });
      await expect(store.writeTransaction(async (tx) => {
        await tx.query(`INSERT INTO ${schema}.side VALUES (3)`);
        await tx.append([{ stream: 'l-3', expectedRevision: 'any', events: [newEvent()] }]);
        throw new Error('caller gave up');
      })).rejects.toThrow('caller gave up');
      expect((await sql<{ n: number }>(`SELECT n FROM ${schema}.side ORDER BY n`)).map((r) => r.n)).toEqual([1]);
      expect([...(await store.streamRevisions(['l-1', 'l-2', 'l-3']))]).toEqual([['l-1', 1]]);
      expect(await store.headPosition()).toBe(2);
      const named = await store.readStreamsNamed(['l-1', 'l-9']);
      expect([...named.keys()]).toEqual(['l-1']);
      expect(named.get('l-1')!.map((e) => e.revision)).toEqual([0, 1]);
      // An erasure inside the transaction goes or stays with the rest of it.
      await expect(store.writeTransaction(async (tx) => {
        expect(await tx.eraseStream('l-1')).toBe(2);
        throw new Error('changed its mind');
      })).rejects.toThrow('changed its mind');
      expect(await store.streamRevision('l-1')).toBe(1);
      expect(expectRight(await store.writeTransaction(async (tx) => [await tx.eraseStream('l-1'), await tx.eraseStream('l-9')]))).toEqual([2, 0]);
      expect(await store.readStream('l-1')).toEqual([]);
      expect((await store.stats()).events).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('acquireLock lets one holder at a time have a named lock, naming the holder to the one refused, and frees it with the session', async () => {
    const schema = freshSchema();
    const [a, b] = [await open(schema), await open(schema)];
    try {
      const release = await a.acquireLock('import', 'import');
      const refused = b.acquireLock('import', 'import');
      await expect(refused).rejects.toThrow(PostgresLockedError);
      await expect(b.acquireLock('import', 'erase')).rejects.toThrow(new RegExp(`another erase is running on this log \\(leerroutes import, pid ${process.pid}`));
      // Another name, or the same name on another log, is another lock.
      await (await b.acquireLock('other', 'x'))();
      const elsewhere = await open(freshSchema());
      await (await elsewhere.acquireLock('import', 'import'))();
      await elsewhere.close();
      await release();
      const again = await b.acquireLock('import', 'import');
      // A holder whose session ends (a killed process) loses the lock with it.
      await sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'leerroutes import%' AND pid <> pg_backend_pid()");
      await waitUntil(async () => (await a.acquireLock('import', 'import').then((r) => r().then(() => true), () => false)), 'the lock freed with its session');
      await again();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('a first connection that fails says where and what to check, without the password, and creates nothing', async () => {
    const url = new URL(db.url());
    const opening = (change: (u: URL) => void) => {
      const u = new URL(url);
      u.password = 'secret';
      change(u);
      return openPostgresEventStore({ connectionString: u.toString(), schema: 'never_made' }).then(() => null, (err: unknown) => err);
    };
    const noDatabase = await opening((u) => { u.pathname = '/leerroutes_no_such_database'; });
    expect(noDatabase).toBeInstanceOf(PostgresUnreachableError);
    expect((noDatabase as Error).message).toMatch(/^cannot connect to PostgreSQL at postgres(ql)?:\/\/[^ ]*:\*\*\*@[^ ]*\/leerroutes_no_such_database: database "leerroutes_no_such_database" does not exist; create the database/);
    const noRole = await opening((u) => { u.username = 'leerroutes_no_such_role'; });
    expect((noRole as Error).message).toMatch(/role "leerroutes_no_such_role" does not exist; give a user the server accepts/);
    const closedPort = await opening((u) => { u.port = '1'; });
    expect((closedPort as Error).message).toMatch(/:1\/[^ ]*: connect ECONNREFUSED .*; is the server running/);
    for (const err of [noDatabase, noRole, closedPort]) {
      expect((err as { code?: unknown }).code).toBe('PG_UNREACHABLE');
      expect((err as Error).message).not.toContain('secret');
    }
    expect(await sql("SELECT 1 FROM pg_namespace WHERE nspname = 'never_made'")).toEqual([]);
  });

  it('close() stops running subscriptions and ends every connection it opened', async () => {
    const store = await openPostgresEventStore({ connectionString: withApplicationName(db.url(), 'closing-store'), schema: freshSchema() });
    // Polling once an hour: close() has to interrupt the sleep, not wait it out.
    const sub = store.subscribeToAll(() => undefined, { pollIntervalMs: 3_600_000 });
    await sub.caughtUp();
    expectRight(await store.appendToStream('l-1', [newEvent()]));
    await store.close();
    await expect(sub.done).resolves.toBeUndefined();
    // A backend leaves pg_stat_activity a moment after its client hung up, so "none" is waited for; a connection left open never goes.
    const remaining = async () => (await sql<{ n: number }>("SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE application_name = 'closing-store'"))[0]!.n;
    await waitUntil(async () => (await remaining()) === 0, 'every connection of the closed store gone');
  });
});
