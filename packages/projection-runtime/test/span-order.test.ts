import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spansOf } from '../src/prepare-span.js';
import type { ReadRange } from '../src/rebuild-thread.js';
import { firstOfLast, LOCAL_TAIL, SpanOrder } from '../src/span-order.js';

/** Hand out every span, asking the worker or this thread as `turns` says (true: this thread), as the writer's loop would. */
function handOut(spans: number, lastFrom: number, turns: readonly boolean[]): { worker: number[]; local: number[] } {
  const order = new SpanOrder(spans, lastFrom);
  const worker: number[] = [];
  const locals: number[] = [];
  for (let t = 0; ; t++) {
    // Where the writer is to take none (the LOCAL_TAIL before the last spans), a worker does.
    const local = turns[t % Math.max(1, turns.length)] === true && order.forLocal() !== null;
    const i = toLocalOr(order, local);
    if (i === null) break;
    order.take(i);
    (local ? locals : worker).push(i);
  }
  return { worker, local: locals };
}

const toLocalOr = (order: SpanOrder, local: boolean): number | null => (local ? order.forLocal() : order.forWorker());

describe('SpanOrder: which span goes next, to a worker or to the writer', () => {
  it('hands out every span once, whoever asks', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 120 }), fc.nat(), fc.array(fc.boolean(), { maxLength: 20 }), (spans, k, turns) => {
      const lastFrom = spans === 0 ? 0 : k % (spans + 1);
      const { worker, local } = handOut(spans, lastFrom, turns);
      expect([...worker, ...local].sort((a, b) => a - b)).toEqual(Array.from({ length: spans }, (_, i) => i));
    }));
  });

  it('gives the writer the last spans first, in order, and workers the others in log order', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 120 }), fc.nat(), fc.array(fc.boolean(), { maxLength: 20 }), (spans, k, turns) => {
      const lastFrom = k % (spans + 1);
      const { worker, local } = handOut(spans, lastFrom, turns);
      // Workers: the spans before the last ones in log order, then whichever of the last ones the writer left.
      const early = worker.filter((i) => i < lastFrom);
      expect(early).toEqual([...early].sort((a, b) => a - b));
      // The writer takes a span in log order only once the last ones are all handed out, and never one of the
      // LOCAL_TAIL spans before them.
      const firstInOrder = local.findIndex((i) => i < lastFrom);
      if (firstInOrder >= 0) {
        expect(local.slice(firstInOrder).every((i) => i < lastFrom - LOCAL_TAIL)).toBe(true);
        expect(worker.filter((i) => i >= lastFrom).length + local.filter((i) => i >= lastFrom).length).toBe(spans - lastFrom);
      }
      expect(local.filter((i) => i >= lastFrom)).toEqual([...local.filter((i) => i >= lastFrom)].sort((a, b) => a - b));
    }));
  });

  it('without last spans, is the log order with the writer kept off the LOCAL_TAIL last', () => {
    const order = new SpanOrder(5);
    expect(order.forLocal()).toBe(0);
    for (const i of [0, 1, 2]) { expect(order.forWorker()).toBe(i); order.take(i); }
    expect(order.forLocal()).toBeNull();
    expect(order.forWorker()).toBe(3);
  });

  it('refuses a span that is not next', () => {
    const order = new SpanOrder(10, 7);
    expect(() => order.take(1)).toThrow(/not one to hand out next/);
    order.take(7);
    expect(() => order.take(7)).toThrow(/not one to hand out next/);
    expect(() => new SpanOrder(3, 4)).toThrow(/outside/);
  });
});

describe('firstOfLast: the spans of the last batch of positions', () => {
  const range = (until: number): ReadRange => ({ kind: 'read', after: 0, until, batchSize: 20_000, sliceSize: 1_000, targets: [] });

  it('are the spans that start within one batch of the end', () => {
    for (const until of [0, 500, 20_000, 95_000, 1_913_272]) {
      const plan = spansOf(range(until));
      const k = firstOfLast(plan, until, 20_000);
      expect(plan.slice(k).every((s) => s.start >= until - 20_000)).toBe(true);
      expect(plan.slice(0, k).every((s) => s.start < until - 20_000)).toBe(true);
    }
  });

  it('at 110,000 learners, a dozen short spans: the corrected learners at the end among them', () => {
    const until = 1_913_272;
    const plan = spansOf(range(until));
    const last = plan.slice(firstOfLast(plan, until, 20_000));
    expect(last.length).toBeGreaterThan(5);
    expect(last.reduce((n, s) => n + s.end - s.start, 0)).toBeLessThanOrEqual(20_000);
    expect(last.at(-1)!.end).toBe(until);
  });
});
