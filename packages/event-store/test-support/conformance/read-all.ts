import { describe, expect, it } from 'vitest';
import type { NewEvent, RecordedEvent } from '../../src/port.js';
import { type ConformanceContext, expectRight, newEvent, readAllAfter } from './helpers.js';

const STREAMS = 50;
const ROUNDS = 4;

export function readAllSuite(ctx: ConformanceContext): void {
  describe('readAll', () => {
    /** 50 streams, appended round by round so their events interleave in the global order. */
    async function interleaved(): Promise<{ start: number; appended: { stream: string; event: NewEvent }[] }> {
      const store = ctx.store();
      const start = await store.headPosition();
      const appended: { stream: string; event: NewEvent }[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        for (let s = 0; s < STREAMS; s++) {
          const stream = ctx.stream(`all-${s}`);
          const event = newEvent({ type: `Round${round}`, data: { round, s } });
          // Alternate single appends and small multi-stream calls so both paths feed the global order.
          appended.push({ stream, event });
          if (s % 2 === 0) expectRight(await store.appendToStream(stream, [event], { expectedRevision: round === 0 ? 'no_stream' : round - 1 }));
          else expectRight(await store.appendToStreams([{ stream, expectedRevision: round === 0 ? 'no_stream' : round - 1, events: [event] }]));
        }
      }
      return { start, appended };
    }

    it('reads 50 interleaved streams in append order, across batch boundaries', async () => {
      const { start, appended } = await interleaved();
      const batches = await readAllAfter(ctx.store(), start, 7);
      const all = batches.flat();

      expect(all.map((e) => e.eventId)).toEqual(appended.map((a) => a.event.eventId));
      expect(all.map((e) => e.stream)).toEqual(appended.map((a) => a.stream));
      for (const b of batches) expect(b.length).toBeLessThanOrEqual(7);
      expect(batches.length).toBeGreaterThanOrEqual(Math.ceil(appended.length / 7));
      for (let i = 1; i < all.length; i++) expect(all[i]!.position).toBeGreaterThan(all[i - 1]!.position);

      const revisionsByStream = new Map<string, number[]>();
      for (const e of all) revisionsByStream.set(e.stream, [...(revisionsByStream.get(e.stream) ?? []), e.revision]);
      expect(revisionsByStream.size).toBe(STREAMS);
      for (const revisions of revisionsByStream.values()) expect(revisions).toEqual([0, 1, 2, 3]);
      expect(all[all.length - 1]!.position).toBe(await ctx.store().headPosition());
    });

    it('after is exclusive, until is inclusive, and both hold across batches', async () => {
      const { start } = await interleaved();
      const all = (await readAllAfter(ctx.store(), start)).flat();
      const from = all[37]!.position;
      const to = all[151]!.position;

      const slice: RecordedEvent[] = [];
      for await (const batch of ctx.store().readAll({ after: from, until: to, batchSize: 10 })) {
        expect(batch.length).toBeLessThanOrEqual(10);
        slice.push(...batch);
      }
      expect(slice.map((e) => e.eventId)).toEqual(all.slice(38, 152).map((e) => e.eventId));

      const tail = (await readAllAfter(ctx.store(), all[all.length - 1]!.position)).flat();
      expect(tail).toEqual([]);
    });

    it('a second reader resuming from the last position of a batch misses nothing and repeats nothing', async () => {
      const { start, appended } = await interleaved();
      const seen: string[] = [];
      let checkpoint = start;
      // Read one batch at a time, as a projection restarting after every batch would.
      for (;;) {
        let got: RecordedEvent[] | undefined;
        for await (const batch of ctx.store().readAll({ after: checkpoint, batchSize: 13 })) {
          got = batch;
          break;
        }
        if (got === undefined) break;
        seen.push(...got.map((e) => e.eventId));
        checkpoint = got[got.length - 1]!.position;
      }
      expect(seen).toEqual(appended.map((a) => a.event.eventId));
    });
  });
}
