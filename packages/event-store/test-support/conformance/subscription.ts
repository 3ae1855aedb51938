import { describe, expect, it } from 'vitest';
import type { NewEvent, RecordedEvent } from '../../src/port.js';
import { type ConformanceContext, expectRight, newEvent, waitFor } from './helpers.js';

const POLL_MS = 20;

export function subscriptionSuite(ctx: ConformanceContext): void {
  describe('subscribeToAll', () => {
    /** Appends `n` events round-robin over `streams` streams, returning them in append order. */
    async function appendSpread(label: string, n: number, streams = 4): Promise<NewEvent[]> {
      const events: NewEvent[] = [];
      for (let i = 0; i < n; i++) {
        const e = newEvent({ data: { i } });
        events.push(e);
        expectRight(await ctx.store().appendToStream(ctx.stream(`${label}-${i % streams}`), [e]));
      }
      return events;
    }

    /** A server shared by other runs may carry foreign events; count only this test's streams. */
    const ours = (e: RecordedEvent) => e.stream.startsWith(ctx.stream(''));

    it('resumes from a checkpoint, catches up, then delivers live events, one awaited batch at a time', async () => {
      const store = ctx.store();
      const start = await store.headPosition();
      const early = await appendSpread('sub', 20);
      let checkpoint = start;
      for await (const batch of store.readAll({ after: start })) {
        const tenth = batch.filter(ours)[9];
        if (tenth !== undefined) checkpoint = tenth.position;
        break;
      }
      expect(checkpoint).toBeGreaterThan(start);

      const received: RecordedEvent[] = [];
      let active = 0;
      let maxActive = 0;
      let maxBatch = 0;
      const sub = store.subscribeToAll(
        async (batch) => {
          active += 1;
          maxActive = Math.max(maxActive, active);
          maxBatch = Math.max(maxBatch, batch.length);
          await new Promise((r) => setTimeout(r, 2));
          received.push(...batch.filter(ours));
          active -= 1;
        },
        { after: checkpoint, batchSize: 3, pollIntervalMs: POLL_MS },
      );
      await sub.caughtUp();
      expect(received.map((e) => e.eventId)).toEqual(early.slice(10).map((e) => e.eventId));

      const live = await appendSpread('sub-live', 5, 2);
      await waitFor(() => received.length >= 15);
      await sub.stop();
      await expect(sub.done).resolves.toBeUndefined();

      expect(received.map((e) => e.eventId)).toEqual([...early.slice(10), ...live].map((e) => e.eventId));
      expect(maxActive).toBe(1);
      expect(maxBatch).toBeLessThanOrEqual(3);
      for (let i = 1; i < received.length; i++) expect(received[i]!.position).toBeGreaterThan(received[i - 1]!.position);
    });

    it('is caught up at once when nothing follows the checkpoint, and stops delivering after stop()', async () => {
      const store = ctx.store();
      await appendSpread('idle', 3);
      const received: RecordedEvent[] = [];
      const sub = store.subscribeToAll((b) => void received.push(...b.filter(ours)), {
        after: await store.headPosition(),
        pollIntervalMs: POLL_MS,
      });
      await sub.caughtUp();
      expect(received).toEqual([]);

      const [first] = await appendSpread('idle-live', 1);
      await waitFor(() => received.length === 1);
      expect(received[0]!.eventId).toBe(first!.eventId);

      await sub.stop();
      await appendSpread('idle-after-stop', 2);
      await new Promise((r) => setTimeout(r, POLL_MS * 5));
      expect(received).toHaveLength(1);
    });

    it('rejects done with the handler error and delivers nothing after the failing batch', async () => {
      const store = ctx.store();
      const start = await store.headPosition();
      await appendSpread('fail', 6);
      const batches: RecordedEvent[][] = [];
      const sub = store.subscribeToAll(
        (batch) => {
          batches.push(batch);
          if (batch.some(ours)) throw new Error('projection broke');
        },
        { after: start, batchSize: 2, pollIntervalMs: POLL_MS },
      );
      await expect(sub.done).rejects.toThrow('projection broke');
      await expect(sub.caughtUp()).rejects.toThrow();
      expect(batches.filter((b) => b.some(ours))).toHaveLength(1);
    });

    it.skipIf(!ctx.options.multiConnection)('delivers events appended through another connection', async () => {
      const store = ctx.store();
      const other = await ctx.fixture().open();
      try {
        const received: RecordedEvent[] = [];
        const sub = store.subscribeToAll((b) => void received.push(...b.filter(ours)), {
          after: await store.headPosition(),
          pollIntervalMs: POLL_MS,
        });
        await sub.caughtUp();
        const e = newEvent();
        expectRight(await other.appendToStream(ctx.stream('elsewhere'), [e]));
        await waitFor(() => received.length === 1);
        expect(received[0]).toMatchObject({ eventId: e.eventId, stream: ctx.stream('elsewhere'), revision: 0 });
        await sub.stop();
      } finally {
        await other.close();
      }
    });
  });
}
