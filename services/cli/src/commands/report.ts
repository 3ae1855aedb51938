import type { Engine } from '@leerroutes/engine';
import { ViewsNotReadyError } from '@leerroutes/engine';
import {
  INDICATORS, ReportError, ReportParamsSchema, formatReport, parseReportRequest, unprotectedText, type ReportFormat, type ReportRequest,
} from '@leerroutes/indicators';
import { engineFor } from '../engine.js';
import { CommandError, UsageError, existingLog, stringFlag, type Command, type CommandContext, type OptionSpec } from '../command.js';
import { DB_OPTION, VIEWS_OPTION } from '../options.js';

/** `cohortType` -> `cohort-type`: the CLI spells the request parameters in kebab-case. */
const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Values shown for a parameter's flag in help. */
const FLAG_VALUES: Readonly<Record<string, string>> = {
  cohortType: 'advice|intake|leerjaar3', cohort: 'YEAR', rules: 'NAME', by: 'DIM[,DIM]', asKnownOn: 'DATE', asOf: 'YEAR', minCell: 'N',
};

/** The request's flags, one per parameter of the shared request schema (ReportParamsSchema), described by it. */
export const REQUEST_OPTIONS: readonly OptionSpec[] = Object.entries(ReportParamsSchema.shape).map(([key, schema]) => ({
  name: kebab(key),
  ...(FLAG_VALUES[key] ? { value: FLAG_VALUES[key] } : {}),
  description: schema.description ?? key,
}));

/** What formatFlag reads, for a command printing in `formats`. */
export const formatOptions = (formats: readonly string[]): OptionSpec[] => [
  { name: 'format', value: formats.join('|'), description: `output format (default ${formats[0]})` },
  { name: 'json', description: 'same as --format json' },
];

/**
 * The engine for a command that reads reports: the log must exist; a note on
 * stderr when the views are behind the log.
 */
export async function openForReading(ctx: CommandContext): Promise<Engine> {
  existingLog(ctx);
  const engine = await engineFor(ctx);
  try {
    const [checkpoint, head] = [await engine.checkpoint(), await engine.head()];
    if (checkpoint !== null && checkpoint < head) ctx.stderr.write(`note: views reflect the log up to position ${checkpoint} of ${head}; run 'pnpm pathways catch-up' (a server does it by itself)\n`);
  } catch (err) {
    await engine.close();
    throw err;
  }
  return engine;
}

export function formatFlag(ctx: CommandContext, allowed: readonly string[]): string {
  const f = stringFlag(ctx, 'format') ?? (ctx.flags['json'] ? 'json' : 'table');
  if (!allowed.includes(f)) throw new UsageError(`--format must be one of ${allowed.join(', ')}`);
  return f;
}

/** The report request from the positional indicator and the flags; usage errors carry every reason. */
export function requestFrom(ctx: CommandContext, indicator: string | undefined): ReportRequest {
  if (!indicator) throw new UsageError(`name an indicator: ${INDICATORS.join(', ')}`);
  const params: Record<string, unknown> = { indicator };
  for (const key of Object.keys(ReportParamsSchema.shape)) {
    const flag = ctx.flags[kebab(key)];
    if (flag === true) params[key] = 'true';
    else if (typeof flag === 'string') params[key] = flag;
  }
  const parsed = parseReportRequest(params);
  if (parsed._tag === 'Left') throw new UsageError(parsed.left.join('\n'));
  return parsed.right;
}

export async function withReportErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ReportError || err instanceof ViewsNotReadyError) throw new CommandError(err.message);
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
    const engine = await openForReading(ctx);
    try {
      if (other === undefined) {
        const report = await withReportErrors(() => engine.report(request));
        ctx.stdout.write(formatReport(report, format));
        // The table says it in its heading; csv and json go to files and scripts, so say it where a person sees it.
        if (report.unprotected && format !== 'table') {
          ctx.stderr.write(`warning: ${unprotectedText(report)}; do not publish it as it is (ask for a coarser breakdown)\n`);
        }
        // Notes go to stderr, so the output stays the report asked for.
        for (const note of report.notes ?? []) ctx.stderr.write(`note: ${note}\n`);
        return 0;
      }
      const cmp = await withReportErrors(() => engine.compareRuleSets(request, request.rules, other));
      for (const note of new Set([...(cmp.a.notes ?? []), ...(cmp.b.notes ?? [])])) ctx.stderr.write(`note: ${note}\n`);
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
      await engine.close();
    }
  },
};
