/**
 * `pnpm bench [--size ci|national] [--learners N --cohorts 2012-2016] [--keep DIR]`
 *
 * Measures the whole engine on a generated population, each step in its own
 * process: generation, CSV import, raw append, the bare scan-and-parse floor,
 * a full rebuild of every projection, report latency from the views, an
 * as-known-on replay of one cohort, and database size. Writes
 * bench-results/<size>.json and .md. The CI size checks the output's shape,
 * never its speed.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkShape, toMarkdown, type BenchResult } from './bench/result.js';

const SIZES = {
  ci: { learners: 3_000, cohorts: '2012-2014', reportCalls: 10 },
  national: { learners: 1_000_000, cohorts: '2012-2016', reportCalls: 100 },
} as const;

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const sizeName = flag('size') ?? (flag('learners') ? `learners-${flag('learners')}` : 'ci');
const preset = SIZES[sizeName as keyof typeof SIZES];
if (!preset && !flag('learners')) {
  process.stderr.write(`unknown --size '${sizeName}' (ci, national), or give --learners N\n`);
  process.exit(2);
}
const learners = Number(flag('learners') ?? preset.learners);
const cohorts = flag('cohorts') ?? preset?.cohorts ?? '2012-2016';
const reportCalls = Number(flag('calls') ?? preset?.reportCalls ?? 20);
const work = flag('keep') ?? mkdtempSync(join(tmpdir(), 'leerroutes-bench-'));
mkdirSync(work, { recursive: true });
const dir = join(work, 'population');
const db = join(work, 'bench.sqlite');
const views = join(work, 'bench.views');
const appendDb = join(work, 'append.sqlite');
for (const f of [db, appendDb]) for (const s of ['', '-wal', '-shm']) rmSync(f + s, { force: true });
rmSync(views, { recursive: true, force: true });

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

const middleCohort = (() => {
  const [a, b] = cohorts.split('-').map(Number) as [number, number];
  const intake = Math.floor((a + b) / 2);
  return `${intake - 1}-${intake}`; // advice is given the school year before intake
})();

if (!existsSync(join(dir, 'enrollments.csv'))) step('generate', '--out', dir, '--learners', String(learners), '--cohorts', cohorts, '--seed', '20261122');
const imported = step('import', '--dir', dir, '--db', db);
const append = step('append', '--db', db, '--target', appendDb);
const scan = step('scan', '--db', db);
const rebuilt = step('rebuild', '--db', db, '--views', views);
const reports = step('report', '--db', db, '--views', views, '--calls', String(reportCalls), '--cohort', middleCohort);
const asKnownOn = step('as-known-on', '--db', db, '--views', views, '--cohort', middleCohort);
const dbBytes = statSync(db).size + (existsSync(db + '-wal') ? statSync(db + '-wal').size : 0);

const result: BenchResult = {
  size: sizeName, learners, cohorts, machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  import: { rows: imported['rows'], enrolmentRows: imported['enrolmentRows'], events: imported['events'], seconds: imported['seconds'], rowsPerSecond: imported['rowsPerSecond'], eventsPerSecond: imported['eventsPerSecond'], peakRssMiB: imported['peakRssMiB'] },
  append: { events: append['events'], seconds: append['seconds'], eventsPerSecond: append['eventsPerSecond'], peakRssMiB: append['peakRssMiB'] },
  scan: { events: scan['events'], seconds: scan['seconds'], eventsPerSecond: scan['eventsPerSecond'], peakRssMiB: scan['peakRssMiB'] },
  rebuild: { events: rebuilt['events'], seconds: rebuilt['seconds'], eventsPerSecond: rebuilt['eventsPerSecond'], peakRssMiB: rebuilt['peakRssMiB'], ratioToScan: rebuilt['seconds'] / scan['seconds'] },
  reports: { cohort: middleCohort, calls: reportCalls, learners: reports['learners'], cohortLoadMs: reports['cohortLoadMs'], indicators: reports['indicators'] },
  asKnownOn: { cohort: middleCohort, seconds: asKnownOn['seconds'], yearThreeLearners: asKnownOn['yearThreeLearners'], peakRssMiB: asKnownOn['peakRssMiB'] },
  storage: { dbBytes, viewsBytes: rebuilt['viewsBytes'], bytesPerMillionEvents: (dbBytes / imported['events']) * 1e6 },
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
