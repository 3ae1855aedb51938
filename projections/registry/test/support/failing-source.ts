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
  const projections = real.projections.map((p): Projection => (p.name !== 'statistics' ? p : {
    ...p,
    async prepare(batch, ctx) {
      if (++batches > failAfter) throw new Error(`prepare failed on purpose after ${failAfter} batches`);
      return p.prepare!(batch, ctx);
    },
  }));
  return { ...real, projections };
}
