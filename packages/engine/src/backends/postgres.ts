import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { openPostgresEventStore } from '@leerroutes/event-store/postgres';
import { ledgerSchemaOf } from '@leerroutes/import';
import { openDuckDbViews, type ViewsStore } from '@leerroutes/projection-runtime';
import { openPostgresViews } from '@leerroutes/projection-runtime/postgres';
import { redactUrl } from '../paths.js';
import type { Backend } from './backend.js';

/**
 * One PostgreSQL database holds the log (schema event_store), the import
 * ledger beside it (import_ledger, committed with the appends) and the views
 * (a schema per generation, views_g<N>, named by views_meta), or, given a
 * directory, DuckDB views of this process's machine kept from the shared log. Every process
 * given the same URL shares all three: imports take the log's import lock,
 * views writers the views' advisory lock, and readers follow publications.
 */
export async function openPostgresBackend(url: string, viewsDir?: string): Promise<Backend> {
  const store = await openPostgresEventStore({ connectionString: url });
  let views: ViewsStore;
  try {
    if (viewsDir !== undefined) mkdirSync(dirname(resolve(viewsDir)), { recursive: true });
    views = viewsDir === undefined ? await openPostgresViews({ connectionString: url }) : await openDuckDbViews(resolve(viewsDir));
  } catch (err) {
    await store.close();
    throw err;
  }
  const where = redactUrl(url);
  /** Heap, indexes and TOAST of every table in these schemas. */
  const bytesOf = async (schemas: readonly string[]): Promise<number> => {
    const { rows } = await store.query<{ bytes: number | string | null }>(
      `select coalesce(sum(pg_total_relation_size(c.oid)), 0) as bytes from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any($1::text[]) and c.relkind in ('r', 'm')`, [schemas]);
    return Number(rows[0]?.bytes ?? 0);
  };
  return {
    kind: 'postgres', viewsKind: viewsDir === undefined ? 'postgres' : 'duckdb', log: where, viewsAt: views.location, store, views,
    async storage() {
      const published = await views.reader.published();
      const viewsBytes = published === null ? 0 : viewsDir === undefined ? await bytesOf([published]) : statSync(join(resolve(viewsDir), published)).size;
      return { logBytes: await bytesOf([store.schema, ledgerSchemaOf(store.schema)]), viewsBytes };
    },
    async close() {
      await views.close();
      await store.close();
    },
  };
}
