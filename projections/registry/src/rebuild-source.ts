import { openEventStore } from '@leerroutes/event-store/open';
import type { RebuildThreadSetup } from '@leerroutes/projection-runtime';
import { PROJECTIONS } from './index.js';

/**
 * What a rebuild's worker thread reads and prepares with (the runtime's
 * rebuild-thread.ts): the same log, opened again in the worker, and the same
 * projections as the engine's.
 */
export async function openRebuildSource(data: unknown): Promise<RebuildThreadSetup> {
  const { log } = data as { log: string };
  const store = await openEventStore(log);
  return { store, projections: PROJECTIONS, close: () => store.close() };
}
