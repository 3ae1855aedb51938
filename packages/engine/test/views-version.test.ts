import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReportRequest } from '@leerroutes/indicators';
import { CHECKPOINT_TABLE, openDuckDbViews, readCheckpoint } from '@leerroutes/projection-runtime';
import { STATISTICS } from '@leerroutes/projections';
import { openEngine, ViewsNotReadyError } from '../src/index.js';
import { writeTwoLearners } from './support/two-learners.js';

describe('views published by another version of the statistics projection', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'leerroutes-views-version-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('are refused with what to run, and a catch-up rebuilds them', async () => {
    const db = join(root, 'p.sqlite');
    const viewsDir = join(root, 'p.views');
    let engine = await openEngine({ db, views: viewsDir });
    await engine.importDirectory(writeTwoLearners(join(root, 'delivery')));
    const request: ReportRequest = { indicator: 'outcome', cohortType: 'advice', cohort: '2011-2012', rules: 'monitor', by: ['vo_school'] };
    const rows = (await engine.report(request)).rows;
    expect(rows.length).toBeGreaterThan(0);
    await engine.close();

    // The views as the version before would have published them: its checkpoint says so.
    const views = await openDuckDbViews(viewsDir);
    const session = await views.writeSession({ purpose: 'test: an older version' });
    const current = await session.transaction(async ({ db: vdb }) => {
      const cp = (await readCheckpoint(vdb, STATISTICS))!;
      await vdb.updateTable(CHECKPOINT_TABLE).set({ version: cp.version - 1 }).where('name', '=', STATISTICS).execute();
      return cp;
    });
    await session.publish();
    await views.close();

    engine = await openEngine({ db, views: viewsDir });
    const refused = await engine.report(request).then(() => null, (err: unknown) => err);
    expect(refused).toBeInstanceOf(ViewsNotReadyError);
    expect((refused as Error).message).toBe(`the views hold statistics of version ${current.version - 1} and this code reads version ${current.version}: run 'pnpm pathways catch-up', which rebuilds them`);

    expect((await engine.catchUp()).rebuilt).toContain(STATISTICS);
    expect((await engine.report(request)).rows).toEqual(rows);
    await engine.close();
  });
});
