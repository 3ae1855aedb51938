import { describe, expect, it } from 'vitest';
import { appendWithRetries, type ConformanceContext, expectLeft, expectRight, newEvent } from './helpers.js';

export function concurrencySuite(ctx: ConformanceContext): void {
  describe.skipIf(!ctx.options.multiConnection)('concurrent appenders through two connections', () => {
    it('two appends expecting the same revision: exactly one wins, the other gets the actual revision', async () => {
      const a = ctx.store();
      const b = await ctx.fixture().open();
      try {
        const stream = ctx.stream('race');
        expectRight(await a.appendToStream(stream, [newEvent()]));
        expect(await b.streamRevision(stream)).toBe(0);

        const [ea, eb] = [newEvent({ data: { by: 'a' } }), newEvent({ data: { by: 'b' } })];
        const results = await Promise.all([
          a.appendToStream(stream, [ea], { expectedRevision: 0 }),
          b.appendToStream(stream, [eb], { expectedRevision: 0 }),
        ]);
        const winners = results.filter((r) => r._tag === 'Right');
        expect(winners).toHaveLength(1);
        const loser = expectLeft(results.find((r) => r._tag === 'Left')!);
        expect(loser).toEqual({ kind: 'WrongExpectedRevision', stream, expected: 0, actual: 1 });

        const stored = await b.readStream(stream);
        expect(stored).toHaveLength(2);
        const winnerId = results[0]!._tag === 'Right' ? ea.eventId : eb.eventId;
        expect(stored[1]!.eventId).toBe(winnerId);
      } finally {
        await b.close();
      }
    });

    it('interleaved appenders with retries store every event exactly once with contiguous revisions', async () => {
      const a = ctx.store();
      const b = await ctx.fixture().open();
      try {
        const stream = ctx.stream('interleaved');
        const fromA = Array.from({ length: 40 }, (_, i) => newEvent({ data: { by: 'a', i } }));
        const fromB = Array.from({ length: 40 }, (_, i) => newEvent({ data: { by: 'b', i } }));
        await Promise.all([appendWithRetries(a, stream, fromA), appendWithRetries(b, stream, fromB)]);

        const stored = await a.readStream(stream);
        expect(stored.map((e) => e.revision)).toEqual(Array.from({ length: 80 }, (_, i) => i));
        expect(new Set(stored.map((e) => e.eventId))).toEqual(new Set([...fromA, ...fromB].map((e) => e.eventId)));
        // Each appender's own events keep their order.
        const order = (by: string) => stored.filter((e) => (e.data as { by: string }).by === by).map((e) => (e.data as { i: number }).i);
        expect(order('a')).toEqual(fromA.map((_, i) => i));
        expect(order('b')).toEqual(fromB.map((_, i) => i));
      } finally {
        await b.close();
      }
    });
  });
}
