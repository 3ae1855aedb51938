/**
 * Every append reaches the SQLite log packed into columns, and an import's
 * derive worker moves those columns to the writer's thread. What the log
 * then holds must be what was encoded, event for event, read back through
 * the decoder (an oracle apart from the packing): text and 16-byte ids,
 * bodies beyond Latin-1 and lone surrogates, occurredOn as a day, as text or
 * null, knownAt given or not. An id a stream holds already, or was given
 * earlier in the same call, is skipped whichever way it is stored, also
 * when two 16-byte ids share their first bytes.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { NewEvent } from '../src/port.js';
import type { StreamAppend } from '../src/port.js';
import { AppendPacker, openSqliteEventStore, transferOf, type PackedAppends } from '../src/sqlite/index.js';
import { expectRight } from '../test-support/conformance/helpers.js';

/** Ids from a small pool so that repeats are frequent; the first two UUIDs share their first six bytes (and more). */
const ID_POOL = [
  '4d1c7f3e-2b7a-5c1e-9f00-0123456789ab',
  '4d1c7f3e-2b7a-5c1e-9f00-0123456789ac',
  '0f1c7f3e-2b7a-5c1e-9f00-0123456789ab',
  'text-id', 'Ünïcode id', '4D1C7F3E-2B7A-5C1E-9F00-0123456789AB',
];

const newEvent = fc.record({
  eventId: fc.oneof(fc.constantFrom(...ID_POOL), fc.uuid(), fc.string({ maxLength: 6 })),
  type: fc.constantFrom('Enrolled', 'AdviceGiven', 'Retracted'),
  schemaVersion: fc.integer({ min: 1, max: 3 }),
  data: fc.oneof(
    fc.record({ learnerId: fc.constantFrom('L1', 'L2', 'X'), level: fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('Zoë', '\ud800', '€ 5')) }),
    fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null))),
  ),
  occurredOn: fc.oneof(fc.constantFrom('2016-10-01', '2017-02-29', 'soon'), fc.constant(null)),
  knownAt: fc.option(fc.constantFrom('2023-11-01T00:00:00.000Z', 'later', '2024-01-02T03:04:05.678Z'), { nil: undefined }),
  metadata: fc.option(fc.record({ key: fc.string(), delivery: fc.nat() }), { nil: undefined }),
}).map((e) => JSON.parse(JSON.stringify(e)) as NewEvent);

const call = fc.array(fc.record({ stream: fc.constantFrom('learner-L1', 'learner-L2', 'other'), events: fc.array(newEvent, { maxLength: 6 }) }), { maxLength: 6 });

const RECORDED_AT = '2024-01-02T03:04:05.678Z';

/** The appends packed as an import's worker packs them, and moved across a thread boundary as it moves them. */
function packedAcross(appends: readonly StreamAppend[]): PackedAppends {
  const packer = new AppendPacker();
  for (const a of appends) packer.add(a);
  const packed = packer.finish();
  const transfer = transferOf(packed);
  const moved = structuredClone(packed, { transfer });
  // Moved, not copied: the sender's columns are detached.
  expect(transfer.every((b) => b.byteLength === 0)).toBe(true);
  return moved;
}

describe('packed appends', () => {
  it('hold in the log what was encoded, repeats of an id skipped whether stored before or given in the same call', async () => {
    await fc.assert(fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 3 }), async (calls) => {
      const store = openSqliteEventStore({ path: ':memory:', clock: () => new Date(RECORDED_AT) });
      const expected = new Map<string, NewEvent[]>();
      for (const c of calls) {
        const appends = c.map(({ stream, events }): StreamAppend => ({ stream, expectedRevision: 'any', events }));
        const results = expectRight(store.writeTransaction((tx) => tx.appendPacked(packedAcross(appends))));
        c.forEach(({ stream, events }, i) => {
          const held = expected.get(stream) ?? [];
          let appended = 0;
          for (const e of events) {
            if (held.some((h) => h.eventId === e.eventId)) continue;
            held.push(e);
            appended++;
          }
          if (held.length > 0) expected.set(stream, held);
          expect(results[i]).toMatchObject({ stream, appended, duplicates: events.length - appended, revision: held.length === 0 ? 'no_stream' : held.length - 1 });
        });
      }
      for (const [stream, events] of expected) {
        const read = await store.readStream(stream);
        expect(read.map((r) => ({ eventId: r.eventId, type: r.type, schemaVersion: r.schemaVersion, data: r.data, metadata: r.metadata, occurredOn: r.occurredOn, knownAt: r.knownAt })))
          .toEqual(events.map((e) => ({ eventId: e.eventId, type: e.type, schemaVersion: e.schemaVersion, data: e.data, metadata: e.metadata ?? {}, occurredOn: e.occurredOn, knownAt: e.knownAt ?? RECORDED_AT })));
      }
      await store.close();
    }), { numRuns: 200, seed: 20261206 });
  });

  it('packs and appends thousands of events, the columns grown as they fill', async () => {
    // Past the packer's first capacities several times over (bodies of some 200,000 code units), with appends that
    // straddle each growth; the bodies a byte a unit until the last appends bring text beyond Latin-1.
    const text = (i: number, k: number) => (k === 5 && i >= 650 ? 'Zoë €' : `x${'-'.repeat(40)}${i}`);
    const appends: StreamAppend[] = Array.from({ length: 700 }, (_, i) => ({
      stream: `learner-L${i}`, expectedRevision: 'no_stream' as const,
      events: Array.from({ length: 1 + (i % 11) }, (_, k) => ({
        eventId: k % 4 === 0 ? `text-${i}-${k}` : `00000000-0000-4000-8000-${String(i * 100 + k).padStart(12, '0')}`, type: k % 2 ? 'Placed' : 'AdviceGiven', schemaVersion: 1 + (k % 2),
        data: { learnerId: `L${i}`, n: i * k, text: text(i, k) }, occurredOn: k === 3 ? null : '2016-10-01', metadata: { key: `k${i}.${k}` },
      })),
    }));
    const store = openSqliteEventStore({ path: ':memory:' });
    const results = expectRight(store.writeTransaction((tx) => tx.appendPacked(packedAcross(appends))));
    const total = appends.reduce((n, a) => n + a.events.length, 0);
    expect(results.reduce((n, r) => n + r.appended, 0)).toBe(total);
    expect(results.at(-1)!.position).toBe(total);
    const all = [];
    for await (const page of store.readAll()) all.push(...page);
    expect(all).toHaveLength(total);
    all.forEach((e) => {
      const [, i] = /^learner-L(\d+)$/.exec(e.stream)!;
      const k = e.revision;
      expect(e.eventId).toBe(k % 4 === 0 ? `text-${i}-${k}` : `00000000-0000-4000-8000-${String(Number(i) * 100 + k).padStart(12, '0')}`);
      expect(e.data).toEqual({ learnerId: `L${i}`, n: Number(i) * k, text: text(Number(i), k) });
      expect(e.occurredOn).toBe(k === 3 ? null : '2016-10-01');
    });
    await store.close();
  });
});
