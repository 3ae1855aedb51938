import type { EventStore } from '@leerroutes/event-store';
import { isPostgresUrl } from '@leerroutes/event-store/location';
import type { RebuildThreadSetup } from '@leerroutes/projection-runtime/kit';
import { PROJECTIONS } from './index.js';

/**
 * What a rebuild's worker thread reads and prepares with (the runtime's
 * rebuild-thread.ts): the same log, opened again in the worker, and the same
 * projections as the engine's.
 */
export async function openRebuildSource(data: unknown): Promise<RebuildThreadSetup> {
  const { log } = data as { log: string };
  // Only the adapter the log needs: what the worker loads is time the rebuild waits for its first batch.
  const store: EventStore = isPostgresUrl(log)
    ? await (await import('@leerroutes/event-store/postgres')).openPostgresEventStore({ connectionString: log })
    : (await import('@leerroutes/event-store/sqlite')).openSqliteEventStore({ path: log });
  return { store, projections: PROJECTIONS, close: () => store.close() };
}
