/**
 * Differential benchmark of publish(): every indicator under a set of
 * breakdowns, both rule sets, the three cohort types, suppressed and not,
 * published by an older copy of publish.ts/suppress.ts and by the current
 * one. The count table of each request is counted once in SQL (inside one
 * views snapshot); only publish() is timed. Rows must be identical, order
 * included (JSON text compared), or the run fails.
 *
 *   pnpm pathways generate --out /tmp/pub-data --learners 5000 --seed 7
 *   pnpm pathways import /tmp/pub-data --db /tmp/pub.db --views /tmp/pub.views
 *   npx tsx scripts/bench/publish.ts --db /tmp/pub.db --views /tmp/pub.views [--old DIR | --old-ref REF | --no-old]
 *     [--indicators a,b] [--by 'vo_school;area:1,gender'] [--repeat N] [--slowest N]
 *
 * The old copy: --old DIR holds publish.ts and suppress.ts (and any other
 * module of packages/indicators/src it should use in its old form); with
 * --old-ref they are taken from git at that ref; --no-old times the current
 * code alone. Its imports of modules not in DIR are pointed at the current
 * sources.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import { openEngine } from '@leerroutes/engine';
import {
  INDICATORS, parseReportRequest, publish, relatedRequests, scopeOf, statisticsCountTable,
  type CountTable, type ReportRequest, type ReportRow,
} from '@leerroutes/indicators';

type Publish = typeof publish;

const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(`--${name}`);
const opt = (name: string, fallback?: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const indicatorsSrc = join(root, 'packages/indicators/src');

const BREAKDOWNS: readonly string[][] = [
  [], ['gender'], ['parental_education'], ['area:1'], ['area'], ['vo_school'], ['po_school'],
  ['area:1', 'gender'], ['vo_school', 'gender'], ['pupil_weight', 'advice'], ['board'],
];
const RULES = ['monitor', 'inspectie'] as const;
const COHORT_TYPES = ['advice', 'intake', 'leerjaar3'] as const;

/**
 * Load the old publish(): copy the old modules to a scratch directory,
 * pointing their imports of modules that are not part of the old copy at
 * the current sources (bare imports resolved from packages/indicators).
 */
async function loadOld(dir: string): Promise<Publish> {
  const scratch = mkdtempSync(join(tmpdir(), 'publish-old-'));
  const own = new Set(readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, '.js')));
  const fromIndicators = pathToFileURL(join(indicatorsSrc, 'index.ts')).href;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(dir, file), 'utf8').replace(/from '([^']+)'/g, (whole, spec: string) => {
      if (spec.startsWith('./')) {
        const name = spec.slice(2);
        return own.has(name) ? whole : `from '${pathToFileURL(join(indicatorsSrc, name.replace(/\.js$/, '.ts'))).href}'`;
      }
      if (spec.startsWith('.')) throw new Error(`${file}: cannot rewrite import '${spec}'`);
      return `from '${import.meta.resolve(spec, fromIndicators)}'`;
    });
    writeFileSync(join(scratch, file), text);
  }
  const mod = (await import(pathToFileURL(join(scratch, 'publish.ts')).href)) as { publish: Publish };
  return mod.publish;
}

function oldFromGit(ref: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'publish-ref-'));
  for (const f of ['publish.ts', 'suppress.ts']) {
    writeFileSync(join(dir, f), execFileSync('git', ['show', `${ref}:packages/indicators/src/${f}`], { cwd: root, encoding: 'utf8' }));
  }
  return dir;
}

const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

async function timed(fn: Publish, request: ReportRequest, table: CountTable, related: Map<string, CountTable>, repeat: number): Promise<{ rows: ReportRow[]; ms: number }> {
  const context = { related: async (r: ReportRequest) => related.get(JSON.stringify(r)) ?? [] };
  let best = Infinity;
  let rows: ReportRow[] = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = process.hrtime.bigint();
    rows = await fn(request, table, context);
    best = Math.min(best, ms(t0));
  }
  return { rows, ms: best };
}

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const fmt = (x: number): string => (Number.isNaN(x) ? '-' : x < 10 ? x.toFixed(2) : x.toFixed(1));

async function main(): Promise<void> {
  const db = opt('db', '/tmp/pub.db')!;
  const views = opt('views');
  const noOld = flag('no-old');
  const oldDir = opt('old-ref') !== undefined ? oldFromGit(opt('old-ref')!) : opt('old', '/tmp/publish-old')!;
  if (!noOld && !existsSync(join(oldDir, 'publish.ts'))) throw new Error(`no old publish.ts in ${oldDir} (use --old DIR, --old-ref REF or --no-old)`);
  const oldPublish = noOld ? null : await loadOld(oldDir);
  const repeat = Number(opt('repeat', '1'));
  const slowest = Number(opt('slowest', '10'));
  const indicators = opt('indicators')?.split(',') ?? [...INDICATORS];
  const breakdowns = opt('by') !== undefined ? opt('by')!.split(';').map((b) => b.split(',').filter((d) => d !== '')) : BREAKDOWNS;
  const suppressions = opt('suppressed') === 'only' ? [false] : opt('suppressed') === 'no' ? [true] : [false, true];

  const engine = await openEngine({ db, ...(views !== undefined ? { views } : {}) });
  const cohorts = await engine.cohorts();
  // A cohort that exists per type: the middle one, with followed-up years on both sides.
  const middle = (list: readonly string[]): string | undefined => list[Math.floor((list.length - 1) / 2)];
  const cohortOf = (type: (typeof COHORT_TYPES)[number], rules: string): string | undefined =>
    type === 'advice' ? middle(cohorts.advice[rules] ?? []) : middle(cohorts[type]);

  const results: { label: string; old: number; new: number; rows: number }[] = [];
  let skipped = 0;
  let mismatches = 0;
  await engine.views.reader.snapshot(async (kdb) => {
    for (const indicator of indicators) {
      for (const by of breakdowns) {
        for (const rules of RULES) {
          for (const cohortType of COHORT_TYPES) {
            const cohort = cohortOf(cohortType, rules);
            if (cohort === undefined) { skipped++; continue; }
            for (const unsuppressed of suppressions) {
              const parsed = parseReportRequest({ indicator, cohortType, cohort, rules, by, ...(unsuppressed ? { unsuppressed: true } : {}) });
              if (E.isLeft(parsed)) { skipped++; continue; }
              const request = parsed.right;
              const table = await statisticsCountTable(request, scopeOf(request, kdb));
              const related = new Map<string, CountTable>();
              for (const r of relatedRequests(request)) related.set(JSON.stringify(r), await statisticsCountTable(r, scopeOf(r, kdb)));
              const label = `${indicator} ${cohortType} ${cohort} ${rules} by=${by.join(',') || '-'}${unsuppressed ? ' unsuppressed' : ''}`;
              const fresh = await timed(publish, request, table, related, repeat);
              let oldMs = NaN;
              if (oldPublish) {
                const old = await timed(oldPublish, request, table, related, repeat);
                oldMs = old.ms;
                if (JSON.stringify(old.rows) !== JSON.stringify(fresh.rows)) {
                  mismatches++;
                  const a = old.rows.map((r) => JSON.stringify(r));
                  const b = fresh.rows.map((r) => JSON.stringify(r));
                  const at = a.findIndex((x, i) => x !== b[i]);
                  process.stderr.write(`MISMATCH ${label}: ${a.length} old rows, ${b.length} new; first difference at row ${at}\n  old ${a[at]}\n  new ${b[at]}\n`);
                }
              }
              results.push({ label, old: oldMs, new: fresh.ms, rows: fresh.rows.length });
              if (flag('verbose')) process.stderr.write(`${fmt(oldMs).padStart(8)} ${fmt(fresh.ms).padStart(8)} ms  ${label}\n`);
            }
          }
        }
      }
    }
  });
  await engine.close();

  const stats = (pick: (r: (typeof results)[number]) => number, filter: (r: (typeof results)[number]) => boolean = () => true) => {
    const xs = results.filter(filter).map(pick).sort((a, b) => a - b);
    return `p50 ${fmt(quantile(xs, 0.5)).padStart(7)}  p95 ${fmt(quantile(xs, 0.95)).padStart(7)}  max ${fmt(xs[xs.length - 1] ?? NaN).padStart(7)}  (n=${xs.length})`;
  };
  const suppressed = (r: (typeof results)[number]) => !r.label.endsWith('unsuppressed');
  console.log(`publish() over ${results.length} requests (${skipped} skipped: refused or no cohort), best of ${repeat}, ms`);
  console.log(`  old, all         ${stats((r) => r.old)}`);
  console.log(`  new, all         ${stats((r) => r.new)}`);
  console.log(`  old, suppressed  ${stats((r) => r.old, suppressed)}`);
  console.log(`  new, suppressed  ${stats((r) => r.new, suppressed)}`);
  const show = (title: string, key: 'old' | 'new') => {
    console.log(`slowest ${slowest}, ${title}:`);
    for (const r of [...results].filter((x) => !Number.isNaN(x[key])).sort((a, b) => b[key] - a[key]).slice(0, slowest)) {
      console.log(`  old ${fmt(r.old).padStart(8)}  new ${fmt(r.new).padStart(7)}  rows ${String(r.rows).padStart(5)}  ${r.label}`);
    }
  };
  if (oldPublish) show('old', 'old');
  show('new', 'new');
  if (mismatches > 0) {
    console.log(`${mismatches} MISMATCHES`);
    process.exitCode = 1;
  } else if (oldPublish) console.log('rows identical for every request');
}

await main();
