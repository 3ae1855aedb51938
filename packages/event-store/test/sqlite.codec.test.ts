import Database from 'better-sqlite3';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { beginBody, compileShape, decodeDay, decodeEventId, encodeDay, encodeEvent, encodeEventId, encodeInstant, read } from '../src/sqlite/codec.js';
import { flatten } from '../src/sqlite/codec-v2.js';
import { uuidFromDigest } from '../src/event-id.js';
import type { NewEvent, RecordedEvent } from '../src/port.js';
import { AppendPacker, openSqliteEventStore } from '../src/sqlite/index.js';
import { unpackText } from '@leerroutes/threads/text-transfer';
import { expectRight } from '../test-support/conformance/helpers.js';

/** JSON values as the port's callers hand them over: what JSON.parse(JSON.stringify(x)) keeps. */
const json = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown);

/** Through the encoding and back, as the store reads a row (occurredOn as its column gives it back). */
function roundTrip(e: Parameters<typeof encodeEvent>[0], stream?: string): { data: unknown; metadata: unknown } {
  const enc = encodeEvent(e, stream);
  const shape = compileShape(enc.shape);
  beginBody(enc.body, decodeDay(enc.occurredOn), stream ?? 'other', typeof enc.eventId === 'string' ? `.${enc.eventId}` : Buffer.from(enc.eventId).toString('hex'));
  const data = shape.data(read);
  return { data, metadata: shape.metadata === null ? undefined : shape.metadata(read) };
}

const event = (data: unknown, extra: Partial<Parameters<typeof encodeEvent>[0]> = {}) => ({ eventId: 'e', type: 'T', schemaVersion: 1, data, occurredOn: null, ...extra });

describe('compact payload codec', () => {
  it('rebuilds every JSON payload and metadata exactly, key order included', () => {
    fc.assert(
      fc.property(json, fc.option(fc.dictionary(fc.string(), json), { nil: undefined }), fc.constantFrom(null, '2016-10-01', 'x'), (data, metadata, occurredOn) => {
        const back = roundTrip(event(data, { occurredOn, ...(metadata === undefined ? {} : { metadata: metadata as Record<string, unknown> }) }), 'learner-x');
        expect(JSON.stringify(back.data)).toBe(JSON.stringify(data));
        expect(JSON.stringify(back.metadata)).toBe(JSON.stringify(metadata));
      }),
      { numRuns: 2000, seed: 20261202 },
    );
  });

  it('reads back exactly the texts it packs, and what only looks like them', () => {
    const texts = fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 })).map(([y, m, d]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`),
      // Around the edges of the packed forms: days that do not exist, the ends of the ranges.
      fc.tuple(fc.integer({ min: 1895, max: 2040 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 27, max: 32 })).map(([y, m, d]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`),
      fc.constantFrom('1899-12-31', '1900-01-01', '1989-12-31', '1990-01-01', '2034-11-10', '2034-11-11', '7641-08-01', '1949-1950', '1950-1951', '2077-2078', '2078-2079', '1900-01', '3265-04', '3265-05'),
      fc.integer({ min: 0, max: 9999 }).chain((y) => fc.integer({ min: 0, max: 9999 }).map((z) => `${String(y).padStart(4, '0')}-${String(fc.sample(fc.boolean(), 1)[0] ? y + 1 : z).padStart(4, '0')}`)),
      fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 })).map(([y, m]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`),
      fc.string({ minLength: 7, maxLength: 10 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.constantFrom('\ud800', 'a\udc00b', '\u0000', 'x'.repeat(31), 'x'.repeat(32), 'x'.repeat(200)),
    );
    const numbers = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(63, 64, -1, 2 ** 53 - 1, 2 ** 53, -(2 ** 53) + 1, 1e21, 5e-324));
    fc.assert(
      fc.property(fc.array(fc.oneof(texts, numbers), { maxLength: 8 }), (values) => {
        const data = Object.fromEntries(values.map((v, i) => [`k${i}`, v]));
        expect(JSON.stringify(roundTrip(event(data)).data)).toBe(JSON.stringify(data));
      }),
      { numRuns: 3000, seed: 20261203 },
    );
  });

  it('gives two payloads of the same structure and provenance one shape, and stores what the row holds as a reference', () => {
    const enrolment = (learnerId: string, grade: number, code: string, line: number) =>
      ({ learnerId, occurredOn: '2016-10-01', schoolYear: '2016-2017', source: { system: 'import', file: 'enrollments.csv', line }, enrolment: { referenceDate: '2016-10-01', grade, level: { code, span: { low: 4, high: 4 } } } });
    const a = encodeEvent(event(enrolment('L1', 1, 'havo', 7), { occurredOn: '2016-10-01' }), 'learner-L1');
    const b = encodeEvent(event(enrolment('L2', 3, 'vwo', 9), { occurredOn: '2016-10-01' }), 'learner-L2');
    expect(a.shape).toBe(b.shape);
    // The file and system are constants of the shape; the line is a value.
    expect(JSON.parse(a.shape)[0][3]).toEqual(['source', [['system', 0, 'import'], ['file', 0, 'enrollments.csv'], 'line']]);
    // Learner id and both dates: one character each; the school year two; then line, grade, code and span.
    expect(b.body).toBe('\u006c\u006b\u0069\u0042\u0009\u006b\u0003\u0043vwo\u0004\u0004');
    const other = encodeEvent(event(enrolment('L2', 3, 'vwo', 9), { occurredOn: '2016-10-01' }), 'learner-L1');
    expect(other.shape).toBe(a.shape);
    expect(other.body.length).toBeGreaterThan(b.body.length);
    // A null where an object stood is another shape, not a lossy one.
    const c = encodeEvent(event({ learnerId: 'L3', enrolment: { grade: 1, level: { code: 'vso', span: null } } }));
    expect(c.shape).not.toBe(encodeEvent(event({ learnerId: 'L3', enrolment: { grade: 1, level: { code: 'vso', span: { low: 1, high: 1 } } } })).shape);
  });

  it('stores the digest an id was made from in seven characters, and any other digest as it is', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.integer({ min: 0, max: 19 }), (bytes, flip) => {
        const digest = Buffer.from(bytes);
        const key = digest.toString('base64url');
        const own = encodeEvent(event({}, { eventId: uuidFromDigest(digest), metadata: { key } }));
        expect(own.body).toHaveLength(7);
        expect(roundTrip(event({}, { eventId: uuidFromDigest(digest), metadata: { key } })).metadata).toEqual({ key });
        // A digest of another id, one bit apart: stored as its text.
        const other = Buffer.from(digest);
        other[flip] = other[flip]! ^ (flip === 6 ? 0x01 : flip === 8 ? 0x20 : 0x80);
        const stranger = { eventId: uuidFromDigest(other), metadata: { key } };
        const differs = uuidFromDigest(other) !== uuidFromDigest(digest);
        expect(encodeEvent(event({}, stranger)).body.length).toBe(differs ? 28 : 7);
        expect(roundTrip(event({}, stranger)).metadata).toEqual({ key });
      }),
      { numRuns: 500, seed: 20261204 },
    );
  });

  it('stores a key one character off the digest as text unless it still is the canonical text of a digest of the same id', () => {
    const chars = [...'AZaz09-_', '+', '/', '=', '.', ' ', 'é', '\u{1F600}'.charAt(0), 'Q', 'w', 'g'];
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.nat(26), fc.constantFrom(...chars), (bytes, at, c) => {
        const digest = Buffer.from(bytes);
        const key = digest.toString('base64url');
        const altered = key.slice(0, at) + c + key.slice(at + 1);
        const e = event({}, { eventId: uuidFromDigest(digest), metadata: { key: altered } });
        // Worked out apart from the codec: Buffer's decoding, and the id such bytes would give.
        const decoded = Buffer.from(altered, 'base64url');
        const sameDigestText = /^[A-Za-z0-9_-]{27}$/.test(altered) && decoded.length === 20 && decoded.toString('base64url') === altered;
        const expected = sameDigestText && uuidFromDigest(decoded) === uuidFromDigest(digest);
        expect(encodeEvent(e).body.length === 7).toBe(expected);
        expect(roundTrip(e).metadata).toEqual({ key: altered });
      }),
      { numRuns: 3000, seed: 20261206 },
    );
  });

  it('keeps a __proto__ key an own property, as JSON.parse does', () => {
    const data = JSON.parse('{"__proto__":{"x":1},"a":{"__proto__":2}}') as unknown;
    const back = roundTrip(event(data)).data as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(JSON.stringify(back)).toBe(JSON.stringify(data));
  });

  it('takes exactly the lower-case UUIDs as 16 bytes: a 36-character id with a dash, a digit or a case out of place stays text', () => {
    const near = fc.array(fc.constantFrom(...'0123456789abcdefA-g'), { minLength: 36, maxLength: 36 }).map((cs) => cs.join(''));
    const uuidLike = fc.uuid().chain((u) => fc.tuple(fc.constant(u), fc.nat(35), fc.constantFrom(...'0f-Ag'))).map(([u, i, c]) => u.slice(0, i) + c + u.slice(i + 1));
    fc.assert(fc.property(fc.oneof(near, uuidLike), (id) => {
      const stored = encodeEventId(id);
      expect(typeof stored !== 'string').toBe(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id));
      expect(decodeEventId(stored)).toBe(id);
    }), { numRuns: 2000, seed: 7 });
  });

  it('lays a digest out as a version-5 UUID of its first 16 bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), (digest) => {
      const id = uuidFromDigest(Buffer.from(digest));
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const bytes = Buffer.from(id.replaceAll('-', ''), 'hex');
      const expected = Buffer.from(digest.subarray(0, 16));
      expected[6] = (expected[6]! & 0x0f) | 0x50;
      expected[8] = (expected[8]! & 0x3f) | 0x80;
      expect(bytes.equals(expected)).toBe(true);
    }), { numRuns: 500, seed: 3 });
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
      expect(after.prepare('SELECT MAX(version) AS v FROM schema_version').get()).toEqual({ v: 3 });
      expect(after.prepare('SELECT x FROM ledger_keep').get()).toEqual({ x: 'untouched' });
      after.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('migration from schema version 2', () => {
  // A log written by the code of version 2 (fixtures/make-v2-log.ts), and its events as that code read them.
  const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
  const v2Log = (dir: string): string => {
    const path = join(dir, 'v2.sqlite');
    const raw = new Database(path);
    raw.exec(fixture('v2-log.sql'));
    raw.close();
    return path;
  };
  const tables = (path: string) => {
    const raw = new Database(path, { readonly: true });
    try {
      return raw.prepare("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex%' ORDER BY name").raw(true).all() as [string, string][];
    } finally {
      raw.close();
    }
  };

  it('rewrites a version-2 log into version 3 that reads back the very same events', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leerroutes-v2-'));
    try {
      const path = v2Log(dir);
      const expected = JSON.parse(fixture('v2-log.events.json')) as RecordedEvent[];
      const told: unknown[] = [];
      const store = openSqliteEventStore({ path, onMigrate: (p) => told.push(p) });
      // From nothing to every event, for a user who would otherwise wait minutes with no word.
      expect(told).toEqual([{ from: 2, to: 3, events: 0, total: expected.length }, { from: 2, to: 3, events: expected.length, total: expected.length }]);
      told.length = 0;
      await openSqliteEventStore({ path, onMigrate: (p) => told.push(p) }).close();
      expect(told).toEqual([]);
      const all: RecordedEvent[] = [];
      for await (const batch of store.readAll({ batchSize: 37 })) all.push(...batch);
      expect(JSON.parse(JSON.stringify(all))).toEqual(expected);
      // Key order too, which toEqual does not look at.
      expect(all.map((e) => JSON.stringify(e.data))).toEqual(expected.map((e) => JSON.stringify(e.data)));
      for (const stream of new Set(expected.map((e) => e.stream))) {
        expect(JSON.parse(JSON.stringify(await store.readStream(stream)))).toEqual(expected.filter((e) => e.stream === stream));
      }
      const byType: Record<string, number> = {};
      for (const e of expected) byType[e.type] = (byType[e.type] ?? 0) + 1;
      expect((await store.stats()).byType).toEqual(byType);
      // Ids stay unique per stream through the new index: a retried event is a duplicate.
      const first = expected[0]!;
      expect(expectRight(await store.appendToStream(first.stream, [{ ...first, knownAt: first.knownAt }]))).toMatchObject({ appended: 0, duplicates: 1 });
      // The newest position was erased before the migration and is not handed out again.
      const last = expected[expected.length - 1]!.position;
      expect(expectRight(await store.appendToStream('learner-L1', [{ eventId: 'new', type: 'Placed', schemaVersion: 1, data: {}, occurredOn: null }])).position).toBe(last + 2);
      await store.close();
      const raw = new Database(path, { readonly: true });
      expect(raw.prepare('SELECT MAX(version) AS v FROM schema_version').get()).toEqual({ v: 3 });
      raw.close();
      expect(tables(path).map((t) => t[1])).toEqual(['event_types', 'events', 'events_by_id', 'schema_version', 'shapes', 'sqlite_sequence', 'streams']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves a version-2 log as it was when the migration fails half-way', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leerroutes-v2-'));
    try {
      const path = v2Log(dir);
      const raw = new Database(path);
      // A row whose shape is missing from the dictionary: the rewrite throws when it gets there, after a hundred rows.
      raw.prepare('UPDATE events SET shape_id = 9999 WHERE position = (SELECT MAX(position) FROM events)').run();
      const before = raw.prepare('SELECT * FROM events ORDER BY position').raw(true).all();
      raw.close();
      const schema = tables(path);
      expect(() => openSqliteEventStore({ path })).toThrow();
      expect(tables(path)).toEqual(schema);
      const after = new Database(path, { readonly: true });
      expect(after.prepare('SELECT MAX(version) AS v FROM schema_version').get()).toEqual({ v: 2 });
      expect(after.prepare('SELECT * FROM events ORDER BY position').raw(true).all()).toEqual(before);
      expect(after.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'").get()).toEqual({ seq: 221 });
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

  it('a packer holds in its columns what encodeEvent makes of each event, the body a byte a unit while it can', () => {
    const event = fc.record({
      eventId: fc.oneof(fc.uuid(), fc.string({ maxLength: 12 })),
      type: fc.constantFrom('Enrolled', 'AdviceGiven'),
      schemaVersion: fc.integer({ min: 1, max: 3 }),
      data: fc.oneof(
        fc.record({ learnerId: fc.constantFrom('L1', 'L2'), occurredOn: fc.constantFrom('2016-10-01', 'x'), level: fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('Zoë', '\ud800', '€ 5')) }),
        fc.dictionary(fc.string({ maxLength: 4 }), json),
      ),
      occurredOn: fc.oneof(fc.constantFrom('2016-10-01', '2017-02-29', 'soon'), fc.constant(null)),
      knownAt: fc.option(fc.constantFrom('2023-11-01T00:00:00.000Z', 'later'), { nil: undefined }),
      metadata: fc.option(fc.record({ key: fc.string(), delivery: fc.nat() }), { nil: undefined }),
    }).map((e) => JSON.parse(JSON.stringify(e)) as NewEvent);
    const appends = fc.array(fc.record({ stream: fc.constantFrom('learner-L1', 'learner-L2', 'other'), events: fc.array(event, { maxLength: 5 }) }), { maxLength: 6 });
    fc.assert(fc.property(appends, (as) => {
      const packer = new AppendPacker();
      for (const a of as) packer.add({ ...a, expectedRevision: 'any' });
      const p = packer.finish();
      const bodies = unpackText(p.bodies);
      const wide = as.some((a) => a.events.some((e) => /[^\x00-\xff]/.test(encodeEvent(e, a.stream).body)));
      expect(p.bodies.narrow).toBe(!wide);
      let at = 0;
      for (const a of as) {
        for (const e of a.events) {
          const enc = encodeEvent(e, a.stream);
          const occ = p.occurredText[at]!;
          expect({
            eventId: p.idText[at]! >= 0 ? p.strings[p.idText[at]!] : Buffer.from(p.ids.subarray(at * 16, at * 16 + 16)).toString('hex'),
            type: p.strings[p.type[at]!], schemaVersion: p.schemaVersion[at], shape: p.strings[p.shape[at]!],
            occurredOn: occ === -1 ? p.occurredOn[at] : occ === -2 ? null : p.strings[occ],
            knownAt: p.knownAt[at]! < 0 ? undefined : p.strings[p.knownAt[at]!],
            body: bodies.slice(at === 0 ? 0 : p.bodyEnds[at - 1]!, p.bodyEnds[at]!),
          }).toEqual({
            eventId: typeof enc.eventId === 'string' ? enc.eventId : Buffer.from(enc.eventId).toString('hex'),
            type: enc.type, schemaVersion: enc.schemaVersion, shape: enc.shape, occurredOn: enc.occurredOn, knownAt: enc.knownAt, body: enc.body,
          });
          at++;
        }
      }
      expect(p.type).toHaveLength(at);
    }), { numRuns: 300, seed: 11 });
  });
});
