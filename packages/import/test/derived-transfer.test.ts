/**
 * A derive worker's encoded appends cross to the writer packed into columns:
 * what the writer unpacks must be what the worker encoded, field for field,
 * whatever form each field took.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeEvent, type EncodedStreamAppend } from '@leerroutes/event-store/sqlite';
import { AppendPacker, unpackAppends } from '../src/derived-transfer.js';

const event = fc.record({
  eventId: fc.oneof(fc.uuid(), fc.string({ maxLength: 12 })),
  type: fc.constantFrom('Enrolled', 'AdviceGiven', 'Retracted'),
  schemaVersion: fc.integer({ min: 1, max: 3 }),
  data: fc.oneof(
    // Text beyond Latin-1 (it crosses as two bytes a character), a lone surrogate too, which must come back as it was.
    fc.record({ learnerId: fc.constantFrom('L1', 'L2', 'X'), occurredOn: fc.constantFrom('2016-10-01', 'x'), level: fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('Zoë', '\ud800', '€ 5')) }),
    fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null))),
  ),
  occurredOn: fc.oneof(fc.constantFrom('2016-10-01', '2017-02-29', 'soon'), fc.constant(null)),
  knownAt: fc.option(fc.constantFrom('2023-11-01T00:00:00.000Z', 'later'), { nil: undefined }),
  metadata: fc.option(fc.record({ key: fc.string(), delivery: fc.nat() }), { nil: undefined }),
});

const appends = fc.array(fc.record({
  stream: fc.constantFrom('learner-L1', 'learner-L2', 'other'),
  expectedRevision: fc.oneof(fc.nat(9), fc.constant('no_stream' as const), fc.constant('any' as const)),
  events: fc.array(event, { maxLength: 6 }),
  // An event encoded for another stream keeps saying so, for the appender to refuse.
  encodedFor: fc.constantFrom('own', 'learner-L1', 'none'),
}), { maxLength: 8 }).map((as) => as.map(({ stream, expectedRevision, events, encodedFor }): EncodedStreamAppend => ({
  stream, expectedRevision,
  events: events.map((e) => encodeEvent(e, encodedFor === 'own' ? stream : encodedFor === 'none' ? undefined : encodedFor)),
})));

describe('derived appends across threads', () => {
  it('unpack gives back what was packed, field for field', () => {
    fc.assert(fc.property(appends, (as) => {
      const packer = new AppendPacker();
      for (const a of as) packer.add(a);
      const packed = packer.finish();
      const back = unpackAppends(structuredClone(packed.packed, { transfer: packed.transfer }));
      const plain = (xs: readonly EncodedStreamAppend[]) => xs.map((a) => ({ ...a, events: a.events.map((e) => ({ ...e, eventId: typeof e.eventId === 'string' ? e.eventId : Buffer.from(e.eventId).toString('hex') })) }));
      expect(plain(back)).toEqual(plain(as));
      // Each id is 16 bytes of its own, not a view on more.
      for (const a of back) for (const e of a.events) if (typeof e.eventId !== 'string') expect(e.eventId.byteLength).toBe(16);
    }), { numRuns: 300, seed: 11 });
  });

  it('packs a batch of thousands of events one append at a time, its columns grown as they fill', () => {
    // Past the packer's first capacity several times over, with appends that straddle each growth.
    const as: EncodedStreamAppend[] = Array.from({ length: 700 }, (_, i) => ({
      stream: `learner-L${i}`, expectedRevision: i % 3 === 0 ? 'no_stream' as const : i,
      events: Array.from({ length: 1 + (i % 11) }, (_, k) => encodeEvent({
        eventId: k % 4 === 0 ? `text-${i}-${k}` : `00000000-0000-4000-8000-${String(i * 100 + k).padStart(12, '0')}`, type: k % 2 ? 'Placed' : 'AdviceGiven', schemaVersion: 1 + (k % 2),
        data: { learnerId: `L${i}`, occurredOn: '2016-10-01', n: i * k, text: k === 5 ? 'Zoë €' : 'x' }, occurredOn: k === 3 ? null : '2016-10-01',
        ...(k % 2 ? { knownAt: '2023-11-01T00:00:00.000Z' } : {}), metadata: { key: `k${i}.${k}`, delivery: 1 },
      }, `learner-L${i}`)),
    }));
    const packer = new AppendPacker();
    for (const a of as) packer.add(a);
    const packed = packer.finish();
    expect(packed.packed.type.length).toBe(as.reduce((n, a) => n + a.events.length, 0));
    const back = unpackAppends(structuredClone(packed.packed, { transfer: packed.transfer }));
    const plain = (xs: readonly EncodedStreamAppend[]) => xs.map((a) => ({ ...a, events: a.events.map((e) => ({ ...e, eventId: typeof e.eventId === 'string' ? e.eventId : Buffer.from(e.eventId).toString('hex') })) }));
    expect(plain(back)).toEqual(plain(as));
  });
});
