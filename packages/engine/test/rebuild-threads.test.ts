import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../src/index.js';

const SAMPLE = join(import.meta.dirname, '..', '..', '..', 'samples', 'small');

/**
 * The writer's thread folds spans of the log itself, while it has none to
 * write, only in a rebuild of at least 40 spans (rebuild-thread.ts): at the
 * default span of 20,000 positions that is a log of 800,000 events, more than
 * any other test imports. Small spans bring the sample's log over it.
 */
describe('a rebuild whose writer folds spans too', () => {
  let root: string;
  let engine: Engine;
  let inCallingThread: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'leerroutes-rebuild-threads-'));
    engine = await openEngine({ db: join(root, 'p.sqlite') });
    await engine.importDirectory(SAMPLE, { knownAt: '2023-11-01' });
    const r = await engine.rebuild({ worker: false });
    expect(r.spans).toBeUndefined();
    inCallingThread = await engine.dump(['views']);
  }, 120_000);
  afterAll(async () => {
    await engine.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('gives the views a rebuild in the calling thread gives, with spans folded by both threads', async () => {
    const r = await engine.rebuild({ batchSize: 250 });
    // 34,000-odd events in spans of 250: well over the 40 that let the writer fold, and it did.
    expect(r.spans!.workers).toBeGreaterThan(0);
    expect(r.spans!.local).toBeGreaterThan(0);
    expect(r.spans!.workers + r.spans!.local).toBe(Math.ceil(r.events / 250));
    expect(await engine.dump(['views'])).toBe(inCallingThread);
  }, 120_000);

  it('gives the same views when spans are handed out only while none waits to be written', async () => {
    // Any span waiting is over the bound: spans are handed out only while none waits to be written, or when due.
    const r = await engine.rebuild({ batchSize: 250, readyBytes: 1 });
    expect(r.spans!.workers + r.spans!.local).toBe(Math.ceil(r.events / 250));
    expect(await engine.dump(['views'])).toBe(inCallingThread);
  }, 120_000);

  it('gives the same views when only the worker folds', async () => {
    const r = await engine.rebuild({ batchSize: 250, localFolds: false });
    expect(r.spans!.local).toBe(0);
    expect(await engine.dump(['views'])).toBe(inCallingThread);
  }, 120_000);
});

/**
 * A catch-up with nothing published runs as a rebuild (catch-up.ts). Two of
 * them at once on a new log (two `pathways project` workers, or a server and
 * an import) both find nothing published; the one that gets the writer's
 * lock second must go on from what the first published, not build it all
 * again.
 */
describe('two catch-ups at once on a log with nothing published', () => {
  let root: string;
  let engine: Engine;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'leerroutes-first-catch-up-'));
    engine = await openEngine({ db: join(root, 'p.sqlite') });
    await engine.importDirectory(SAMPLE, { knownAt: '2023-11-01', skipProjections: true });
  }, 120_000);
  afterAll(async () => {
    await engine.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('builds the views once, in the worker thread, and the other finds them up to date', async () => {
    const runs = await Promise.all([engine.catchUp(), engine.catchUp()]);
    const built = runs.filter((r) => r.published !== null);
    expect(built).toHaveLength(1);
    expect(built[0]!.rebuilt).toEqual(['reference-data', 'statistics', 'event-counts']);
    expect(built[0]!.spans!.workers).toBeGreaterThan(0);
    expect(runs.find((r) => r.published === null)).toMatchObject({ events: 0, rebuilt: [] });
    const views = await engine.dump(['views']);
    await engine.rebuild({ worker: false });
    expect(await engine.dump(['views'])).toBe(views);
  }, 120_000);
});
