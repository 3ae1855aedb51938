import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from '@leerroutes/event-store';
import { dumpViews, openViewsDatabase, rebuild } from '@leerroutes/projection-runtime';
import { PROJECTIONS } from '../../src/index.js';

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'projections-'));

/** The dump of views rebuilt from zero into a fresh file: what every other route must end with. */
export async function cleanRebuildDump(store: EventStore): Promise<string> {
  const views = await openViewsDatabase(join(tempDir(), 'clean.views.sqlite'));
  try {
    await rebuild({ store, views, projections: PROJECTIONS });
    return await dumpViews(views.db, PROJECTIONS);
  } finally {
    await views.close();
  }
}
