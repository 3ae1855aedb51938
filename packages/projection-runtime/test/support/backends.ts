/**
 * The views stores the runtime's behaviour tests run against, behind one
 * small factory each, so a test is written once and run on both:
 *
 *   const backends = await viewsBackends();
 *   describe.each(backends)('$name', (backend) => { ... backend.open() ... });
 *
 * Each test gets fresh views (a new directory; a new schema prefix in the
 * file's throwaway PostgreSQL database). Without a PostgreSQL server the
 * PostgreSQL entry says why, and the caller skips with that reason.
 */
import { sql, type Kysely } from 'kysely';
import { beforeEach, describe, it } from 'vitest';
import { postgresForTests, useThrowawayDatabase, type TestDatabase } from '@leerroutes/event-store/test-support/postgres';
import { listGenerations, listViewTables, openDuckDbViews, type ViewsStore } from '../../src/index.js';
import { openPostgresViews } from '../../src/postgres/index.js';
import { tempPath } from './tally.js';

export interface ViewsBackend {
  readonly name: 'duckdb' | 'postgres';
  /** Set when the backend cannot run here (no PostgreSQL server). */
  readonly unavailable: string | null;
  /**
   * A session from the published views writes in place: readers see each
   * of its transactions as it commits (PostgreSQL), not only at publish (DuckDB).
   */
  readonly inPlace: boolean;
  /** Registers the hooks that give each test fresh views; call inside the describe. */
  use(): void;
  /** A store on this test's views; open it again for a second store (another pool, as another process would have). */
  open(options?: { readonly recheckMs?: number }): Promise<ViewsStore>;
  /** The name of the n-th generation of this test's views. */
  generation(n: number): string;
  /** Generations present (published or not). */
  generations(): Promise<string[]>;
  /** Secondary indexes (not those of primary keys) of the views db reads. */
  indexes(db: Kysely<any>): Promise<{ index_name: string; table_name: string }[]>;
}

/** Tables of the views db reads, sorted. */
export const viewTables = async (db: Kysely<any>): Promise<string[]> => [...(await listViewTables(db))].sort();

function duckdb(): ViewsBackend {
  let dir = '';
  return {
    name: 'duckdb',
    unavailable: null,
    inPlace: false,
    use() { beforeEach(() => { dir = tempPath('views'); }); },
    open: (options = {}) => openDuckDbViews(dir, options),
    generation: (n) => `gen-${String(n).padStart(6, '0')}.duckdb`,
    generations: async () => listGenerations(dir),
    async indexes(db) {
      const { rows } = await sql<{ index_name: string; table_name: string }>`select index_name, table_name from duckdb_indexes() order by index_name`.execute(db);
      return rows;
    },
  };
}

function postgres(reason: string | null): ViewsBackend {
  let database: TestDatabase | null = null;
  let n = 0;
  let prefix = '';
  return {
    name: 'postgres',
    unavailable: reason,
    inPlace: true,
    use() {
      database = useThrowawayDatabase(pgForTests!);
      beforeEach(() => { prefix = `v${++n}`; });
    },
    open: (options = {}) => openPostgresViews({ connectionString: database!.url(), schema: prefix, ...options }),
    generation: (g) => `${prefix}_g${g}`,
    async generations() {
      const views = await openPostgresViews({ connectionString: database!.url(), schema: prefix });
      try {
        const { rows } = await sql<{ name: string }>`select nspname as name from pg_namespace where nspname ~ ${`^${prefix}_g[0-9]+$`} order by nspname`.execute(views.reader.db);
        return rows.map((r) => r.name);
      } finally {
        await views.close();
      }
    },
    async indexes(db) {
      const { rows } = await sql<{ index_name: string; table_name: string }>`
        select i.indexname as index_name, i.tablename as table_name from pg_indexes i
        where i.schemaname = current_schema() and not exists (select 1 from pg_constraint c where c.conname = i.indexname and c.connamespace = i.schemaname::regnamespace)
        order by i.indexname`.execute(db);
      return rows;
    },
  };
}

let pgForTests: Awaited<ReturnType<typeof postgresForTests>> | null = null;

/** Both stores; probes the PostgreSQL server once. */
export async function viewsBackends(): Promise<ViewsBackend[]> {
  pgForTests ??= await postgresForTests();
  return [duckdb(), postgres(pgForTests.available ? null : pgForTests.reason)];
}

/**
 * `body` once per views store, each in a describe of its own that uses it
 * (a fresh directory, or a fresh schema prefix, per test); a store whose
 * server is unreachable is one skipped test with the reason.
 */
export function describeEachViewsBackend(backends: readonly ViewsBackend[], body: (backend: ViewsBackend) => void): void {
  describe.each(backends)('on $name', (backend) => {
    if (backend.unavailable) {
      it('needs its server', (ctx) => ctx.skip(backend.unavailable!));
      return;
    }
    backend.use();
    body(backend);
  });
}
