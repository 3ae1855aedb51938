import Database from 'better-sqlite3';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileDecoder, decodeDay, decodeEventId, encodeDay, encodeEvent, encodeEventId, encodeInstant, flatten } from '../src/sqlite/codec.js';
import type { NewEvent } from '../src/port.js';
import { openSqliteEventStore } from '../src/sqlite/index.js';
import { expectRight } from '../test-support/conformance/helpers.js';

/** JSON values as the port's callers hand them over: what JSON.parse(JSON.stringify(x)) keeps. */
const json = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown);

describe('compact payload codec', () => {
  it('rebuilds every JSON payload exactly, key order included', () => {
    fc.assert(
      fc.property(json, (data) => {
        const flat = flatten(data);
        const back = flat === null ? data : compileDecoder(flat.skeleton)(JSON.parse(JSON.stringify(flat.values)) as unknown[]);
        expect(JSON.stringify(back)).toBe(JSON.stringify(data));
      }),
      { numRuns: 2000, seed: 20261202 },
    );
  });

  it('gives two payloads of the same structure one skeleton, so its keys are stored once', () => {
    const a = flatten({ learnerId: 'L1', enrolment: { grade: 1, level: { code: 'havo', span: { low: 4, high: 4 } } } })!;
    const b = flatten({ learnerId: 'L2', enrolment: { grade: 3, level: { code: 'vwo', span: { low: 5, high: 5 } } } })!;
    expect(a.skeleton).toBe(b.skeleton);
    expect(b.values).toEqual(['L2', 3, 'vwo', 5, 5]);
    // A null where an object stood is another shape, not a lossy one.
    expect(flatten({ learnerId: 'L3', enrolment: { grade: 1, level: { code: 'vso', span: null } } })!.skeleton).not.toBe(a.skeleton);
  });

  it('stores UUIDs in 16 bytes, days and instants as numbers, and anything else as the text it was', () => {
    fc.assert(fc.property(fc.uuid(), (id) => { expect(decodeEventId(encodeEventId(id))).toBe(id); }), { numRuns: 200, seed: 1 });
    expect(encodeEventId('0a1b2c3d-0000-4000-8000-000000000001')).toHaveLength(16);
    expect(decodeEventId(encodeEventId('not-a-uuid'))).toBe('not-a-uuid');
    expect(decodeEventId(encodeEventId('0A1B2C3D-0000-4000-8000-000000000001'))).toBe('0A1B2C3D-0000-4000-8000-000000000001');
    expect(encodeDay('2016-10-01')).toBe(20161001);
    expect(decodeDay(encodeDay('0999-01-09'))).toBe('0999-01-09');
    expect(decodeDay(encodeDay('2016-10'))).toBe('2016-10');
    expect(encodeInstant('2018-03-01T10:00:01.000Z')).toBe(Date.parse('2018-03-01T10:00:01.000Z'));
    expect(encodeInstant('2018-03-01T10:00:01Z')).toBe('2018-03-01T10:00:01Z');
  });

  it('round-trips any payload, id and time through the store', async () => {
    const store = openSqliteEventStore({ path: ':memory:' });
    const samples = fc.sample(fc.tuple(json, fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 40 }))), { numRuns: 300, seed: 7 });
    const events = samples.map(([data, id], i) => ({ eventId: `${id}-${i}`.replace(/^(.{36}).*-(\d+)$/, (_, u: string, n: string) => (/^[0-9a-f-]{36}$/.test(u) && n === '0' ? u : `${u}-${n}`)), type: 'Sample', schemaVersion: 1, data, occurredOn: i % 3 === 0 ? null : i % 3 === 1 ? '2016-10-01' : 'someday', knownAt: '2017-01-02T03:04:05.006Z' }));
    expectRight(await store.appendToStream('s-1', events));
    const back = await store.readStream('s-1');
    expect(back.map((e) => [e.eventId, JSON.stringify(e.data), e.occurredOn, e.knownAt])).toEqual(events.map((e) => [e.eventId, JSON.stringify(e.data), e.occurredOn, e.knownAt]));
    await store.close();
  });
});

describe('migration from schema version 1', () => {
  it('rewrites a version-1 log into the compact form, keeping positions, counts and never reusing erased positions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leerroutes-es-'));
    const path = join(dir, 'v1.sqlite');
    try {
      const raw = new Database(path);
      raw.exec(`
        CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1);
        CREATE TABLE streams (stream_id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, revision INTEGER NOT NULL);
        CREATE TABLE events (position INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, stream_id INTEGER NOT NULL, revision INTEGER NOT NULL,
          type TEXT NOT NULL, schema_version INTEGER NOT NULL, occurred_on TEXT, recorded_at TEXT NOT NULL, known_at TEXT NOT NULL,
          data TEXT NOT NULL, metadata TEXT, UNIQUE (stream_id, revision), UNIQUE (stream_id, event_id));
        CREATE TABLE event_types (type TEXT PRIMARY KEY, events INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE ledger_keep (x TEXT); INSERT INTO ledger_keep VALUES ('untouched');
        INSERT INTO streams VALUES (1, 'learner-L1', 1);
        INSERT INTO events (position, event_id, stream_id, revision, type, schema_version, occurred_on, recorded_at, known_at, data, metadata) VALUES
          (1, '11111111-1111-5111-8111-111111111111', 1, 0, 'AdviceGiven', 1, '2012-02-01', '2023-11-01T10:00:00.000Z', '2023-11-01T00:00:00.000Z', '{"learnerId":"L1","level":"havo"}', '{"key":"k1","delivery":1}'),
          (2, 'plain-id', 1, 1, 'Placed', 1, '2012-10-01', '2023-11-01T10:00:00.000Z', '2023-11-01T10:00:00.000Z', '{"learnerId":"L1","enrolment":{"grade":1}}', NULL);
        INSERT INTO event_types VALUES ('AdviceGiven', 1), ('Placed', 1);
        INSERT INTO sqlite_sequence (name, seq) SELECT 'events', 5 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'events');
        UPDATE sqlite_sequence SET seq = 5 WHERE name = 'events';
      `);
      raw.close();

      const store = openSqliteEventStore({ path });
      const events = await store.readStream('learner-L1');
      expect(events.map((e) => [e.position, e.eventId, e.type, e.schemaVersion, e.occurredOn, e.knownAt, e.data, e.metadata])).toEqual([
        [1, '11111111-1111-5111-8111-111111111111', 'AdviceGiven', 1, '2012-02-01', '2023-11-01T00:00:00.000Z', { learnerId: 'L1', level: 'havo' }, { key: 'k1', delivery: 1 }],
        [2, 'plain-id', 'Placed', 1, '2012-10-01', '2023-11-01T10:00:00.000Z', { learnerId: 'L1', enrolment: { grade: 1 } }, {}],
      ]);
      expect((await store.stats()).byType).toEqual({ AdviceGiven: 1, Placed: 1 });
      // Positions 3-5 were handed out before (and erased): the next event gets 6.
      expect(expectRight(await store.appendToStream('learner-L2', [{ eventId: 'x', type: 'Placed', schemaVersion: 1, data: {}, occurredOn: null }])).position).toBe(6);
      await store.close();
      const after = new Database(path, { readonly: true });
      expect(after.prepare('SELECT MAX(version) AS v FROM schema_version').get()).toEqual({ v: 2 });
      expect(after.prepare('SELECT x FROM ledger_keep').get()).toEqual({ x: 'untouched' });
      after.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('events encoded beforehand', () => {
  /** The skeleton as it was first written: nested arrays through JSON.stringify. Logs hold that text, so it must not change. */
  const nestedSkeleton = (obj: Record<string, unknown>): unknown[] =>
    Object.keys(obj).filter((k) => obj[k] !== undefined).map((k) => {
      const v = obj[k];
      return v !== null && typeof v === 'object' && !Array.isArray(v) ? [k, nestedSkeleton(v as Record<string, unknown>)] : k;
    });

  it('writes the skeleton text of the nested arrays', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), json).map((d) => JSON.parse(JSON.stringify(d)) as Record<string, unknown>), (data) => {
        expect(flatten(data)!.skeleton).toBe(JSON.stringify(nestedSkeleton(data)));
      }),
      { numRuns: 1000, seed: 20261202 },
    );
  });

  it('appendEncoded writes the very rows append writes, ids handed over as plain byte arrays included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leerroutes-encoded-'));
    try {
      const clock = () => new Date('2024-01-02T03:04:05.678Z');
      const events = (n: number): NewEvent[] => [
        { eventId: '4d1c7f3e-2b7a-5c1e-9f00-0123456789ab', type: 'A', schemaVersion: 1, data: { id: `L${n}`, nested: { x: n, y: [1, 'z'] } }, occurredOn: '2016-10-01', knownAt: '2023-11-01T00:00:00.000Z', metadata: { key: 'k' } },
        { eventId: 'not-a-uuid', type: 'B', schemaVersion: 2, data: [n], occurredOn: null },
        { eventId: '0f1c7f3e-2b7a-5c1e-9f00-0123456789ab', type: 'A', schemaVersion: 1, data: { id: `L${n}` }, occurredOn: 'sometime', knownAt: '2024-01-02T03:04:05.678Z' },
      ];
      const rows = (path: string) => {
        const db = new Database(path, { readonly: true });
        try {
          return db.prepare('SELECT s.name, e.*, sh.skeleton, t.type FROM events e JOIN streams s USING (stream_id) JOIN event_types t USING (type_id) LEFT JOIN shapes sh USING (shape_id) ORDER BY position').all();
        } finally {
          db.close();
        }
      };
      const plain = openSqliteEventStore({ path: join(dir, 'plain.sqlite'), clock });
      const encoded = openSqliteEventStore({ path: join(dir, 'encoded.sqlite'), clock });
      for (const n of [1, 2]) {
        expectRight(plain.writeTransaction((tx) => tx.append([{ stream: `s-${n}`, expectedRevision: 'no_stream', events: events(n) }])));
        const enc = events(n).map(encodeEvent).map((e) => ({ ...e, eventId: typeof e.eventId === 'string' ? e.eventId : new Uint8Array(e.eventId) }));
        expectRight(encoded.writeTransaction((tx) => tx.appendEncoded([{ stream: `s-${n}`, expectedRevision: 'no_stream', events: enc }])));
      }
      // A retried batch is recognised by its ids, encoded or not.
      const again = events(1).map(encodeEvent);
      expectRight(encoded.writeTransaction((tx) => expect(tx.appendEncoded([{ stream: 's-1', expectedRevision: 'no_stream', events: again }])[0]!.appended).toBe(0)));
      expect(encoded.streamRevisions(['s-1', 's-2', 's-3'])).toEqual(new Map([['s-1', 2], ['s-2', 2]]));
      void plain.close();
      void encoded.close();
      expect(rows(join(dir, 'encoded.sqlite'))).toEqual(rows(join(dir, 'plain.sqlite')));
      expect(rows(join(dir, 'plain.sqlite'))).toHaveLength(6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
