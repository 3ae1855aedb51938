import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { learnerStream } from '@leerroutes/domain';
import { openSqliteEventStore } from '@leerroutes/event-store/sqlite';
import { importDirectory, Ledger } from '@leerroutes/import';
import { openDuckDbViews, readCurrent } from '@leerroutes/projection-runtime';
import { defaultViewsPath } from '../paths.js';
import type { Backend } from './backend.js';

/**
 * The embedded default: the log is a SQLite file holding the import ledger
 * too (one transaction covers a batch's appends and ledger rows), and the
 * views a directory of DuckDB generations next to it.
 */
export async function openSqliteBackend(db: string, views?: string): Promise<Backend> {
  const log = resolve(db);
  const viewsAt = resolve(views ?? defaultViewsPath(db));
  mkdirSync(dirname(log), { recursive: true });
  mkdirSync(dirname(viewsAt), { recursive: true });
  const store = openSqliteEventStore({ path: log });
  const viewsStore = await openDuckDbViews(viewsAt);
  return {
    kind: 'sqlite', log, viewsAt, store, views: viewsStore,
    importDirectory: (options) => importDirectory({ ...options, store }),
    ledgerDump: async () => new Ledger(store.database).dump(),
    async eraseLearner(learnerId, steps) {
      const stream = learnerStream(learnerId);
      const release = store.acquireLock('import', 'erase');
      try {
        const ledger = new Ledger(store.database);
        const events = await store.readStream(stream);
        if (events.length === 0 && ledger.factCount(learnerId) === 0) return null;
        await steps.beforeLog(events);
        const r = store.writeTransaction((tx) => {
          const eventsRemoved = tx.eraseStream(stream);
          const factsRemoved = ledger.forgetLearner(learnerId);
          const audit = steps.audit(eventsRemoved);
          tx.append([{ stream: audit.stream, expectedRevision: 'any', events: [audit.event] }]);
          return { eventsRemoved, factsRemoved };
        }, { secureDelete: true });
        if (E.isLeft(r)) throw new Error(`the erasure could not be written to the log: ${JSON.stringify(r.left)}`);
        return r.right;
      } finally {
        release();
      }
    },
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
