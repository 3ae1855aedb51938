import { describe, expect, it } from 'vitest';
import type { NewEvent, RecordedEvent } from '../../src/port.js';
import { type ConformanceContext, expectRight, newEvent } from './helpers.js';

const STREAMS = 23;

export function readStreamsSuite(ctx: ConformanceContext): void {
  describe('readStreams', () => {
    /** Streams of different lengths appended round by round, so their events interleave in the global order, plus one of another category. */
    async function interleaved(): Promise<{ byStream: Map<string, NewEvent[]>; other: string }> {
      const store = ctx.store();
      const byStream = new Map<string, NewEvent[]>();
      const other = `other${ctx.stream('x').slice('learner'.length)}`;
      for (let round = 0; round < 5; round++) {
        for (let s = 0; s < STREAMS; s++) {
          if (round > s % 5) continue;
          const stream = ctx.stream(`rs-${s}`);
          const event = newEvent({ type: `Round${round}`, data: { round, s } });
          byStream.set(stream, [...(byStream.get(stream) ?? []), event]);
          expectRight(await store.appendToStream(stream, [event]));
          if (s === 3) expectRight(await store.appendToStream(other, [newEvent({ data: { round } })]));
        }
      }
      return { byStream, other };
    }

    /** Only this run's streams: a shared server holds other runs' learner streams too. */
    async function readOwn(options: { batchSize?: number; until?: number } = {}): Promise<{ batches: RecordedEvent[][][]; streams: RecordedEvent[][] }> {
      const own = ctx.stream('rs-');
      const batches: RecordedEvent[][][] = [];
      for await (const batch of ctx.store().readStreams({ category: 'learner', ...options })) batches.push(batch);
      return { batches, streams: batches.flat().filter((s) => s[0]!.stream.startsWith(own)) };
    }

    it('gives every stream of the category whole, in revision order, in batches of streams', async () => {
      const { byStream, other } = await interleaved();
      const { batches, streams } = await readOwn({ batchSize: 4 });
      for (const b of batches) {
        expect(b.length).toBeLessThanOrEqual(4);
        for (const s of b) expect(s.length).toBeGreaterThan(0);
      }
      expect(streams.flat().some((e) => e.stream === other)).toBe(false);
      // Each stream comes once, with all its events together.
      expect(new Set(streams.map((s) => s[0]!.stream)).size).toBe(streams.length);
      expect(new Map(streams.map((s) => [s[0]!.stream, s.map((e) => e.eventId)]))).toEqual(
        new Map([...byStream].map(([name, events]) => [name, events.map((e) => e.eventId)])),
      );
      for (const s of streams) {
        expect(s.map((e) => e.revision)).toEqual(s.map((_, i) => i));
        for (const e of s) expect(e.stream).toBe(s[0]!.stream);
      }
    });

    it('until leaves out later events and streams with nothing before it', async () => {
      const { byStream } = await interleaved();
      const all = (await readOwn()).streams.flat().sort((a, b) => a.position - b.position);
      // In the first round: only the first streams exist by then.
      const cut = all[9]!.position;
      const { streams } = await readOwn({ until: cut, batchSize: 5 });
      const expected = new Map<string, string[]>();
      for (const e of all) if (e.position <= cut) expected.set(e.stream, [...(expected.get(e.stream) ?? []), e.eventId]);
      expect(new Map(streams.map((s) => [s[0]!.stream, s.map((e) => e.eventId)]))).toEqual(expected);
      expect(expected.size).toBe(10);
      expect(byStream.size).toBe(STREAMS);
    });
  });
}
