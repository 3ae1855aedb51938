import { existsSync } from 'node:fs';
import { openSqliteEventStore } from '@leerroutes/event-store/sqlite';
import { openDuckDbViews } from '@leerroutes/projection-runtime';
import { createViewsPathwaySource } from '@leerroutes/projection-learner-pathway';
import { ABSOLUTE_MIN_CELL, DEFAULT_MIN_CELL, RULE_SETS } from '@leerroutes/domain';
import {
  COHORT_OPTIONAL, DIMENSIONS, INDICATORS, ReportError, compareRuleSets, formatReport, parseReportRequest, runReport,
  type ReportDeps, type ReportFormat, type ReportRequest,
} from '@leerroutes/indicators';
import type { PathwaySource } from '@leerroutes/pathway';
import { CommandError, UsageError, dbPath, stringFlag, viewsPath, type Command, type CommandContext, type OptionSpec } from '../command.js';
import { DB_OPTION, VIEWS_OPTION } from '../options.js';

/** What requestFrom reads; explain takes them too. */
export const REQUEST_OPTIONS: readonly OptionSpec[] = [
  { name: 'cohort', value: 'YEAR', description: `the cohort, by school year (2011-2012); ${COHORT_OPTIONAL.join(', ')} run over everyone without it` },
  { name: 'cohort-type', value: 'advice|intake', description: 'cohorts by the school year of the advice or of the intake in VO (default advice)' },
  { name: 'rules', value: 'NAME', description: `rule set: ${Object.keys(RULE_SETS).join(', ')} (default monitor)` },
  { name: 'by', value: 'DIM[,DIM]', description: `up to two breakdowns: ${DIMENSIONS.join(', ')}; area:N for depth N of the area hierarchy` },
  { name: 'as-known-on', value: 'DATE', description: 'replay the log with only the events known on that date (no views needed)' },
  { name: 'as-of', value: 'YEAR', description: 'valid time: only facts that occurred by the end of school year YEAR (also a replay; combines with --as-known-on)' },
  { name: 'min-cell', value: 'N', description: `suppress cells of fewer than N learners (default ${DEFAULT_MIN_CELL}, never below ${ABSOLUTE_MIN_CELL})` },
  { name: 'unsuppressed', description: 'local operator only: show the cells under the threshold too' },
];

/** What formatFlag reads, for a command printing in `formats`. */
export const formatOptions = (formats: readonly string[]): OptionSpec[] => [
  { name: 'format', value: formats.join('|'), description: `output format (default ${formats[0]})` },
  { name: 'json', description: 'same as --format json' },
];

/** The event log, and the published views unless the request replays the log as known on a date. */
export async function openDeps(ctx: CommandContext, needViews: boolean): Promise<{ deps: ReportDeps; close: () => Promise<void> }> {
  const path = dbPath(ctx);
  if (!existsSync(path)) throw new CommandError(`no event log at ${path} (import something first, or pass --db)`);
  const store = openSqliteEventStore({ path });
  if (!needViews) {
    const unavailable: PathwaySource = new Proxy({} as PathwaySource, {
      get: () => { throw new CommandError('views not opened'); },
    });
    return { deps: { store, pathways: unavailable }, close: () => store.close() };
  }
  const vpath = viewsPath(ctx);
  const views = existsSync(vpath) ? await openDuckDbViews(vpath) : null;
  if (!views || (await views.reader.published()) === null) {
    await views?.close();
    await store.close();
    throw new CommandError(`no views at ${vpath}: run 'pnpm pathways rebuild' first, or use --as-known-on to replay the log`);
  }
  const pathways = createViewsPathwaySource(views.reader);
  const [checkpoint, head] = [await pathways.checkpoint(), await store.headPosition()];
  if (checkpoint < head) ctx.stderr.write(`note: views reflect the log up to position ${checkpoint} of ${head}; run 'pnpm pathways catch-up' (a server does it by itself)\n`);
  return { deps: { store, pathways }, close: async () => { await views.close(); await store.close(); } };
}

export function formatFlag(ctx: CommandContext, allowed: readonly string[]): string {
  const f = stringFlag(ctx, 'format') ?? (ctx.flags['json'] ? 'json' : 'table');
  if (!allowed.includes(f)) throw new UsageError(`--format must be one of ${allowed.join(', ')}`);
  return f;
}

/** The report request from the positional indicator and the flags; usage errors carry every reason. */
export function requestFrom(ctx: CommandContext, indicator: string | undefined): ReportRequest {
  if (!indicator) throw new UsageError(`name an indicator: ${INDICATORS.join(', ')}`);
  const parsed = parseReportRequest({
    indicator,
    cohortType: stringFlag(ctx, 'cohort-type'),
    cohort: stringFlag(ctx, 'cohort'),
    rules: stringFlag(ctx, 'rules'),
    by: stringFlag(ctx, 'by'),
    asKnownOn: stringFlag(ctx, 'as-known-on'),
    asOfSchoolYear: stringFlag(ctx, 'as-of'),
    unsuppressed: ctx.flags['unsuppressed'] === true ? true : undefined,
    minCell: stringFlag(ctx, 'min-cell'),
  });
  if (parsed._tag === 'Left') throw new UsageError(parsed.left.join('\n'));
  return parsed.right;
}

export async function withReportErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ReportError) throw new CommandError(err.message);
    throw err;
  }
}

const prefixCsv = (csv: string, rules: string, withHeader: boolean): string => {
  const [header, ...rows] = csv.trimEnd().split('\n');
  return [...(withHeader ? [`rules,${header}`] : []), ...rows.map((r) => `${rules},${r}`)].join('\n') + '\n';
};

export const command: Command = {
  name: 'report',
  summary: 'An indicator for a cohort under a rule set, in long format (table, json or csv), optionally as known on a date',
  usage: [
    'Usage: pnpm pathways report <indicator> --cohort 2011-2012 [options]',
    '',
    'An indicator for a cohort under a rule set, in long format: one row per group, offset or',
    'school year, and category, with count, denominator, percent and suppressed.',
    `Indicators: ${INDICATORS.join(', ')}.`,
  ].join('\n'),
  options: [
    ...REQUEST_OPTIONS,
    { name: 'compare-rules', value: 'NAME', description: 'run under a second rule set too and list the learners classified differently' },
    ...formatOptions(['table', 'json', 'csv']),
    DB_OPTION, VIEWS_OPTION,
  ],
  maxArgs: 1,
  async run(ctx) {
    const request = requestFrom(ctx, ctx.args[0]);
    const format = formatFlag(ctx, ['table', 'json', 'csv']) as ReportFormat;
    const other = stringFlag(ctx, 'compare-rules');
    const { deps, close } = await openDeps(ctx, !request.asKnownOn && !request.asOfSchoolYear);
    try {
      if (other === undefined) {
        const report = await withReportErrors(() => runReport(request, deps));
        ctx.stdout.write(formatReport(report, format));
        return 0;
      }
      const cmp = await withReportErrors(() => compareRuleSets(request, request.rules, other, deps));
      if (format === 'json') ctx.stdout.write(JSON.stringify(cmp, null, 2) + '\n');
      else if (format === 'csv') {
        ctx.stdout.write(prefixCsv(formatReport(cmp.a, 'csv'), cmp.a.ruleSet.name, true) + prefixCsv(formatReport(cmp.b, 'csv'), cmp.b.ruleSet.name, false));
      } else {
        ctx.stdout.write(formatReport(cmp.a, 'table') + '\n' + formatReport(cmp.b, 'table') + '\n');
        ctx.stdout.write(`${cmp.differing.length} learner(s) classified differently under ${cmp.a.ruleSet.name} and ${cmp.b.ruleSet.name}\n`);
        for (const d of cmp.differing) ctx.stdout.write(`  ${d.learnerId}: ${d.a.join('; ')}  |  ${d.b.join('; ')}\n`);
      }
      return 0;
    } finally {
      await close();
    }
  },
};
