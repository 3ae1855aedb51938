import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from '@leerroutes/event-store';
import { openSqliteEventStore, type SqliteEventStore } from '@leerroutes/event-store/sqlite';
import { dumpViews, openDuckDbViews, rebuild, type ViewsStore } from '@leerroutes/projection-runtime';
import { PROJECTIONS } from '../../src/index.js';

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'projections-'));

/** A fresh log and views directory side by side; `close` closes both. */
export async function openLogAndViews(): Promise<{ store: SqliteEventStore; views: ViewsStore; close: () => Promise<void> }> {
  const dir = tempDir();
  const store = openSqliteEventStore({ path: join(dir, 'log.sqlite') });
  const views = await openDuckDbViews(join(dir, 'log.views'), { recheckMs: 0 });
  return { store, views, close: async () => { await views.close(); await store.close(); } };
}

/** The published views as text (one generation throughout). */
export const dump = (views: ViewsStore): Promise<string> => views.reader.snapshot((db) => dumpViews(db, PROJECTIONS));

/** The dump of views rebuilt from zero into a fresh directory: what every other route must end with. */
export async function cleanRebuildDump(store: EventStore): Promise<string> {
  const views = await openDuckDbViews(join(tempDir(), 'clean.views'));
  try {
    await rebuild({ store, views, projections: PROJECTIONS });
    return await dump(views);
  } finally {
    await views.close();
  }
}
