import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { EXPORT_FORMATS, EXPORT_KINDS, type ExportFormat, type ExportSummary, type LearnerExportRequest } from '@leerroutes/engine';
import { INDICATORS, PeriodParamsSchema, ReportParamsSchema, parsePeriodRequest } from '@leerroutes/indicators';
import { CommandError, UsageError, stringFlag, type Command, type CommandContext } from '../command.js';
import { DB_OPTION, PROGRESS_OPTIONS, VIEWS_OPTION } from '../options.js';
import { createProgress } from '../progress.js';
import { REQUEST_OPTIONS, openForReading, requestFrom, withReportErrors } from './report.js';

const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The request flags each learner-level kind takes; `report` takes them all. */
const PERIOD_FLAGS = Object.keys(PeriodParamsSchema.shape).map(kebab);
const FLAGS_OF: Readonly<Record<'events' | 'person-period' | 'spells', readonly string[]>> = {
  events: ['as-known-on'],
  'person-period': PERIOD_FLAGS,
  spells: PERIOD_FLAGS,
};

/** --format, else the file's extension (.csv), else Parquet. */
function formatOf(ctx: CommandContext, out: string): ExportFormat {
  const asked = stringFlag(ctx, 'format');
  if (asked === undefined) return out.toLowerCase().endsWith('.csv') ? 'csv' : 'parquet';
  if (!(EXPORT_FORMATS as readonly string[]).includes(asked)) throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}`);
  return asked as ExportFormat;
}

function outOf(ctx: CommandContext): string {
  const out = stringFlag(ctx, 'out');
  if (out === undefined) throw new UsageError('name the file to write with --out FILE');
  const dir = dirname(resolve(out));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CommandError(`cannot write ${out}: there is no directory ${dir}`);
  if (existsSync(out) && statSync(out).isDirectory()) throw new CommandError(`cannot write ${out}: it is a directory`);
  return out;
}

/** A learner-level kind's request from the flags; a flag it does not take is a usage error, not ignored. */
function learnerRequest(ctx: CommandContext, kind: 'events' | 'person-period' | 'spells'): LearnerExportRequest {
  const takes = FLAGS_OF[kind];
  const refused = REQUEST_OPTIONS.map((o) => o.name).filter((name) => ctx.flags[name] !== undefined && !takes.includes(name));
  if (refused.length > 0) {
    throw new UsageError(`export ${kind} takes ${takes.map((f) => `--${f}`).join(', ')} of the request options, not ${refused.map((f) => `--${f}`).join(', ')}`);
  }
  const params: Record<string, unknown> = {};
  for (const flag of takes) {
    const v = ctx.flags[flag];
    if (v === true) throw new UsageError(`--${flag} needs a value`);
    if (typeof v === 'string') params[flag] = v;
  }
  if (kind === 'events') {
    const asKnownOn = params['as-known-on'] as string | undefined;
    const checked = ReportParamsSchema.shape.asKnownOn.safeParse(asKnownOn);
    if (!checked.success) throw new UsageError(checked.error.issues.map((i) => i.message).join('\n'));
    return { kind, ...(asKnownOn !== undefined ? { asKnownOn } : {}) };
  }
  const parsed = parsePeriodRequest(params);
  if (parsed._tag === 'Left') throw new UsageError(parsed.left.join('\n'));
  return { kind, period: parsed.right };
}

const describe = (s: ExportSummary): string =>
  `exported ${s.rows} row(s) of ${s.columns.length} column(s) to ${s.out} (${s.format}; log position ${s.position})\n`;

export const command: Command = {
  name: 'export',
  summary: 'Events, person-period, spells or an indicator report as a Parquet or CSV file for R, Python and DuckDB',
  usage: [
    'Usage: pnpm pathways export <events|person-period|spells> --out FILE [--format parquet|csv] [options]',
    '       pnpm pathways export report <indicator> --out FILE [--format parquet|csv] [report options]',
    '',
    'Files that R (arrow::read_parquet, read.csv), pandas and DuckDB read without options: dates',
    'as DATE, whole numbers as INTEGER (docs/exports.md has the columns and how to load each).',
    '  events         the learner streams of the log, one row per event, the payload flattened;',
    '                 takes --as-known-on',
    '  person-period  one row per cohort member and reference date from the cohort\'s start: the',
    '                 state the distribution indicator counts, and the breakdown values; takes',
    '                 --cohort-type, --cohort (default: every cohort of the type), --rules,',
    '                 --as-known-on, --as-of',
    '  spells         runs of one state in person-period (TraMineR SPELL format); as person-period',
    '  report         an indicator report, suppressed as `pathways report` is; takes its options',
    `Indicators: ${INDICATORS.join(', ')}.`,
    'Learner-level files hold learner data: for the local operator and analysts.',
  ].join('\n'),
  options: [
    { name: 'out', value: 'FILE', description: 'the file to write (it appears under this name only once complete)' },
    { name: 'format', value: 'parquet|csv', description: 'file format (default: csv when FILE ends in .csv, else parquet)' },
    ...REQUEST_OPTIONS,
    DB_OPTION, VIEWS_OPTION, ...PROGRESS_OPTIONS,
  ],
  maxArgs: 2,
  async run(ctx) {
    const [kind, indicator, ...rest] = ctx.args;
    if (kind === undefined || !(EXPORT_KINDS as readonly string[]).includes(kind)) {
      throw new UsageError(kind === undefined ? `name what to export: ${EXPORT_KINDS.join(', ')}` : `cannot export '${kind}': choose one of ${EXPORT_KINDS.join(', ')}`);
    }
    if (kind !== 'report' && indicator !== undefined) throw new UsageError(`export ${kind} takes no further argument (got '${indicator}')`);
    if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
    const out = outOf(ctx);
    const format = formatOf(ctx, out);
    if (kind === 'report') {
      const request = requestFrom(ctx, indicator);
      const engine = await openForReading(ctx);
      try {
        ctx.stdout.write(describe(await withReportErrors(() => engine.exportReport(request, { format, out }))));
        return 0;
      } finally {
        await engine.close();
      }
    }
    const request = learnerRequest(ctx, kind as 'events' | 'person-period' | 'spells');
    const engine = await openForReading(ctx);
    const progress = createProgress(ctx, 'learners');
    const quiet = ctx.flags['quiet'] === true || ctx.flags['no-progress'] === true;
    let summary: ExportSummary;
    try {
      summary = await withReportErrors(() => engine.exportLearnerData(request, {
        format, out,
        onProgress: (done, total) => progress.update(done, total, `export ${kind}`),
        onStep: (step) => {
          progress.stop();
          if (!quiet) ctx.stderr.write(`export ${kind}: ${step}\n`);
        },
      }));
    } finally {
      progress.stop();
      await engine.close();
    }
    ctx.stdout.write(describe(summary));
    return 0;
  },
};
