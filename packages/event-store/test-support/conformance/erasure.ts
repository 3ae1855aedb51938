import { describe, expect, it } from 'vitest';
import { type ConformanceContext, expectRight, newEvent, readAllAfter } from './helpers.js';

export function erasureSuite(ctx: ConformanceContext): void {
  describe('erasure', () => {
    it('removes the stream and its events, leaves other streams intact, and never reuses positions', async () => {
      const store = ctx.store();
      const start = await store.headPosition();
      const [keep, gone] = [ctx.stream('keep'), ctx.stream('erase-me')];
      expectRight(await store.appendToStream(keep, [newEvent(), newEvent()]));
      // The erased stream holds the newest events, so a store that hands out max(position)+1 would reuse them.
      expectRight(await store.appendToStream(gone, [newEvent(), newEvent(), newEvent()]));
      const headBefore = await store.headPosition();
      expect(await store.positionsHandedOut()).toBe(headBefore);

      expect(await store.eraseStream(gone)).toBe(3);
      // The newest events are gone: the head falls back, what was handed out does not.
      if (ctx.options.erasurePurgesAll) expect(await store.headPosition()).toBeLessThan(headBefore);
      expect(await store.positionsHandedOut()).toBe(headBefore);
      expect(await store.readStream(gone)).toEqual([]);
      expect(await store.streamRevision(gone)).toBeNull();
      expect((await store.readStream(keep)).map((e) => e.revision)).toEqual([0, 1]);
      if (ctx.options.erasurePurgesAll) {
        const remaining = (await readAllAfter(store, start)).flat().filter((e) => e.stream.startsWith(ctx.stream('')));
        expect(remaining.map((e) => e.stream)).toEqual([keep, keep]);
      }

      const next = expectRight(await store.appendToStream(keep, [newEvent()], { expectedRevision: 1 }));
      expect(next.position).toBeGreaterThan(headBefore);
      expect(await store.positionsHandedOut()).toBe(next.position);
      expect(await store.eraseStream(ctx.stream('never-existed'))).toBe(0);
    });
  });

  describe('stats', () => {
    it('counts events, streams and events by type, and reports the last position', async () => {
      const store = ctx.store();
      const [registered, placed] = [ctx.type('Registered'), ctx.type('Placed')];
      const before = await store.stats();
      expectRight(
        await store.appendToStreams([
          { stream: ctx.stream('stats-1'), expectedRevision: 'no_stream', events: [newEvent({ type: registered }), newEvent({ type: placed })] },
          { stream: ctx.stream('stats-2'), expectedRevision: 'no_stream', events: [newEvent({ type: registered })] },
        ]),
      );
      const after = await store.stats();
      expect(after.events - before.events).toBe(3);
      expect(after.streams - before.streams).toBe(2);
      // Conformance streams are named learner-…, so they land in the `learner` category.
      expect((after.streamsByCategory.learner ?? 0) - (before.streamsByCategory.learner ?? 0)).toBe(2);
      expect(after.byType[registered]).toBe(2);
      expect(after.byType[placed]).toBe(1);
      expect(after.lastPosition).toBe(await store.headPosition());
      expect(after.lastPosition).toBeGreaterThan(before.lastPosition);

      if (ctx.options.erasurePurgesAll) {
        await store.eraseStream(ctx.stream('stats-1'));
        const erased = await store.stats();
        expect(erased.events - before.events).toBe(1);
        expect(erased.streams - before.streams).toBe(1);
        expect((erased.streamsByCategory.learner ?? 0) - (before.streamsByCategory.learner ?? 0)).toBe(1);
        expect(erased.byType[registered]).toBe(1);
        expect(erased.byType[placed] ?? 0).toBe(0);
      }
    });
  });
}
