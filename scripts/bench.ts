/**
 * `pnpm bench [--size ci|110k|national] [--learners N --cohorts 2012-2016] [--keep DIR] [--backend postgres] [--rounds N]`
 *
 * Measures the whole engine on a generated population, each step in its own
 * process: generation, CSV import (and a corrected re-delivery known later),
 * raw append, the bare scan-and-parse floor (and two of it at once: what
 * both cores give against one), a full rebuild of every
 * projection, report latency (every indicator by up to two breakdowns, live
 * and as known on a past date), the DuckDB peer on the same CSVs, and
 * storage. With `--backend postgres` the same import, rebuild and reports
 * run again on PostgreSQL (a throwaway database on PATHWAYS_BENCH_PG's
 * server, default postgres://postgres@127.0.0.1:5432/postgres), beside the
 * embedded figures in the same table. With `--rounds N` (default 3 at 110k,
 * 1 otherwise) the import and the rebuild are measured N times, each right
 * after its floor, and their ratios given per pair and as the median: on a
 * shared machine the load moves within minutes, and a pair run back to back
 * shares it where one import and one floor minutes apart do not. Writes
 * bench-results/<size>.json and .md. The CI size checks the output's shape,
 * never its speed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { INDICATORS, defaultPublishThreads } from '@leerroutes/indicators';
import { checkShape, toMarkdown, type BenchResult, type Pair, type Rate } from './bench/result.js';
import { specOf } from './bench/spec.js';

const SIZES = {
  ci: { learners: 3_000, cohorts: '2012-2014' },
  '110k': { learners: 110_000, cohorts: '2012-2016' },
  national: { learners: 1_000_000, cohorts: '2012-2016' },
} as const;

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const sizeName = flag('size') ?? (flag('learners') ? `learners-${flag('learners')}` : 'ci');
const preset = SIZES[sizeName as keyof typeof SIZES];
if (!preset && !flag('learners')) {
  process.stderr.write(`unknown --size '${sizeName}' (ci, 110k, national), or give --learners N\n`);
  process.exit(2);
}
const learners = Number(flag('learners') ?? preset.learners);
const backend = flag('backend') ?? 'sqlite';
if (backend !== 'sqlite' && backend !== 'postgres') {
  process.stderr.write(`unknown --backend '${backend}' (sqlite, postgres)\n`);
  process.exit(2);
}
/** Pairs of import/append and rebuild/scan (measurePairs). Flags are checked before any work: a national run takes half an hour. */
const rounds = Number(flag('rounds') ?? (sizeName === '110k' ? 3 : 1));
if (!Number.isInteger(rounds) || rounds < 1) {
  process.stderr.write(`--rounds must be a whole number of at least 1, not '${flag('rounds')}'\n`);
  process.exit(2);
}
const cohorts = flag('cohorts') ?? preset?.cohorts ?? '2012-2016';
const work = flag('keep') ?? mkdtempSync(join(tmpdir(), 'leerroutes-bench-'));
mkdirSync(work, { recursive: true });
const dir = join(work, 'population');
const fix = join(work, 'correction');
/** The population is known from this day, its correction from a later one; reports as known on a day between tell them apart. */
const KNOWN_AT = '2023-11-01', CORRECTED_AT = '2024-01-15', KNOWN_ON = '2023-12-31';
const db = join(work, 'bench.sqlite');
const views = join(work, 'bench.views');
const appendDb = join(work, 'append.sqlite');
for (const f of [db, appendDb]) for (const s of ['', '-wal', '-shm']) rmSync(f + s, { force: true });
rmSync(views, { recursive: true, force: true });

/** A step's events, time, CPU, rate and peak memory as the result holds them. */
const rateOf = (x: Record<string, any>): Rate => ({ events: x['events'], seconds: x['seconds'], cpuSeconds: x['cpuSeconds'], eventsPerSecond: x['eventsPerSecond'], peakRssMiB: x['peakRssMiB'] });

function step(name: string, ...args: string[]): Record<string, any> {
  process.stderr.write(`bench: ${name}...\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'bench', 'step.ts'), name, ...args], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (r.status !== 0 || !line) throw new Error(`bench step ${name} failed (exit ${r.status})\n${r.stdout.slice(-2000)}`);
  const result = JSON.parse(line.slice(7));
  process.stderr.write(`bench: ${name} done ${JSON.stringify(result).slice(0, 300)}\n`);
  return result;
}

/** The same step twice at once, each in its own process (the machine's cores measured against one). */
async function stepsAtOnce(name: string, ...argsOfEach: string[][]): Promise<Record<string, any>[]> {
  process.stderr.write(`bench: ${argsOfEach.length} x ${name} at once...\n`);
  const runs = argsOfEach.map((args) => new Promise<Record<string, any>>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'bench', 'step.ts'), name, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.on('error', reject);
    child.on('close', (status) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (status !== 0 || !line) reject(new Error(`bench step ${name} failed (exit ${status})\n${out.slice(-2000)}`));
      else resolve(JSON.parse(line.slice(7)) as Record<string, any>);
    });
  }));
  const results = await Promise.all(runs);
  process.stderr.write(`bench: ${name} at once done ${results.map((r) => JSON.stringify(r).slice(0, 120)).join(' ')}\n`);
  return results;
}

const middleCohort = (() => {
  const [a, b] = cohorts.split('-').map(Number) as [number, number];
  const intake = Math.floor((a + b) / 2);
  return `${intake - 1}-${intake}`; // advice is given the school year before intake
})();

if (!existsSync(join(dir, 'enrollments.csv'))) step('generate', '--out', dir, '--learners', String(learners), '--cohorts', cohorts, '--seed', '20261122', '--redelivery', fix);
const imported = step('import', '--dir', dir, '--db', db, '--known-at', KNOWN_AT);
const corrected = step('import', '--dir', fix, '--db', db, '--known-at', CORRECTED_AT);
const append = step('append', '--db', db, '--target', appendDb);
const scan = step('scan', '--db', db);
const twoScans = await stepsAtOnce('scan', ['--db', db], ['--db', db]);
const rebuilt = step('rebuild', '--db', db, '--views', views);
const pairs = measurePairs();
const reports = step('reports', '--db', db, '--views', views, '--cohort', middleCohort, '--known-on', KNOWN_ON);
const slowestLive = (reports['timings'] as { scope: string; indicator: string; by: string; ms: number }[]).filter((t) => t.scope === 'live').sort((a, b) => b.ms - a.ms)[0]!;
const heavy = specOf(slowestLive.indicator, slowestLive.by === '-' ? [] : slowestLive.by.split(','));
const besideStep = (threads: number) => step('beside', '--db', db, '--views', views, '--cohort', middleCohort, '--heavy', heavy, '--publish-threads', String(threads));
const beside = { threads: besideStep(defaultPublishThreads()), callingThread: besideStep(0) };
const peer = runPeer();
const mainJob = runMainJob();

/**
 * The main job as a user runs it: `pathways import` of the delivery into a
 * new log, its views built and published in the same process. The import
 * pairs time the import alone (--no-projections), against the append floor.
 */
function runMainJob(): Record<string, any> {
  const mainDb = join(work, 'main-job.sqlite');
  const mainViews = join(work, 'main-job.views');
  const clear = () => {
    for (const s of ['', '-wal', '-shm']) rmSync(mainDb + s, { force: true });
    rmSync(mainViews, { recursive: true, force: true });
  };
  clear();
  try {
    return step('import', '--dir', dir, '--db', mainDb, '--views', mainViews, '--known-at', KNOWN_AT, '--with-views');
  } finally {
    clear();
  }
}

/**
 * Each floor with its subject, back to back: the first round's figures are
 * the run's own (above); every further round appends the log again, imports
 * the same delivery into a throwaway log, scans and rebuilds into throwaway
 * views. A ratio is per event, as in the table: the floors carry the
 * correction's events too.
 */
function measurePairs(): BenchResult['pairs'] {
  const cores = cpus().length;
  const pairOf = (subject: Record<string, any>, floor: Record<string, any>): Pair => {
    // Per event: the floors carry the correction's events too.
    const per = (x: Record<string, any>, k: 'seconds' | 'cpuSeconds') => (x[k] as number) / (x['events'] as number);
    return {
      seconds: subject['seconds'], floorSeconds: floor['seconds'], ratio: per(subject, 'seconds') / per(floor, 'seconds'),
      cpuSeconds: subject['cpuSeconds'], floorCpuSeconds: floor['cpuSeconds'], cpuRatio: per(subject, 'cpuSeconds') / per(floor, 'cpuSeconds'),
      leastRatio: per(subject, 'cpuSeconds') / cores / per(floor, 'seconds'),
    };
  };
  const importPairs = [pairOf(imported, append)];
  const rebuildPairs = [pairOf(rebuilt, scan)];
  const roundDb = join(work, 'round.sqlite');
  const roundViews = join(work, 'round.views');
  const clear = () => {
    for (const f of [roundDb, appendDb]) for (const s of ['', '-wal', '-shm']) rmSync(f + s, { force: true });
    rmSync(roundViews, { recursive: true, force: true });
  };
  for (let round = 2; round <= rounds; round++) {
    clear();
    const floor = step('append', '--db', db, '--target', appendDb);
    const again = step('import', '--dir', dir, '--db', roundDb, '--known-at', KNOWN_AT);
    importPairs.push(pairOf(again, floor));
    const scanAgain = step('scan', '--db', db);
    const rebuildAgain = step('rebuild', '--db', db, '--views', roundViews);
    // A pair compares like with like only if each round did the first round's work.
    const counts = [[again, imported], [floor, append], [scanAgain, scan], [rebuildAgain, rebuilt]] as const;
    if (counts.some(([x, first]) => x['events'] !== first['events'])) {
      throw new Error(`round ${round} handled other events than the first: import ${again['events']} vs ${imported['events']}, append ${floor['events']} vs ${append['events']}, scan ${scanAgain['events']} vs ${scan['events']}, rebuild ${rebuildAgain['events']} vs ${rebuilt['events']}`);
    }
    rebuildPairs.push(pairOf(rebuildAgain, scanAgain));
  }
  clear();
  const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2; };
  return {
    import: importPairs, rebuild: rebuildPairs,
    importMedianRatio: median(importPairs.map((p) => p.ratio)), rebuildMedianRatio: median(rebuildPairs.map((p) => p.ratio)),
    importMedianCpuRatio: median(importPairs.map((p) => p.cpuRatio)), rebuildMedianCpuRatio: median(rebuildPairs.map((p) => p.cpuRatio)),
  };
}

/** The same deliveries, rebuild and reports with the log, ledger and views in a throwaway PostgreSQL database. */
async function runOnPostgres(): Promise<NonNullable<BenchResult['postgres']>> {
  const admin = process.env['PATHWAYS_BENCH_PG'] || 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `lr_bench_${randomBytes(6).toString('hex')}`;
  const onAdmin = async (text: string) => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    try { await c.query(text); } finally { await c.end(); }
  };
  await onAdmin(`CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  try {
    const pgImport = step('import', '--dir', dir, '--db', url.toString(), '--known-at', KNOWN_AT);
    const pgCorrection = step('import', '--dir', fix, '--db', url.toString(), '--known-at', CORRECTED_AT);
    const pgRebuild = step('rebuild', '--db', url.toString());
    const pgReports = step('reports', '--db', url.toString(), '--cohort', middleCohort, '--known-on', KNOWN_ON);
    const pgTimings = pgReports['timings'] as Timing[];
    // The shared log with DuckDB views of this machine's own (--views DIR with a PostgreSQL --db).
    const localViews = join(work, 'postgres-local.views');
    rmSync(localViews, { recursive: true, force: true });
    const localRebuild = step('rebuild', '--db', url.toString(), '--views', localViews);
    const localReports = step('reports', '--db', url.toString(), '--views', localViews, '--cohort', middleCohort, '--known-on', KNOWN_ON);
    const localTimings = localReports['timings'] as Timing[];
    return {
      import: { ...rateOf(pgImport), rows: pgImport['rows'], enrolmentRows: pgImport['enrolmentRows'], rowsPerSecond: pgImport['rowsPerSecond'] },
      correction: { events: pgCorrection['events'], seconds: pgCorrection['seconds'] },
      rebuild: rateOf(pgRebuild),
      reports: { learners: pgReports['learners'], scopes: Object.fromEntries(['live', 'asKnownOn'].map((scope) => [scope, summary(pgTimings.filter((t) => t.scope === scope))])) },
      storage: { logBytes: pgRebuild['logBytes'], viewsBytes: pgRebuild['viewsBytes'] },
      localViews: {
        rebuild: rateOf(localRebuild),
        reports: { learners: localReports['learners'], scopes: Object.fromEntries(['live', 'asKnownOn'].map((scope) => [scope, summary(localTimings.filter((t) => t.scope === scope))])) },
        viewsBytes: localRebuild['viewsBytes'],
      },
    };
  } finally {
    if (flag('keep')) process.stderr.write(`bench: the PostgreSQL run is kept in ${url.toString()}\n`);
    else await onAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

/** The DuckDB baseline in its own process (scripts/bench/duckdb-baseline.ts). */
function runPeer(): Record<string, any> {
  process.stderr.write('bench: duckdb peer...\n');
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'bench', 'duckdb-baseline.ts'), '--dir', dir, '--cohort', middleCohort], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (r.status !== 0 || !line) throw new Error(`the DuckDB peer failed (exit ${r.status})\n${r.stdout.slice(-2000)}`);
  return JSON.parse(line.slice(7));
}

type Timing = { scope: string; indicator: string; by: string; ms: number; rows: number };
/** Row counts the by-size figures are cut at (each kept only where some answer of both scopes is within it). */
const SIZE_LIMITS = [1_000, 5_000, 10_000] as const;
const timings = reports['timings'] as Timing[];
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const summary = (list: Timing[]) => {
  const ms = list.map((t) => t.ms).sort((a, b) => a - b);
  return { requests: ms.length, p50Ms: percentile(ms, 50), p95Ms: percentile(ms, 95), maxMs: ms[ms.length - 1]! };
};
const maxOf = (list: Timing[]) => Math.max(...list.map((t) => t.ms));
const dbBytes = statSync(db).size + (existsSync(db + '-wal') ? statSync(db + '-wal').size : 0);

// After the embedded run's figures, so the two never share the machine.
const onPostgres = backend === 'postgres' ? await runOnPostgres() : undefined;

const result: BenchResult = {
  size: sizeName, learners, cohorts, machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  import: { ...rateOf(imported), rows: imported['rows'], enrolmentRows: imported['enrolmentRows'], rowsPerSecond: imported['rowsPerSecond'] },
  append: rateOf(append),
  scan: rateOf(scan),
  rebuild: { ...rateOf(rebuilt), ratioToScan: pairs.rebuild[0]!.ratio },
  cores: {
    twoScansSeconds: twoScans.map((x) => x['seconds'] as number),
    capacity: (2 * scan['seconds']) / (twoScans.reduce((sum, x) => sum + (x['seconds'] as number), 0) / twoScans.length),
  },
  correction: { events: corrected['events'], seconds: corrected['seconds'] },
  mainJob: { ...rateOf(mainJob), importSeconds: mainJob['importSeconds'], viewsEvents: mainJob['viewsEvents'], ...(mainJob['spans'] ? { spans: mainJob['spans'] } : {}) },
  reports: {
    cohort: middleCohort, learners: reports['learners'], knownOn: KNOWN_ON, openMs: reports['openMs'], firstMs: reports['firstMs'],
    scopes: Object.fromEntries(['live', 'asKnownOn'].map((scope) => [scope, summary(timings.filter((t) => t.scope === scope))])),
    slowest: [...timings].sort((a, b) => b.ms - a.ms).slice(0, 3).map(({ scope, indicator, by, ms }) => ({ scope, indicator, by, ms })),
    bySize: SIZE_LIMITS.flatMap((atMostRows) => {
      const within = (scope: string) => timings.filter((t) => t.scope === scope && t.rows <= atMostRows);
      return within('live').length > 0 && within('asKnownOn').length > 0
        ? [{ atMostRows, scopes: Object.fromEntries(['live', 'asKnownOn'].map((scope) => [scope, summary(within(scope))])) }]
        : [];
    }),
    perIndicator: Object.fromEntries(INDICATORS.map((i) => [i, {
      liveMaxMs: maxOf(timings.filter((t) => t.indicator === i && t.scope === 'live')),
      asKnownOnMaxMs: maxOf(timings.filter((t) => t.indicator === i && t.scope === 'asKnownOn')),
    }])),
    beside: {
      heavy, small: beside.threads['small'],
      byThreads: Object.fromEntries(Object.entries(beside).map(([mode, b]) => [mode, {
        threads: b['threads'], heavyMs: b['heavyMs'], aloneMedianMs: b['aloneMedianMs'], besideRequests: b['besideRequests'], besideMedianMs: b['besideMedianMs'], besideMaxMs: b['besideMaxMs'],
      }])) as BenchResult['reports']['beside']['byThreads'],
    },
  },
  peer: {
    loadSeconds: peer['loadSeconds'],
    queries: Object.fromEntries(Object.entries(peer['queries'] as Record<string, { coldMs: number; medianMs: number }>).map(([q, d]) => {
      const e = reports['peers'][q] as { coldMs: number; medianMs: number };
      return [q, { duckdbColdMs: d.coldMs, duckdbMedianMs: d.medianMs, engineColdMs: e.coldMs, engineMedianMs: e.medianMs, coldRatio: e.coldMs / d.coldMs, medianRatio: e.medianMs / d.medianMs }];
    })),
  },
  storage: { dbBytes, viewsBytes: rebuilt['viewsBytes'], bytesPerMillionEvents: (dbBytes / imported['events']) * 1e6 },
  pairs,
  ...(onPostgres ? { postgres: onPostgres } : {}),
};
const problems = checkShape(result);
mkdirSync('bench-results', { recursive: true });
writeFileSync(join('bench-results', `${sizeName}.json`), JSON.stringify(result, null, 2) + '\n');
const md = toMarkdown(result);
writeFileSync(join('bench-results', `${sizeName}.md`), md + '\n');
process.stdout.write(md + '\n');
if (!flag('keep')) rmSync(work, { recursive: true, force: true });
if (problems.length > 0) {
  process.stderr.write(`bench output has the wrong shape:\n  ${problems.join('\n  ')}\n`);
  process.exit(1);
}
