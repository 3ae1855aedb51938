import type { ViewsStore, WriterSession, WriteSessionOptions } from '../views-store.js';
import { InProcessLine } from './lock.js';
import { ensureMeta } from './meta.js';
import { redactUrl as redact } from '@leerroutes/event-store/location';
import { openPool } from '@leerroutes/event-store/postgres';
import { DEFAULT_PREFIX, namesFor, numberTypes } from './names.js';
import { PublishedReader } from './reader.js';
import { openWriterSession } from './session.js';

export interface PostgresViewsOptions {
  readonly connectionString: string;
  /** Prefix of the schemas: generations are `<prefix>_g<N>`, the pointer and lock holder live in `<prefix>_meta` (default 'views'). */
  readonly schema?: string;
  /** How often, at most, a reader looks whether a newer generation was published (ms; default 200). */
  readonly recheckMs?: number;
  /** Most pooled reader connections (default 10); each writer session uses one more of its own. */
  readonly maxConnections?: number;
}

/**
 * The views in PostgreSQL schemas (see views-store.ts for how they differ
 * from DuckDB's generations). Creates the meta schema if missing; nothing
 * is locked until a writer session starts.
 */
export async function openPostgresViews(options: PostgresViewsOptions): Promise<ViewsStore> {
  const names = namesFor(options.schema ?? DEFAULT_PREFIX);
  const location = `${redact(options.connectionString)} (schemas ${names.prefix}_*)`;
  const pool = await openPool({ connectionString: options.connectionString, max: options.maxConnections ?? 10, types: numberTypes }, (p) => ensureMeta(p, names));
  const reader = new PublishedReader(pool, names, options.recheckMs ?? 200);
  const line = new InProcessLine();
  const sessions = new Set<WriterSession>();

  return {
    location,
    reader,
    async writeSession(opts: WriteSessionOptions = {}) {
      const session = await openWriterSession({ connectionString: options.connectionString, names, location, reader, line }, opts);
      sessions.add(session);
      const forget = <A extends unknown[], R>(f: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
        try { return await f(...a); } finally { sessions.delete(session); }
      };
      return { ...session, publish: forget(session.publish), abandon: forget(session.abandon) };
    },
    async close() {
      for (const s of [...sessions]) await s.abandon().catch(() => undefined);
      await reader.close();
      // Kysely ends the pool only if it ran a query through it: unended, the connection ensureMeta used stayed open
      // and kept the process alive until pg's idle timeout (10 s).
      if (!pool.ended) await pool.end().catch(() => undefined);
    },
  };
}
