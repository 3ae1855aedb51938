/**
 * The views stores' own behaviour, in one process on both stores; then the
 * DuckDB store across processes: readers in one process while a writer
 * works in another, two writers, a writer killed mid-session, and
 * superseded generations going away. (PostgreSQL's across connections:
 * postgres-views.test.ts.)
 */
import { mkdirSync, readdirSync, readlinkSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { listGenerations, openDuckDbViews, ViewsDamagedError, ViewsLockedError, type ViewsStore } from '../src/index.js';
import { describeEachViewsBackend, viewsBackends } from './support/backends.js';
import { startChild, type Child } from './support/child.js';
import { tempPath } from './support/tally.js';

let dir: string;
let views: ViewsStore;
const children: Child[] = [];

/** Fills a session from empty with table t holding `xs`. */
async function fill(views: ViewsStore, xs: readonly number[]) {
  const session = await views.writeSession({ from: 'empty' });
  await session.transaction(async ({ db, bulk }) => {
    await db.schema.createTable('t').addColumn('x', 'integer', (c) => c.notNull()).execute();
    await bulk.insert('t', ['x'], xs.map((x) => [x]));
  });
  return session;
}

const count = async (db: Kysely<any>) => (await sql<{ n: number }>`select count(*) as n from t`.execute(db)).rows[0]!.n;

const backends = await viewsBackends();

describeEachViewsBackend(backends, (backend) => {
  let views: ViewsStore;

  beforeEach(async () => {
    views = await backend.open({ recheckMs: 0 });
    expect(await (await fill(views, [1, 2])).publish()).toEqual({ generation: backend.generation(1) });
  });
  afterEach(async () => {
    await views.close();
  });

  it('counts are numbers', async () => {
    expect(await count(views.reader.db)).toBe(2);
  });

  it('a session from empty that fails half-way and is abandoned leaves the published views and no generation behind', async () => {
    const session = await fill(views, [7]);
    await expect(session.transaction(async ({ bulk }) => {
      await bulk.insert('t', ['x'], [[8]]);
      throw new Error('batch failed after writing');
    })).rejects.toThrow('batch failed after writing');
    if (backend.inPlace) {
      // Committed batch by batch: the failed one rolled back alone, and the session could go on.
      expect(await count(session.db)).toBe(1);
    } else {
      // One transaction for the whole session: nothing may build on the failed batch.
      await expect(session.transaction(async ({ bulk }) => bulk.insert('t', ['x'], [[9]]))).rejects.toThrow(/failed earlier/);
      await expect(session.publish()).rejects.toThrow(/nothing to publish/);
    }
    await session.abandon();
    expect(await backend.generations()).toEqual([backend.generation(1)]);
    expect(await count(views.reader.db)).toBe(2);
    expect(await views.reader.published()).toBe(backend.generation(1));
  });

  it('a snapshot sees one published state throughout, while a session writes and publishes', async () => {
    await views.reader.snapshot(async (db) => {
      expect(await count(db)).toBe(2);
      const session = await views.writeSession();
      await session.transaction(({ bulk }) => bulk.insert('t', ['x'], [[3]]));
      await session.publish();
      expect(await count(db)).toBe(2);
    });
    expect(await count(views.reader.db)).toBe(3);
  });

  it('after this process publishes a new generation, every query sees it at once, concurrent ones too', async () => {
    // A reader that would look at the pointer only once a minute by itself.
    const slow = await backend.open({ recheckMs: 60_000 });
    try {
      expect(await count(slow.reader.db)).toBe(2);
      const session = await fill(slow, [1, 2, 3]);
      expect(await session.publish()).toEqual({ generation: backend.generation(2) });
      expect(await Promise.all([1, 2, 3, 4].map(() => count(slow.reader.db)))).toEqual([3, 3, 3, 3]);
      expect(await slow.reader.snapshot((db) => count(db))).toBe(3);
    } finally {
      await slow.close();
    }
  });
});

/** Publishes a first generation with table t holding 1 and 2. */
async function publishFirst(): Promise<void> {
  expect(await (await fill(views, [1, 2])).publish()).toEqual({ generation: 'gen-000001.duckdb' });
}

describe('DuckDB generations across processes', () => {
  beforeEach(async () => {
    dir = tempPath('views');
    views = await openDuckDbViews(dir, { recheckMs: 0 });
    await publishFirst();
  });
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGKILL');
    await views.close();
  });

  it('a reader in another process keeps answering while this process writes, and sees the new generation once published', async () => {
    const reader = startChild(dir, 'read');
    children.push(reader);
    const read = async () => { reader.send('read'); return reader.next(); };
    const before = { n: 2, total: 3, generation: 'gen-000001.duckdb' };
    expect(await read()).toEqual(before);

    const session = await views.writeSession();
    for (let i = 0; i < 3; i++) {
      await session.transaction(({ bulk }) => bulk.insert('t', ['x'], Array.from({ length: 1000 }, () => [10])));
      // Mid-session the other process still reads the published generation, without an error.
      expect(await read()).toEqual(before);
    }
    expect(await session.publish()).toEqual({ generation: 'gen-000002.duckdb' });
    expect(await read()).toEqual({ n: 3002, total: 30003, generation: 'gen-000002.duckdb' });
    // The superseded generation is gone from the directory (the reader had it open; it no longer needs it).
    expect(listGenerations(dir)).toEqual(['gen-000002.duckdb']);
    reader.send('stop');
    expect((await reader.exited).code).toBe(0);
  });

  it('a second writer is told which process holds the lock, and waits for it or gives up at once', async () => {
    const writer = startChild(dir, 'write');
    children.push(writer);
    const { pid } = await writer.next();
    expect(pid).toBe(writer.process.pid);

    const refused = await views.writeSession({ ifLocked: 'fail' }).then(() => null, (err: unknown) => err);
    expect(refused).toBeInstanceOf(ViewsLockedError);
    expect((refused as Error).message).toMatch(new RegExp(`written by the test child \\(pid ${pid}, since .*\\); try again`));

    const told: string[] = [];
    let started = false;
    const waiting = views.writeSession({ onWait: (m) => told.push(m) }).then((s) => { started = true; return s; });
    for (let i = 0; i < 500 && told.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(new RegExp(`written by the test child \\(pid ${pid}, .*\\); waiting for it to finish`));
    expect(told[0]).not.toMatch(/database is locked/i);
    expect(started).toBe(false);

    writer.send('publish');
    expect(await writer.next()).toEqual({ published: 'gen-000002.duckdb' });
    const session = await waiting;
    // The waiting writer starts from what the first one published.
    expect(await count(session.db)).toBe(3);
    await session.abandon();
    expect(told).toHaveLength(1);
  });

  it('a writer killed mid-session leaves the published views readable; the next writer takes the lock and clears its file away', async () => {
    const writer = startChild(dir, 'write');
    children.push(writer);
    await writer.next();
    writer.process.kill('SIGKILL');
    expect((await writer.exited).signal).toBe('SIGKILL');
    // Killed with its copy written to but unpublished.
    expect(listGenerations(dir)).toEqual(['gen-000001.duckdb', 'gen-000002.duckdb']);
    expect(await count(views.reader.db)).toBe(2);
    expect(await views.reader.published()).toBe('gen-000001.duckdb');
    // What DuckDB leaves of a session killed while it spilled a large sort or join to disk.
    mkdirSync(join(dir, 'gen-000002.duckdb.tmp'));
    writeFileSync(join(dir, 'gen-000002.duckdb.tmp', 'duckdb_temp_storage_DEFAULT-0.tmp'), 'spilled');

    const told: string[] = [];
    const session = await views.writeSession({ onWait: (m) => told.push(m) });
    expect(told).toEqual([]);
    expect(listGenerations(dir)).toEqual(['gen-000001.duckdb', 'gen-000003.duckdb']);
    expect(readdirSync(dir)).not.toContain('gen-000002.duckdb.tmp');
    await session.transaction(({ bulk }) => bulk.insert('t', ['x'], [[7]]));
    await session.publish();
    expect(listGenerations(dir)).toEqual(['gen-000003.duckdb']);
    expect(await count(views.reader.db)).toBe(3);
  });
});

/** Generation files this process has open (deleted ones too). */
const openGenerations = (): string[] =>
  readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return /gen-\d+\.duckdb/.test(target) ? [target.replace(/^.*\//, '')] : [];
    } catch {
      return [];
    }
  });

describe('superseded DuckDB generations', () => {
  beforeEach(async () => {
    dir = tempPath('views');
    views = await openDuckDbViews(dir, { recheckMs: 0 });
    await publishFirst();
  });
  afterEach(async () => {
    await views.close();
  });

  it('a reader finishes what it runs on the old generation, then closes it', async () => {
    expect(await count(views.reader.db)).toBe(2);
    await views.reader.snapshot(async (db) => {
      const session = await views.writeSession();
      await session.transaction(({ bulk }) => bulk.insert('t', ['x'], [[3]]));
      await session.publish();
      expect(listGenerations(dir)).toEqual(['gen-000002.duckdb']);
      // Unlinked, still open and still answering.
      expect(await count(db)).toBe(2);
      expect(openGenerations()).toContain('gen-000001.duckdb (deleted)');
    });
    expect(await count(views.reader.db)).toBe(3);
    expect(openGenerations().filter((f) => f.includes('gen-000001'))).toEqual([]);
  });
});

describe('damaged DuckDB views', () => {
  beforeEach(async () => {
    dir = tempPath('views');
    views = await openDuckDbViews(dir, { recheckMs: 0 });
    await publishFirst();
    await views.close();
  });

  const gen1 = () => join(dir, 'gen-000001.duckdb');
  const damages: [string, () => void, RegExp, string[]][] = [
    ['CURRENT names no generation', () => writeFileSync(join(dir, 'CURRENT'), 'garbage\n'), /CURRENT names no generation \('garbage'\)/, ['gen-000001.duckdb']],
    ['the published file is missing', () => rmSync(gen1()), /CURRENT names gen-000001\.duckdb, which is missing/, []],
    ['the published file is cut short', () => truncateSync(gen1(), Math.floor(statSync(gen1()).size / 2)), /gen-000001\.duckdb is damaged/, ['gen-000001.duckdb']],
  ];
  for (const [what, damage, said, left] of damages) {
    it(`${what}: readers and catch-up sessions are told the views cannot be read, and a full rebuild makes them again`, async () => {
      damage();
      views = await openDuckDbViews(dir, { recheckMs: 0 });
      const read = await count(views.reader.db).then(() => null, (e: unknown) => e);
      expect(read).toBeInstanceOf(ViewsDamagedError);
      expect((read as Error).message).toMatch(said);
      // A catch-up starts from the published views: it fails, in the store's words or in DuckDB's, and leaves nothing behind.
      const session = await views.writeSession().then(() => null, (e: unknown) => e as Error);
      expect(session).not.toBeNull();
      expect(session instanceof ViewsDamagedError || /Could not read enough bytes|Corrupt database file/.test(session!.message), session!.message).toBe(true);
      expect(listGenerations(dir)).toEqual(left);
      // A full rebuild reads nothing of them.
      expect(await (await fill(views, [5, 6, 7])).publish()).toEqual({ generation: 'gen-000002.duckdb' });
      expect(await count(views.reader.db)).toBe(3);
      expect(listGenerations(dir)).toEqual(['gen-000002.duckdb']);
      await views.close();
    });
  }
});

describe('a DuckDB writer skips costly compression analysis', () => {
  it('unique text, such as learner ids, is stored without FSST', async () => {
    dir = tempPath('views');
    views = await openDuckDbViews(dir, { recheckMs: 0 });
    try {
      const session = await views.writeSession({ from: 'empty' });
      await session.transaction(async ({ db, bulk }) => {
        await db.schema.createTable('ids').addColumn('learner_id', 'varchar', (c) => c.notNull()).execute();
        // Enough rows to fill a row group, so the segments are compressed as a rebuild's are.
        await bulk.insert('ids', ['learner_id'], Array.from({ length: 130_000 }, (_, i) => [`L${String(i * 7919 % 1_000_003).padStart(9, '0')}`]));
      });
      await session.publish();
      const methods = (await sql<{ compression: string }>`select distinct compression from pragma_storage_info('ids') where segment_type = 'VARCHAR'`.execute(views.reader.db)).rows.map((r) => r.compression);
      expect(methods.length).toBeGreaterThan(0);
      expect(methods).not.toContain('FSST');
    } finally {
      await views.close();
    }
  });
});
