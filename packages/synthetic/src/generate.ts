import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BAD_KINDS, BadRowInjector, type BadKind, type InjectedRow } from './bad-rows.js';
import {
  HEADERS, adviceFields, adviceLine, areaLine, diplomaFields, diplomaLine, enrolmentFields, enrolmentLine, institutionLine, learnerFields, learnerLine, type FileName,
} from './csv.js';
import { buildWorld, simulateLearner } from './life.js';
import { resolveOptions, type GenerateOptions, type ResolvedOptions } from './options.js';
import { Redelivery, type RedeliveryManifest } from './redelivery.js';
import { CsvSink } from './sink.js';

export interface GenerateProgress {
  readonly learnersDone: number;
  readonly learnersTotal: number;
  /** Data rows written to all files so far. */
  readonly rows: number;
  readonly enrolmentRows: number;
}

export interface GenerateSummary {
  readonly out: string;
  readonly seed: string;
  readonly learners: number;
  readonly cohorts: string;
  readonly referenceDates: { readonly first: string; readonly last: string };
  /** Data rows per file (bad rows included). */
  readonly rows: Readonly<Record<string, number>>;
  readonly badRows: { readonly total: number; readonly byKind: Readonly<Record<BadKind, number>> };
  readonly redelivery: { readonly dir: string; readonly referenceDates: readonly string[]; readonly rows: Readonly<Record<string, number>> } | null;
  readonly elapsedMs: number;
}

const PROGRESS_EVERY = 1024;

/**
 * Writes the registration CSVs of SPEC section 7 for a synthetic population:
 * one learner's rows at a time, so memory does not grow with the population
 * (only the manifest's lists of injected bad rows and re-delivery changes do,
 * with their small shares). Same options, same bytes.
 */
export async function generatePopulation(options: GenerateOptions, onProgress?: (p: GenerateProgress) => void): Promise<GenerateSummary> {
  const started = performance.now();
  const o = resolveOptions(options);
  await mkdir(o.out, { recursive: true });
  if (o.redelivery) await mkdir(o.redelivery, { recursive: true });
  const world = buildWorld({ seed: o.seed, learners: o.learners, firstIntake: o.firstIntake, lastIntake: o.lastIntake, until: o.until, params: o.parameters });

  await writeFile(join(o.out, 'areas.csv'), HEADERS.areas.join(',') + '\n' + world.geo.areas.map(areaLine).join(''));
  await writeFile(join(o.out, 'institutions.csv'), HEADERS.institutions.join(',') + '\n' + world.inst.all.map(institutionLine).join(''));

  const sinks = {
    learners: new CsvSink(join(o.out, 'learners.csv'), HEADERS.learners),
    advice: new CsvSink(join(o.out, 'advice.csv'), HEADERS.advice),
    enrollments: new CsvSink(join(o.out, 'enrollments.csv'), HEADERS.enrollments),
    diplomas: new CsvSink(join(o.out, 'diplomas.csv'), HEADERS.diplomas),
  } satisfies Partial<Record<FileName, CsvSink>>;
  const all = Object.values(sinks);
  const injector = o.badRows > 0 ? new BadRowInjector(world.seed, o.badRows) : null;
  const redelivery = o.redelivery ? new Redelivery(o.redelivery, world, o.until - o.redeliveryDates + 1) : null;

  const write = (file: keyof typeof sinks, text: string, fields: () => string[]) => {
    const sink = sinks[file];
    sink.push(text);
    injector?.after(file, fields, sink);
  };
  const progress = (done: number) => {
    if (!onProgress) return;
    onProgress({ learnersDone: done, learnersTotal: o.learners, rows: all.reduce((n, s) => n + s.rows, 0), enrolmentRows: sinks.enrollments.rows });
  };

  for (let i = 0; i < o.learners; i++) {
    const rec = simulateLearner(world, i);
    injector?.forLearner(i);
    const id = rec.id;
    for (const r of rec.learners) write('learners', learnerLine(id, r), () => learnerFields(id, r));
    for (const a of rec.advice) write('advice', adviceLine(id, a), () => adviceFields(id, a));
    for (const e of rec.enrolments) write('enrollments', enrolmentLine(id, e), () => enrolmentFields(id, e));
    for (const d of rec.diplomas) write('diplomas', diplomaLine(id, d), () => diplomaFields(id, d));
    redelivery?.add(rec);
    if ((i + 1) % PROGRESS_EVERY === 0) {
      // Waiting for the streams here is the backpressure: generation pauses while the disk catches up.
      for (const s of all) if (s.full) await s.flush();
      if (redelivery?.full) await redelivery.flush();
      progress(i + 1);
    }
  }
  await Promise.all(all.map((s) => s.close()));
  const redeliveryManifest = redelivery ? await redelivery.close() : null;
  progress(o.learners);

  const rows: Record<string, number> = {
    'learners.csv': sinks.learners.rows, 'advice.csv': sinks.advice.rows, 'enrollments.csv': sinks.enrollments.rows, 'diplomas.csv': sinks.diplomas.rows,
    'areas.csv': world.geo.areas.length, 'institutions.csv': world.inst.all.length,
  };
  const injected = injector?.injected ?? [];
  const byKind = Object.fromEntries(BAD_KINDS.map((k) => [k, injected.filter((r) => r.kind === k).length])) as Record<BadKind, number>;
  await writeFile(join(o.out, 'manifest.json'), JSON.stringify(manifest(o, rows, injected, byKind), null, 1) + '\n');
  if (o.redelivery && redeliveryManifest) {
    await writeFile(join(o.redelivery, 'manifest.json'), JSON.stringify({ ...header(o), kind: 'corrected re-delivery', ...redeliveryManifest }, null, 1) + '\n');
  }
  return {
    out: o.out, seed: o.seed, learners: o.learners, cohorts: `${o.firstIntake}-${o.lastIntake}`,
    referenceDates: { first: `${o.firstIntake - 1}-10-01`, last: `${o.until}-10-01` },
    rows, badRows: { total: injected.length, byKind },
    redelivery: o.redelivery && redeliveryManifest
      ? { dir: o.redelivery, referenceDates: redeliveryManifest.referenceDates, rows: Object.fromEntries(Object.entries(redeliveryManifest.files).map(([f, v]) => [f, v.rows])) }
      : null,
    elapsedMs: performance.now() - started,
  };
}

/** What reproduces the files: the seed and options (paths left out, so two directories compare equal). */
function header(o: ResolvedOptions) {
  return {
    generator: '@leerroutes/synthetic',
    seed: o.seed,
    options: {
      learners: o.learners, cohorts: `${o.firstIntake}-${o.lastIntake}`, until: o.until, badRows: o.badRows,
      redelivery: o.redelivery !== null, redeliveryDates: o.redelivery ? o.redeliveryDates : null,
    },
    referenceDates: { first: `${o.firstIntake - 1}-10-01`, last: `${o.until}-10-01` },
  };
}

function manifest(o: ResolvedOptions, rows: Record<string, number>, injected: readonly InjectedRow[], byKind: Record<BadKind, number>) {
  return {
    ...header(o),
    files: rows,
    badRows: {
      note: 'rows added next to good ones; line numbers count the header as line 1; a duplicate-key row is the later of the two rows with that key',
      total: injected.length,
      byKind,
      rows: injected,
    },
  };
}

export type { RedeliveryManifest };
