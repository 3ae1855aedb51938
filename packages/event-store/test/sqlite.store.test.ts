import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogUnopenableError, openSqliteEventStore, SCHEMA_VERSION } from '../src/sqlite/index.js';
import { expectLeft, expectRight, newEvent } from '../test-support/conformance/helpers.js';

let dir: string | undefined;
function tempPath(): string {
  dir = mkdtempSync(join(tmpdir(), 'leerroutes-es-'));
  return join(dir, 'events.db');
}
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('sqlite event store specifics', () => {
  it('a path SQLite cannot open names the path and why, and creates nothing', () => {
    const file = tempPath();
    const parent = join(file, '..');
    const asDirectory = (() => { try { openSqliteEventStore({ path: parent }); return null; } catch (err) { return err; } })();
    expect(asDirectory).toBeInstanceOf(LogUnopenableError);
    expect((asDirectory as Error).message).toBe(`cannot open the event log at ${parent}: it is a directory (--db names the log's file, for example ./data/pathways.sqlite)`);
    expect((asDirectory as { code?: unknown }).code).toBe('LOG_UNOPENABLE');
    const missing = join(parent, 'not', 'there.sqlite');
    expect(() => openSqliteEventStore({ path: missing })).toThrow(`cannot open the event log at ${missing}: the directory ${join(parent, 'not')} does not exist`);
    expect(existsSync(join(parent, 'not'))).toBe(false);
  });

  it('takes recordedAt from the injected clock, once per append call', async () => {
    let tick = Date.parse('2018-03-01T10:00:00.000Z');
    const store = openSqliteEventStore({ path: ':memory:', clock: () => new Date((tick += 1000)) });
    expectRight(await store.appendToStream('l-1', [newEvent(), newEvent({ knownAt: '2017-10-01T00:00:00.000Z' })]));
    expectRight(await store.appendToStream('l-1', [newEvent()]));
    const [a, b, c] = await store.readStream('l-1');
    expect(a!.recordedAt).toBe('2018-03-01T10:00:01.000Z');
    expect(b!.recordedAt).toBe('2018-03-01T10:00:01.000Z');
    expect(a!.knownAt).toBe(a!.recordedAt);
    expect(b!.knownAt).toBe('2017-10-01T00:00:00.000Z');
    expect(c!.recordedAt).toBe('2018-03-01T10:00:02.000Z');
    await store.close();
  });

  it('reads the very same events without their metadata when asked for none, and with it otherwise', async () => {
    const store = openSqliteEventStore({ path: ':memory:' });
    const withMeta = newEvent({ metadata: { key: 'k', source: { system: 'bron', file: 'a.csv' }, line: 7 }, data: { schoolYear: '2016-2017', n: 3 } });
    expectRight(await store.appendToStreams([{ stream: 'learner-L1', expectedRevision: 'any', events: [withMeta, newEvent()] }]));
    const all = async (opts: { metadata?: boolean }) => { const out = []; for await (const b of store.readAll(opts)) out.push(...b); return out; };
    const full = await all({});
    expect(full[0]!.metadata).toEqual(withMeta.metadata);
    const bare = await all({ metadata: false });
    expect(bare.map((e) => e.metadata)).toEqual([{}, {}]);
    expect(bare).toEqual(full.map((e) => ({ ...e, metadata: {} })));
    // The option is the reader's: the next read still decodes it.
    expect(await all({ metadata: true })).toEqual(full);
    expect((await store.readStream('learner-L1'))[0]!.metadata).toEqual(withMeta.metadata);
    await store.close();
  });

  it('gives each stream of a call the position of its last event, however many statements the call takes', async () => {
    const store = openSqliteEventStore({ path: ':memory:' });
    const before = [newEvent(), newEvent()];
    expectRight(await store.appendToStream('l-old', before));
    // 7, 23, 0 new (all stored already), 13 with a repeat and 1 event: rows that fill several multi-row inserts and a tail.
    const repeated = newEvent();
    const calls = [
      { stream: 'l-a', expectedRevision: 'no_stream' as const, events: Array.from({ length: 7 }, () => newEvent()) },
      { stream: 'l-old', expectedRevision: 1, events: [...before, ...Array.from({ length: 21 }, () => newEvent())] },
      { stream: 'l-b', expectedRevision: 'no_stream' as const, events: [] },
      { stream: 'l-c', expectedRevision: 'any' as const, events: [repeated, ...Array.from({ length: 11 }, () => newEvent()), repeated, newEvent()] },
      { stream: 'l-d', expectedRevision: 'any' as const, events: [newEvent()] },
    ];
    const results = expectRight(await store.appendToStreams(calls));
    expect(results.map((r) => [r.stream, r.appended, r.duplicates])).toEqual([['l-a', 7, 0], ['l-old', 21, 2], ['l-b', 0, 0], ['l-c', 13, 1], ['l-d', 1, 0]]);
    for (const r of results) {
      const stored = await store.readStream(r.stream);
      expect(r.position).toBe(r.appended === 0 ? null : stored[stored.length - 1]!.position);
      expect(r.revision).toBe(stored.length === 0 ? 'no_stream' : stored.length - 1);
      expect(stored.map((e) => e.revision)).toEqual(stored.map((_, i) => i));
    }
    const all: { position: number }[] = [];
    for await (const b of store.readAll({})) all.push(...b);
    expect(all.map((e) => e.position)).toEqual(all.map((_, i) => all[0]!.position + i));
    expect(all).toHaveLength(2 + 7 + 21 + 13 + 1);
    await store.close();
  });

  it('scopes idempotency to the stream, as EventStoreDB does: the same id in another stream is another event', async () => {
    const store = openSqliteEventStore({ path: ':memory:' });
    const e = newEvent();
    expectRight(await store.appendToStream('l-a', [e]));
    expect(expectRight(await store.appendToStream('l-a', [e]))).toMatchObject({ appended: 0, duplicates: 1 });
    const other = expectRight(await store.appendToStream('l-b', [e], { expectedRevision: 'no_stream' }));
    expect(other).toMatchObject({ stream: 'l-b', revision: 0, appended: 1, duplicates: 0 });
    expect((await store.stats()).streams).toBe(2);
    await store.close();
  });

  it('uses the compact versioned schema in WAL mode and keeps data across reopening', async () => {
    const path = tempPath();
    const store = openSqliteEventStore({ path });
    expectRight(await store.appendToStream('l-1', [newEvent({ data: { kept: true } })]));
    await store.close();

    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.prepare('SELECT MAX(version) AS v FROM schema_version').get()).toEqual({ v: SCHEMA_VERSION });
    const columns = (raw.prepare("SELECT name FROM pragma_table_info('events')").all() as { name: string }[]).map((c) => c.name);
    expect(columns).toEqual([
      'position', 'stream_id', 'revision', 'event_id', 'type_id', 'schema_version',
      'occurred_on', 'recorded_at', 'known_at', 'shape_id', 'body',
    ]);
    // The payload's keys live once in `shapes` (beside the metadata's: none given); the row holds only its values, one byte for `true`.
    const stored = raw.prepare('SELECT hex(e.body) AS body, s.skeleton FROM events e JOIN shapes s USING (shape_id)').get() as { body: string; skeleton: string };
    expect(stored).toEqual({ body: '62', skeleton: '[["kept"],0]' });
    raw.close();

    const reopened = openSqliteEventStore({ path });
    expect((await reopened.readStream('l-1'))[0]!.data).toEqual({ kept: true });
    await reopened.close();
  });

  it('tells ids apart that share the first four bytes the id index holds', async () => {
    const store = openSqliteEventStore({ path: ':memory:' });
    const ids = ['0a1b2c3d-0000-4000-8000-000000000001', '0a1b2c3d-ffff-4fff-8fff-ffffffffffff', '0a1b2c3d-0000-4000-8000-000000000002'];
    const ev = (eventId: string) => newEvent({ eventId });
    expect(expectRight(await store.appendToStream('l-1', [ev(ids[0]!), ev(ids[1]!), ev(ids[0]!)]))).toMatchObject({ appended: 2, duplicates: 1 });
    // The stream exists now: the ids are looked up in the log, not in memory.
    expect(expectRight(await store.appendToStream('l-1', [ev(ids[2]!), ev(ids[1]!), ev('0a1b2c3d')]))).toMatchObject({ appended: 2, duplicates: 1 });
    expect((await store.readStream('l-1')).map((e) => e.eventId)).toEqual([ids[0], ids[1], ids[2], '0a1b2c3d']);
    await store.close();
  });

  it('never reuses positions of erased newest events, even after reopening', async () => {
    const path = tempPath();
    const store = openSqliteEventStore({ path });
    expectRight(await store.appendToStream('l-keep', [newEvent()]));
    const erased = expectRight(await store.appendToStream('l-gone', [newEvent(), newEvent()]));
    expect(await store.eraseStream('l-gone')).toBe(2);
    await store.close();

    const reopened = openSqliteEventStore({ path });
    expect(await reopened.headPosition()).toBe(1);
    const next = expectRight(await reopened.appendToStream('l-new', [newEvent()]));
    expect(next.position).toBe(erased.position! + 1);
    await reopened.close();
  });

  it('checks the expected revision of an empty append', async () => {
    const store = openSqliteEventStore({ path: ':memory:' });
    expect(expectLeft(await store.appendToStream('l-1', [], { expectedRevision: 'stream_exists' }))).toMatchObject({ actual: 'no_stream' });
    expectRight(await store.appendToStream('l-1', [newEvent()]));
    expect(expectRight(await store.appendToStream('l-1', [], { expectedRevision: 0 }))).toMatchObject({ revision: 0, appended: 0 });
    await store.close();
  });

  it('lets an erased stream start again from revision 0', async () => {
    const store = openSqliteEventStore({ path: ':memory:' });
    expectRight(await store.appendToStream('l-1', [newEvent(), newEvent()]));
    await store.eraseStream('l-1');
    const again = expectRight(await store.appendToStream('l-1', [newEvent()], { expectedRevision: 'no_stream' }));
    expect(again.revision).toBe(0);
    await store.close();
  });

  it('leaves no bytes of an erased payload in the database files', async () => {
    const path = tempPath();
    // Spaces: text of base64url characters alone would be stored as the bytes it stands for, and not be found as text.
    const marker = 'ZZ ERASE ME 3141592653 ZZ';
    const store = openSqliteEventStore({ path });
    expectRight(await store.appendToStream('l-keep', [newEvent({ data: { note: 'stays' } })]));
    expectRight(await store.appendToStream('l-gone', [newEvent({ data: { note: marker.repeat(20) } })]));
    expectRight(await store.appendToStream('l-keep', [newEvent({ data: { note: 'stays too' } })]));
    const files = () => [path, `${path}-wal`].filter(existsSync).map((f) => readFileSync(f).toString('latin1'));
    expect(files().some((content) => content.includes(marker))).toBe(true);

    await store.eraseStream('l-gone');
    expect(files().some((content) => content.includes(marker))).toBe(false);
    await store.close();
    expect(files().some((content) => content.includes(marker))).toBe(false);
  });

  it('reports StoreUnavailable when another connection keeps the write lock past the busy timeout', async () => {
    const path = tempPath();
    openSqliteEventStore({ path }).close();
    const blocker = new Database(path);
    const store = openSqliteEventStore({ path, busyTimeoutMs: 50 });
    blocker.exec('BEGIN IMMEDIATE');
    try {
      const err = expectLeft(await store.appendToStream('l-1', [newEvent()]));
      expect(err.kind).toBe('StoreUnavailable');
    } finally {
      blocker.exec('ROLLBACK');
      blocker.close();
    }
    expectRight(await store.appendToStream('l-1', [newEvent()]));
    await store.close();
  });

  it('refuses a database written by a newer schema version', async () => {
    const path = tempPath();
    await openSqliteEventStore({ path }).close();
    const raw = new Database(path);
    raw.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION + 1);
    raw.close();
    expect(() => openSqliteEventStore({ path })).toThrow(/newer/);
  });

  it('close() stops running subscriptions', async () => {
    const store = openSqliteEventStore({ path: ':memory:' });
    const sub = store.subscribeToAll(() => undefined, { pollIntervalMs: 10 });
    await sub.caughtUp();
    await store.close();
    await expect(sub.done).resolves.toBeUndefined();
  });
});
