/**
 * A generated population (packages/synthetic) imported into a log and read
 * back through a replay of everything (the engine's own path from
 * registration files to pathways, coverage and school groups, without the
 * views), then held in memory so that many reports read it cheaply.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from '@leerroutes/event-store';
import { openSqliteEventStore } from '@leerroutes/event-store/sqlite';
import { importDirectory } from '@leerroutes/import';
import { createMemoryPathwaySource, type Pathway, type PathwaySource } from '@leerroutes/pathway';
import { ZUID_DISTRICT, generatePopulation, measureDirectory, type PublishedFiguresResult } from '@leerroutes/synthetic';
import { replayAsKnownOn } from '../src/oracle/index.js';

export interface Population {
  readonly source: PathwaySource;
  readonly store: EventStore;
  /** Institutions put in the school groups `pilot` and `comparison`. */
  readonly groups: { readonly pilot: readonly string[]; readonly comparison: readonly string[] };
  /** The published figures as packages/synthetic measures them from the CSV files: an implementation of its own. */
  readonly figures: PublishedFiguresResult;
  close(): Promise<void>;
}

export async function population(options: { learners: number; cohorts: string; seed: string; until: number }): Promise<Population> {
  const root = mkdtempSync(join(tmpdir(), 'leerroutes-indicators-'));
  const dir = join(root, 'population');
  await generatePopulation({ out: dir, learners: options.learners, cohorts: options.cohorts, seed: options.seed, until: options.until });
  // A pilot and its comparison schools (SPEC 6, school groups): every third VO school, from 2014 on.
  const vo = readFileSync(join(dir, 'institutions.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')).filter((f) => f[4] === 'vo').map((f) => f[0]!);
  const pilot = vo.filter((_, i) => i % 6 === 0);
  const comparison = vo.filter((_, i) => i % 6 === 3);
  writeFileSync(join(dir, 'school_groups.csv'), ['institution,group,valid_from,valid_to',
    ...pilot.map((i) => `${i},pilot,2014-08-01,`), ...comparison.map((i) => `${i},comparison,2014-08-01,`)].join('\n') + '\n');
  const figures = await measureDirectory(dir, ZUID_DISTRICT);
  const store = openSqliteEventStore({ path: join(root, 'log.sqlite') });
  await importDirectory({ dir, store, knownAt: '2024-01-01' });
  const replay = (await replayAsKnownOn(store, null)).source;
  const pathways: Pathway[] = [];
  for await (const batch of replay.allPathways()) pathways.push(...batch);
  const source = createMemoryPathwaySource(pathways, { referenceData: await replay.referenceData(), coveredReferenceDates: await replay.coveredReferenceDates() });
  return {
    source, store, groups: { pilot, comparison }, figures,
    async close() {
      await store.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
