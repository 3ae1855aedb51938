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

  it('gives the same views when only the worker folds', async () => {
    const r = await engine.rebuild({ batchSize: 250, localFolds: false });
    expect(r.spans!.local).toBe(0);
    expect(await engine.dump(['views'])).toBe(inCallingThread);
  }, 120_000);
});
