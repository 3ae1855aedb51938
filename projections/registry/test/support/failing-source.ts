import type { Projection, RebuildThreadSetup } from '@leerroutes/projection-runtime';
import { openRebuildSource as realSource } from '../../src/rebuild-source.js';

/**
 * The registry's rebuild source with the statistics' prepare failing once
 * it has been given `failAfter` batches: a worker thread that throws half-way.
 */
export async function openRebuildSource(data: unknown): Promise<RebuildThreadSetup> {
  const { failAfter } = data as { log: string; failAfter: number };
  const real = await realSource(data);
  let batches = 0;
  const fail = () => {
    if (++batches > failAfter) throw new Error(`prepare failed on purpose after ${failAfter} batches`);
  };
  // Whichever way the worker prepares (whole batches, or slices: one slice per batch at the test's batch size).
  const projections = real.projections.map((p): Projection => (p.name !== 'statistics' ? p : {
    ...p,
    async prepare(batch, ctx) {
      fail();
      return p.prepare!(batch, ctx);
    },
    ...(p.prepareInSlices ? {
      prepareInSlices() {
        const inner = p.prepareInSlices!();
        return {
          async add(slice, ctx) {
            fail();
            await inner.add(slice, ctx);
          },
          finish: () => inner.finish(),
        };
      },
    } : {}),
  }));
  return { ...real, projections };
}
