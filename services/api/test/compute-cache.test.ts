import { describe, expect, it } from 'vitest';
import { ComputeCache } from '../src/compute-cache.js';

/** A cache of arrays weighed by their length, counting the computations. */
function cache(budget: number) {
  const computed: string[] = [];
  const c = new ComputeCache<number[]>({ budget, weigh: (v) => v.length });
  const get = (key: string, weight: number, version = 'v1') => c.get(key, version, async () => {
    computed.push(key);
    return Array.from({ length: weight }, (_, i) => i);
  });
  return { c, get, computed };
}

describe('ComputeCache', () => {
  it('computes once for callers asking the same key at the same time, and once in all while kept', async () => {
    const { get, computed } = cache(100);
    const [a, b] = await Promise.all([get('x', 3), get('x', 3)]);
    expect(a).toBe(b);
    await get('x', 3);
    expect(computed).toEqual(['x']);
  });

  it('keeps at most its budget of weight, dropping the least recently used first', async () => {
    const { c, get, computed } = cache(10);
    await get('a', 4);
    await get('b', 4);
    await get('a', 4); // a is now the more recent of the two
    await get('c', 4);
    expect(c.stats()).toEqual({ weight: 8, entries: 2 });
    await get('a', 4);
    await get('b', 4);
    expect(computed).toEqual(['a', 'b', 'c', 'b']);
  });

  it('shares an answer heavier than the whole budget while it is computed, then does not keep it nor push the others out', async () => {
    const { c, get, computed } = cache(10);
    await get('small', 2);
    const [x, y] = await Promise.all([get('huge', 50), get('huge', 50)]);
    expect(x).toBe(y);
    expect(c.stats()).toEqual({ weight: 2, entries: 1 });
    await get('small', 2);
    await get('huge', 50);
    expect(computed).toEqual(['small', 'huge', 'huge']);
  });

  it('drops the answers of other versions when a new version is met, but not when a request read an older one', async () => {
    const { c, get, computed } = cache(100);
    await get('a', 1, 'gen-1@5');
    await get('a', 1, 'gen-2@5');
    expect(c.stats()).toEqual({ weight: 1, entries: 1 });
    // A request that read its version just before gen-2 was published: its answer is kept beside, gen-2's stays.
    await get('b', 1, 'gen-1@5');
    await get('a', 1, 'gen-2@5');
    expect(computed).toEqual(['a', 'a', 'b']);
    expect(c.stats().entries).toBe(2);
  });

  it('forgets a failed computation, so the next caller tries again', async () => {
    const c = new ComputeCache<number[]>({ budget: 10, weigh: (v) => v.length });
    let calls = 0;
    const failing = () => c.get('k', 'v', async () => { calls++; throw new Error('boom'); });
    await expect(failing()).rejects.toThrow('boom');
    await expect(failing()).rejects.toThrow('boom');
    expect(calls).toBe(2);
    expect(c.stats()).toEqual({ weight: 0, entries: 0 });
  });
});
