import type { EventStore } from '@leerroutes/event-store';
import { isPostgresUrl } from '@leerroutes/event-store/location';
import type { RebuildThreadSetup } from '@leerroutes/projection-runtime/kit';
import { PROJECTIONS } from './index.js';

/**
 * A rebuild's source reads the log once, in order: SQLite's default cache
 * here (64 MiB) would only hold pages already read, in every thread that
 * folds. 8 MiB keeps the last few spans, which is where the streams of
 * learners cut by a span boundary are read back from.
 */
const REBUILD_CACHE_MIB = 8;

/**
 * What a rebuild's worker threads, and the writer's own folds, read and
 * prepare with (the runtime's rebuild-thread.ts): the same log, opened again
 * on a connection of their own, and the same projections as the engine's.
 */
export async function openRebuildSource(data: unknown): Promise<RebuildThreadSetup> {
  const { log } = data as { log: string };
  // Only the adapter the log needs: what the worker loads is time the rebuild waits for its first batch.
  const store: EventStore = isPostgresUrl(log)
    ? await (await import('@leerroutes/event-store/postgres')).openPostgresEventStore({ connectionString: log })
    : (await import('@leerroutes/event-store/sqlite')).openSqliteEventStore({ path: log, cacheMiB: REBUILD_CACHE_MIB });
  return { store, projections: PROJECTIONS, close: () => store.close() };
}
