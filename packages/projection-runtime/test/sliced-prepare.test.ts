import { describe, expect, it } from 'vitest';
import { openSqliteEventStore } from '@leerroutes/event-store/sqlite';
import type { RecordedEvent } from '@leerroutes/event-store';
import { preparesInSlices, slicedPrepare, type Projection, type PrepareContext } from '../src/projection.js';

// A batch of positions 1..6 as three slices of two; what a slice's prepare sees is recorded.
const events = (from: number, to: number): RecordedEvent[] =>
  Array.from({ length: to - from + 1 }, (_, k) => ({ position: from + k }) as unknown as RecordedEvent);
const slices = [events(1, 2), events(3, 4), events(5, 6)];
const store = openSqliteEventStore({ path: ':memory:' });
const ctx = (until: number): PrepareContext => ({ store, until });
const positions = (batch: readonly RecordedEvent[]) => batch.map((e) => e.position);

const base = { name: 'p', version: 1, tables: [], createTables: async () => {}, apply: async () => {} } satisfies Projection;

async function prepareAll(projection: Projection, given: readonly RecordedEvent[][]): Promise<unknown> {
  const preparer = slicedPrepare(projection);
  for (const slice of given) await preparer.add(slice, ctx(slice[slice.length - 1]!.position));
  return preparer.finish();
}

describe('slicedPrepare: a rebuild worker preparing one batch a slice at a time', () => {
  it("folds the slices with the projection's own prepareInSlices when it has one, never calling prepare", async () => {
    const seen: number[][] = [];
    const projection: Projection = {
      ...base,
      prepare: async () => { throw new Error('prepare must not be called when prepareInSlices is given'); },
      prepareInSlices: () => {
        const sums: number[] = [];
        return {
          add: async (slice, c) => { seen.push([...positions(slice), c.until]); sums.push(positions(slice).reduce((a, b) => a + b, 0)); },
          finish: () => ({ sums }),
        };
      },
    };
    expect(preparesInSlices(projection)).toBe(true);
    expect(await prepareAll(projection, slices)).toEqual({ sums: [3, 7, 11] });
    // Each slice with the log up to its own last position.
    expect(seen).toEqual([[1, 2, 2], [3, 4, 4], [5, 6, 6]]);
  });

  it('otherwise combines what prepare made of each slice, in order; one slice is taken as it is', async () => {
    const projection: Projection = {
      ...base,
      prepare: async (batch) => positions(batch),
      combine: (parts) => ({ joined: (parts as number[][]).flat() }),
    };
    expect(preparesInSlices(projection)).toBe(true);
    expect(await prepareAll(projection, slices)).toEqual({ joined: [1, 2, 3, 4, 5, 6] });
    expect(await prepareAll(projection, [events(1, 6)])).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('lets a projection with prepare alone take its batch as one slice, and refuses a second', async () => {
    const projection: Projection = { ...base, prepare: async (batch) => positions(batch) };
    expect(preparesInSlices(projection)).toBe(false);
    expect(await prepareAll(projection, [events(1, 6)])).toEqual([1, 2, 3, 4, 5, 6]);
    await expect(prepareAll(projection, slices)).rejects.toThrow(/prepares a batch whole: it cannot take a second slice/);
  });
});
