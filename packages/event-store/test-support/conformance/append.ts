import { describe, expect, it } from 'vitest';
import { type ConformanceContext, expectLeft, expectRight, newEvent } from './helpers.js';

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
/** Server clocks (EventStoreDB) may drift a little from ours. */
const CLOCK_SLACK_MS = 5_000;

export function appendSuite(ctx: ConformanceContext): void {
  describe('append and read back', () => {
    it('stores every field, sets recordedAt itself and defaults knownAt to it', async () => {
      const store = ctx.store();
      const stream = ctx.stream('fields');
      const stamped = newEvent({
        type: 'LearnerRegistered',
        schemaVersion: 2,
        data: { learnerId: 'L-1', birthMonth: '2004-03', nested: { list: [1, 'two', null] } },
        occurredOn: '2016-08-01',
        knownAt: '2017-01-15T09:30:00.000Z',
        metadata: { source: { file: 'reg-2016.csv', line: 12 } },
      });
      const plain = newEvent({ type: 'Placed', data: { grade: 1 }, occurredOn: null });
      const before = Date.now();
      const result = expectRight(await store.appendToStream(stream, [stamped, plain], { expectedRevision: 'no_stream' }));
      const after = Date.now();

      expect(result).toMatchObject({ stream, revision: 1, appended: 2, duplicates: 0 });
      const events = await store.readStream(stream);
      expect(events).toHaveLength(2);
      const [first, second] = events as [(typeof events)[0], (typeof events)[0]];
      expect(result.position).toBe(second.position);
      expect(second.position).toBeGreaterThan(first.position);

      expect(first).toMatchObject({
        eventId: stamped.eventId,
        type: 'LearnerRegistered',
        schemaVersion: 2,
        stream,
        revision: 0,
        occurredOn: '2016-08-01',
        knownAt: '2017-01-15T09:30:00.000Z',
        data: stamped.data,
        metadata: stamped.metadata,
      });
      expect(second).toMatchObject({ eventId: plain.eventId, type: 'Placed', revision: 1, occurredOn: null, data: { grade: 1 }, metadata: {} });

      for (const e of events) {
        expect(e.recordedAt).toMatch(ISO_TIMESTAMP);
        const t = Date.parse(e.recordedAt);
        expect(t).toBeGreaterThanOrEqual(before - CLOCK_SLACK_MS);
        expect(t).toBeLessThanOrEqual(after + CLOCK_SLACK_MS);
      }
      expect(second.knownAt).toBe(second.recordedAt);
      expect(first.knownAt).not.toBe(first.recordedAt);
    });

    it('reports stream revisions and reads a stream from a revision', async () => {
      const store = ctx.store();
      const stream = ctx.stream('revisions');
      expect(await store.streamRevision(stream)).toBeNull();
      expect(await store.readStream(stream)).toEqual([]);

      const events = Array.from({ length: 5 }, (_, n) => newEvent({ data: { n } }));
      expectRight(await store.appendToStream(stream, events));
      expect(await store.streamRevision(stream)).toBe(4);
      const tail = await store.readStream(stream, { fromRevision: 3 });
      expect(tail.map((e) => e.revision)).toEqual([3, 4]);
      expect(tail.map((e) => e.data)).toEqual([{ n: 3 }, { n: 4 }]);
      expect(await store.headPosition()).toBe(tail[1]!.position);
    });

    it('reports the revisions of many streams at once, leaving out the ones that do not exist', async () => {
      const store = ctx.store();
      const [a, b, missing] = [ctx.stream('many-a'), ctx.stream('many-b'), ctx.stream('many-missing')];
      expect(await store.streamRevisions([a, b, missing])).toEqual(new Map());
      expectRight(await store.appendToStreams([
        { stream: a, expectedRevision: 'no_stream', events: [newEvent(), newEvent(), newEvent()] },
        { stream: b, expectedRevision: 'no_stream', events: [newEvent()] },
      ]));
      const revisions = await store.streamRevisions([missing, b, a, a]);
      expect(revisions).toEqual(new Map([[a, 2], [b, 0]]));
      for (const s of [a, b, missing]) expect(revisions.get(s) ?? null).toBe(await store.streamRevision(s));
      expect(await store.streamRevisions([])).toEqual(new Map());
    });
  });

  describe('expected revision', () => {
    it('no_stream appends only to a stream that does not exist', async () => {
      const store = ctx.store();
      const stream = ctx.stream('no-stream');
      expectRight(await store.appendToStream(stream, [newEvent()], { expectedRevision: 'no_stream' }));
      const err = expectLeft(await store.appendToStream(stream, [newEvent()], { expectedRevision: 'no_stream' }));
      expect(err).toEqual({ kind: 'WrongExpectedRevision', stream, expected: 'no_stream', actual: 0 });
      expect(await store.streamRevision(stream)).toBe(0);
    });

    it('stream_exists refuses a missing stream and appends to an existing one', async () => {
      const store = ctx.store();
      const stream = ctx.stream('exists');
      const err = expectLeft(await store.appendToStream(stream, [newEvent()], { expectedRevision: 'stream_exists' }));
      expect(err).toEqual({ kind: 'WrongExpectedRevision', stream, expected: 'stream_exists', actual: 'no_stream' });
      expect(await store.streamRevision(stream)).toBeNull();

      expectRight(await store.appendToStream(stream, [newEvent()], { expectedRevision: 'no_stream' }));
      const ok = expectRight(await store.appendToStream(stream, [newEvent()], { expectedRevision: 'stream_exists' }));
      expect(ok.revision).toBe(1);
    });

    it('an exact revision must equal the last revision; stale, ahead and missing streams conflict with the actual revision', async () => {
      const store = ctx.store();
      const stream = ctx.stream('exact');
      const missing = expectLeft(await store.appendToStream(stream, [newEvent()], { expectedRevision: 0 }));
      expect(missing).toEqual({ kind: 'WrongExpectedRevision', stream, expected: 0, actual: 'no_stream' });

      expectRight(await store.appendToStream(stream, [newEvent(), newEvent()], { expectedRevision: 'no_stream' }));
      const ok = expectRight(await store.appendToStream(stream, [newEvent()], { expectedRevision: 1 }));
      expect(ok.revision).toBe(2);

      const stale = expectLeft(await store.appendToStream(stream, [newEvent()], { expectedRevision: 1 }));
      expect(stale).toEqual({ kind: 'WrongExpectedRevision', stream, expected: 1, actual: 2 });
      const ahead = expectLeft(await store.appendToStream(stream, [newEvent()], { expectedRevision: 7 }));
      expect(ahead).toMatchObject({ kind: 'WrongExpectedRevision', actual: 2 });
      expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([0, 1, 2]);
    });

    it('any appends whatever the stream holds, and is the default', async () => {
      const store = ctx.store();
      const stream = ctx.stream('any');
      expect(expectRight(await store.appendToStream(stream, [newEvent()], { expectedRevision: 'any' })).revision).toBe(0);
      expect(expectRight(await store.appendToStream(stream, [newEvent()], { expectedRevision: 'any' })).revision).toBe(1);
      expect(expectRight(await store.appendToStream(stream, [newEvent()])).revision).toBe(2);
    });
  });

  describe('idempotency by event id', () => {
    it('stores an id repeated within one call once', async () => {
      const store = ctx.store();
      const stream = ctx.stream('dup-same-call');
      const e = newEvent();
      const other = newEvent();
      const result = expectRight(await store.appendToStream(stream, [e, other, e], { expectedRevision: 'no_stream' }));
      expect(result).toMatchObject({ appended: 2, duplicates: 1, revision: 1 });
      expect((await store.readStream(stream)).map((x) => x.eventId)).toEqual([e.eventId, other.eventId]);
    });

    it('skips ids stored by an earlier call and appends only the new ones', async () => {
      const store = ctx.store();
      const stream = ctx.stream('dup-later-call');
      const a = newEvent();
      const b = newEvent();
      const c = newEvent();
      expectRight(await store.appendToStream(stream, [a, b]));
      const result = expectRight(await store.appendToStream(stream, [b, c, a], { expectedRevision: 1 }));
      expect(result).toMatchObject({ appended: 1, duplicates: 2, revision: 2 });
      expect((await store.readStream(stream)).map((x) => x.eventId)).toEqual([a.eventId, b.eventId, c.eventId]);
    });

    it('a retried append with a now stale expected revision is a successful no-op', async () => {
      const store = ctx.store();
      const stream = ctx.stream('retry');
      const batch = [newEvent(), newEvent()];
      const first = expectRight(await store.appendToStream(stream, batch, { expectedRevision: 'no_stream' }));
      expectRight(await store.appendToStream(stream, [newEvent()], { expectedRevision: 1 }));
      const head = await store.headPosition();

      const retried = expectRight(await store.appendToStream(stream, batch, { expectedRevision: 'no_stream' }));
      expect(retried).toEqual({ stream, revision: 2, position: null, appended: 0, duplicates: 2 });
      expect(first.appended).toBe(2);
      expect(await store.streamRevision(stream)).toBe(2);
      expect(await store.headPosition()).toBe(head);
    });
  });

  describe('appendToStreams', () => {
    it('appends to several streams in one call, one result per append in order', async () => {
      const store = ctx.store();
      const [s1, s2] = [ctx.stream('multi-1'), ctx.stream('multi-2')];
      expectRight(await store.appendToStream(s2, [newEvent()]));
      const results = expectRight(
        await store.appendToStreams([
          { stream: s1, expectedRevision: 'no_stream', events: [newEvent(), newEvent()] },
          { stream: s2, expectedRevision: 0, events: [newEvent()] },
          { stream: s1, expectedRevision: 1, events: [newEvent()] },
        ]),
      );
      expect(results.map((r) => [r.stream, r.revision, r.appended])).toEqual([
        [s1, 1, 2],
        [s2, 1, 1],
        [s1, 2, 1],
      ]);
      expect((await store.readStream(s1)).map((e) => e.revision)).toEqual([0, 1, 2]);
    });

    it('a conflict in any stream keeps nothing of the call', async () => {
      const store = ctx.store();
      const [ok, bad] = [ctx.stream('atomic-ok'), ctx.stream('atomic-bad')];
      expectRight(await store.appendToStream(bad, [newEvent(), newEvent()]));
      const head = await store.headPosition();

      const err = expectLeft(
        await store.appendToStreams([
          { stream: ok, expectedRevision: 'no_stream', events: [newEvent(), newEvent()] },
          { stream: bad, expectedRevision: 0, events: [newEvent()] },
        ]),
      );
      expect(err).toEqual({ kind: 'WrongExpectedRevision', stream: bad, expected: 0, actual: 1 });
      expect(await store.streamRevision(ok)).toBeNull();
      expect(await store.readStream(ok)).toEqual([]);
      expect(await store.streamRevision(bad)).toBe(1);
      expect(await store.headPosition()).toBe(head);
    });
  });
}
