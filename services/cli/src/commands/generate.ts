import cliProgress from 'cli-progress';
import { InvalidOptionsError, generatePopulation, type GenerateProgress } from '@leerroutes/synthetic';
import { CommandError, UsageError, intFlag, stringFlag, type Command, type CommandContext, type OptionSpec } from '../command.js';

const USAGE = `Usage: pnpm pathways generate --out DIR [options]

Writes synthetic yearly registrations (enrollments, advice, diplomas, learners,
areas, institutions CSVs and manifest.json) for a seeded population.`;

const OPTIONS: readonly OptionSpec[] = [
  { name: 'out', value: 'DIR', description: 'output directory (required)' },
  { name: 'learners', value: 'N', description: 'number of learners, split evenly over the cohorts (default 10000)' },
  { name: 'cohorts', value: 'A-B', description: 'intake years: grade 1 of VO in school years A-(A+1) .. B-(B+1) (default 2012-2016)' },
  { name: 'seed', value: 'S', description: 'seed; same seed and options give byte-identical files (default 1)' },
  { name: 'until', value: 'YEAR', description: 'last reference date YEAR-10-01 (default: last intake year + 8)' },
  { name: 'bad-rows', value: 'FRACTION', description: 'add this share of bad rows of each rejectable kind, listed in manifest.json (e.g. 0.001)' },
  { name: 'redelivery', value: 'DIR2', description: 'also write a corrected re-delivery of the last reference dates to DIR2' },
  { name: 'redelivery-dates', value: 'K', description: 'reference dates in the re-delivery (default 2)' },
  { name: 'no-progress', description: 'no progress bar (a line every few seconds instead)' },
  { name: 'quiet', description: 'no progress output at all' },
  { name: 'json', description: 'print the summary as JSON' },
];

function fractionFlag(ctx: CommandContext, name: string): number | undefined {
  const v = stringFlag(ctx, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got '${v}'`);
  return n;
}

/** A bar on a terminal; otherwise a plain line every few seconds, so logs stay readable. */
function progressReporter(ctx: CommandContext, total: number): { update(p: GenerateProgress): void; stop(): void } {
  if (ctx.flags['quiet']) return { update() {}, stop() {} };
  const stderr = ctx.stderr as NodeJS.WriteStream;
  const started = Date.now();
  const rate = (rows: number) => Math.round(rows / Math.max(0.001, (Date.now() - started) / 1000));
  if (!ctx.flags['no-progress'] && stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: 'generate |{bar}| {percentage}% | {value}/{total} learners | {rows} rows ({rate} rows/s) | eta {eta_formatted}', stream: stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { rows: 0, rate: 0 });
    return { update: (p) => bar.update(p.learnersDone, { rows: p.rows, rate: rate(p.rows) }), stop: () => bar.stop() };
  }
  let last = started;
  return {
    update(p) {
      const now = Date.now();
      if (now - last < 5000 && p.learnersDone < p.learnersTotal) return;
      last = now;
      ctx.stderr.write(`generate: ${p.learnersDone}/${p.learnersTotal} learners, ${p.rows} rows (${rate(p.rows)} rows/s)\n`);
    },
    stop() {},
  };
}

export const command: Command = {
  name: 'generate',
  summary: 'Write synthetic registration CSVs for a seeded population',
  usage: USAGE,
  options: OPTIONS,
  maxArgs: 0,
  async run(ctx) {
    const out = stringFlag(ctx, 'out');
    if (!out) throw new UsageError('--out DIR is required');
    const learners = intFlag(ctx, 'learners') ?? 10_000;
    const until = intFlag(ctx, 'until');
    const redeliveryDates = intFlag(ctx, 'redelivery-dates');
    const redelivery = stringFlag(ctx, 'redelivery');
    const badRows = fractionFlag(ctx, 'bad-rows');
    const options = {
      out, learners, cohorts: stringFlag(ctx, 'cohorts') ?? '2012-2016', seed: stringFlag(ctx, 'seed') ?? '1',
      ...(until !== undefined && { until }), ...(badRows !== undefined && { badRows }),
      ...(redelivery !== undefined && { redelivery }), ...(redeliveryDates !== undefined && { redeliveryDates }),
    };
    const reporter = progressReporter(ctx, learners);
    let summary;
    try {
      summary = await generatePopulation(options, (p) => reporter.update(p));
    } catch (err) {
      if (err instanceof InvalidOptionsError) throw new UsageError(err.message);
      if (err instanceof Error && 'code' in err) throw new CommandError(`could not write the files: ${err.message}`);
      throw err;
    } finally {
      reporter.stop();
    }
    if (ctx.flags['json']) {
      ctx.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      return 0;
    }
    const secs = summary.elapsedMs / 1000;
    const enrol = summary.rows['enrollments.csv'] ?? 0;
    const lines = [
      `Generated ${summary.learners} learners (intake cohorts ${summary.cohorts}, seed ${summary.seed}) in ${summary.out}`,
      `  reference dates ${summary.referenceDates.first} .. ${summary.referenceDates.last}`,
      ...Object.entries(summary.rows).map(([f, n]) => `  ${f.padEnd(17)} ${n} rows`),
      `  ${Math.round(enrol / secs)} enrollment rows/s (${secs.toFixed(1)} s)`,
    ];
    if (summary.badRows.total > 0) {
      lines.push(`  bad rows added: ${summary.badRows.total} (${Object.entries(summary.badRows.byKind).map(([k, n]) => `${k} ${n}`).join(', ')}); see manifest.json`);
    }
    if (summary.redelivery) {
      lines.push(`  corrected re-delivery of ${summary.redelivery.referenceDates.join(', ')} in ${summary.redelivery.dir} (see its manifest.json)`);
    }
    ctx.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};
