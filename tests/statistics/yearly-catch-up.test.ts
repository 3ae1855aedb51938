/**
 * A yearly delivery gives nearly every learner a new school year, so its
 * catch-up would fold nearly every learner again from the whole history,
 * deleting what the views held of each first. Such a catch-up runs as a
 * rebuild in worker threads (catch-up.ts, REBUILD_INSTEAD), and must give
 * the views an incremental catch-up gives; a small one stays a catch-up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine } from '@leerroutes/engine';
import { generatePopulation } from '@leerroutes/synthetic';

const LEARNERS = 1_500;
const SEED = 73;

describe('a catch-up after a yearly delivery', () => {
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'leerroutes-yearly-'));
    // The same learners twice: their first years, then every year up to the last (the next deliveries in one).
    await generatePopulation({ out: join(root, 'until-2017'), learners: LEARNERS, cohorts: '2012-2013', seed: SEED, until: 2017 });
    await generatePopulation({ out: join(root, 'all'), learners: LEARNERS, cohorts: '2012-2013', seed: SEED, redelivery: join(root, 'fix') });
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** The views after the first delivery with its views, then the later years imported and caught up as `rebuildInstead` says. */
  async function yearly(name: string, rebuildInstead: { minEvents: number; share: number }) {
    const engine = await openEngine({ db: join(root, `${name}.sqlite`), rebuildInstead });
    try {
      await engine.importDirectory(join(root, 'until-2017'), { knownAt: '2018-11-01' });
      const { projections } = await engine.importDirectory(join(root, 'all'), { knownAt: '2021-11-01' });
      return { run: projections!, views: await engine.dump(['views']), log: await engine.dump(['log']) };
    } finally {
      await engine.close();
    }
  }

  it('runs as a rebuild in threads, to the views a catch-up gives', async () => {
    const caughtUp = await yearly('caught-up', { minEvents: Number.MAX_SAFE_INTEGER, share: 1 });
    expect(caughtUp.run.rebuilt, 'a catch-up from the published views').toEqual([]);
    expect(caughtUp.run.spans).toBeUndefined();
    const rebuilt = await yearly('rebuilt', { minEvents: 1_000, share: 0.4 });
    expect(rebuilt.log).toBe(caughtUp.log);
    expect(rebuilt.run.rebuilt).toEqual(['reference-data', 'statistics', 'event-counts']);
    expect(rebuilt.run.events, 'a rebuild reads the whole log').toBe(rebuilt.run.head);
    expect(rebuilt.run.spans!.workers).toBeGreaterThan(0);
    expect(rebuilt.views).toBe(caughtUp.views);
  }, 300_000);

  it('stays a catch-up where it folds a small share of the log again (a correction of a few learners)', async () => {
    const corrected = async (name: string, share: number) => {
      const engine = await openEngine({ db: join(root, `${name}.sqlite`), rebuildInstead: { minEvents: 0, share } });
      try {
        await engine.importDirectory(join(root, 'all'), { knownAt: '2021-11-01' });
        const { projections } = await engine.importDirectory(join(root, 'fix'), { knownAt: '2022-01-15' });
        return { run: projections!, views: await engine.dump(['views']) };
      } finally {
        await engine.close();
      }
    };
    const small = await corrected('small', 0.4);
    expect(small.run.events).toBeGreaterThan(0);
    expect(small.run.rebuilt, 'caught up from the published views').toEqual([]);
    // The same correction weighed against a tiny share: the estimate is what decided.
    const tiny = await corrected('tiny', 0.001);
    expect(tiny.run.rebuilt).toEqual(['reference-data', 'statistics', 'event-counts']);
    expect(tiny.views).toBe(small.views);
  }, 300_000);
});
