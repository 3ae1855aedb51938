/**
 * `pathways rebuild` as a user runs it: the launcher starts the CLI from its
 * bundle, in a process without a TypeScript loader. The rebuild's writer
 * folds spans of the log in its own thread whenever it has nothing to write
 * (rebuild-thread.ts); it once could not load the fold's source module there
 * and silently left every span to the worker, so the CLI's rebuilds were
 * slower than the bench's (run through tsx). This checks both threads folded,
 * and that what they made is the same as a rebuild in the calling thread.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathways } from './run-cli.js';

describe('pnpm pathways rebuild, from the bundled CLI', () => {
  let root: string;
  let db: string;
  let population: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'leerroutes-rebuild-threads-'));
    db = join(root, 'log.sqlite');
    population = join(root, 'population');
    const generated = pathways(['generate', '--out', population, '--learners', '1500', '--seed', '7']);
    expect(generated.code, generated.stderr).toBe(0);
    const imported = pathways(['import', population, '--db', db, '--no-projections', '--known-at', '2023-11-01', '--quiet']);
    expect(imported.code, imported.stderr).toBe(0);
  }, 300_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('folds spans in the writer\'s thread as well as in the worker, and the views come out the same', () => {
    // Few spans: the worker alone folds them (the writer takes part only in a rebuild of many).
    const alone = pathways(['rebuild', '--db', db, '--json', '--quiet'], {}, 300_000);
    expect(alone.code, alone.stderr).toBe(0);
    expect((JSON.parse(alone.stdout) as Summary).spans?.local).toBe(0);
    const viewsAlone = views();
    // Small spans, so that there are enough of them for the writer's thread to take part (LOCAL_MIN_SPANS).
    const runs = [1, 2].map(() => {
      const r = pathways(['rebuild', '--db', db, '--batch-size', '200', '--json', '--quiet'], {}, 300_000);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as Summary;
    });
    // The first run may have bundled the fold's module while the worker folded; by the second it is kept.
    const { events, spans } = runs[1]!;
    expect(spans, 'the summary names who folded the spans').toBeDefined();
    expect(spans!.workers).toBeGreaterThan(0);
    expect(spans!.local, 'spans the writer\'s thread folded').toBeGreaterThan(0);
    expect(spans!.workers + spans!.local).toBeGreaterThanOrEqual(Math.ceil(events / 200));
    expect(views()).toBe(viewsAlone);
  }, 600_000);

  it('builds a first import\'s views as a rebuild does, in the worker thread, to the same views', () => {
    // Nothing is published yet, so the import's catch-up is a rebuild; it once ran in the calling thread alone.
    const fresh = join(root, 'fresh.sqlite');
    const r = pathways(['import', population, '--db', fresh, '--known-at', '2023-11-01', '--json', '--quiet'], {}, 300_000);
    expect(r.code, r.stderr).toBe(0);
    const { projections } = JSON.parse(r.stdout) as { projections: Summary & { rebuilt: string[] } };
    expect(projections.rebuilt).toEqual(['reference-data', 'statistics', 'event-counts']);
    expect(projections.spans?.workers, 'spans the worker folded').toBeGreaterThan(0);
    expect(views(fresh)).toBe(views(db));
    // Once published, a catch-up goes on from the views: here there is nothing to do.
    const again = pathways(['catch-up', '--db', fresh, '--json', '--quiet']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ events: 0, rebuilt: [], published: null });
  }, 600_000);

  type Summary = { events: number; spans?: { workers: number; local: number } };
  function views(at = db): string {
    const r = pathways(['dump', '--db', at, '--what', 'views'], {}, 300_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(1000);
    return r.stdout;
  }
});
