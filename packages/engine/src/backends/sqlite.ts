import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { openSqliteEventStore, type OnMigrate } from '@leerroutes/event-store/sqlite';
import { openDuckDbViews, readCurrent } from '@leerroutes/projection-runtime';
import { defaultViewsPath } from '../paths.js';
import type { Backend } from './backend.js';

/**
 * The embedded default: the log is a SQLite file holding the import ledger
 * too (one transaction covers a batch's appends and ledger rows), and the
 * views a directory of DuckDB generations next to it.
 */
export async function openSqliteBackend(db: string, views?: string, onMigrate?: OnMigrate): Promise<Backend> {
  const log = resolve(db);
  const viewsAt = resolve(views ?? defaultViewsPath(db));
  mkdirSync(dirname(log), { recursive: true });
  mkdirSync(dirname(viewsAt), { recursive: true });
  const store = openSqliteEventStore({ path: log, ...(onMigrate ? { onMigrate } : {}) });
  const viewsStore = await openDuckDbViews(viewsAt);
  return {
    kind: 'sqlite', viewsKind: 'duckdb', log, viewsAt, store, views: viewsStore,
    async storage() {
      const size = (f: string) => (existsSync(f) ? statSync(f).size : 0);
      const current = readCurrent(viewsAt);
      return { logBytes: size(log) + size(`${log}-wal`), viewsBytes: current === null ? 0 : size(join(viewsAt, current)) };
    },
    async close() {
      await viewsStore.close();
      await store.close();
    },
  };
}
