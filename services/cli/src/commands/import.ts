import { existsSync } from 'node:fs';
import type { Engine } from '@leerroutes/engine';
import { CsvHeaderError, formatSummary, ImportError } from '@leerroutes/import';
import { CommandError, stringFlag, UsageError, type Command } from '../command.js';
import { engineFor, lockedAsCommandError, viewsLock } from '../engine.js';
import { DB_OPTION, NO_WAIT_OPTION, PROGRESS_OPTIONS, VIEWS_OPTION } from '../options.js';
import { createProgress } from '../progress.js';
import { describeViewsRun } from '../views-run.js';

export const command: Command = {
  name: 'import',
  summary: 'Import a directory of yearly registration CSVs and bring the projections up to date',
  usage: `Usage: pnpm pathways import <dir> [options]

Reads enrollments.csv, advice.csv, diplomas.csv, learners.csv and the optional
areas.csv and institutions.csv from <dir> (see docs/file-formats.md), derives the
learners' transition events and appends what is new. Importing the same files
again adds nothing; a changed row or a re-delivered reference date is a correction.`,
  options: [
    { name: 'known-at', value: 'DATE', description: 'when the source delivered these facts (default: now); "as known on" replays use it' },
    { name: 'rejects', value: 'FILE', description: 'where refused rows go (default: rejects/<log name>-delivery-<n>.csv next to the log file; on PostgreSQL ./rejects/<schema>-delivery-<n>.csv)' },
    { name: 'json', description: 'print the summary as JSON' },
    { name: 'no-projections', description: 'only append events; the projections catch up later (rebuild or serve)' },
    ...PROGRESS_OPTIONS,
    DB_OPTION, VIEWS_OPTION, NO_WAIT_OPTION,
  ],
  maxArgs: 1,
  async run(ctx) {
    const dir = ctx.args[0];
    if (!dir) throw new UsageError('which directory?');
    if (!existsSync(dir)) throw new CommandError(`no such directory: ${dir}`);
    const knownAt = stringFlag(ctx, 'known-at');
    const rejectsFile = stringFlag(ctx, 'rejects');
    const engine = await engineFor(ctx, viewsLock(ctx));
    const progress = createProgress(ctx, 'learners');
    try {
      // The import, then the views' catch-up on its own: when the catch-up fails (a full disk, damaged views) the
      // delivery is in the log all the same, and the summary says so before the error says what failed.
      const imported = await engine.importDirectory(dir, {
        ...(knownAt ? { knownAt } : {}),
        ...(rejectsFile ? { rejectsFile } : {}),
        skipProjections: true,
        onResume: (d) => ctx.stderr.write(d.state === 'reading'
          ? `Delivery ${d.id} of ${d.dir} was interrupted while its files were being read; reading on from where it stopped.\n`
          : `Delivery ${d.id} of ${d.dir} was interrupted after ${d.learnersDone} of ${d.learnersTotal} learners were derived; deriving the rest.\n`),
        onProgress: (p) => {
          if (p.phase === 'read') progress.update(Math.round(p.bytes / 1024), Math.round(p.totalBytes / 1024), `reading ${p.file}`, 'KiB');
          else progress.update(p.learnersDone, p.learnersTotal, 'deriving events', 'learners');
        },
      });
      let projections: Awaited<ReturnType<Engine['catchUp']>> | null = null;
      if (!ctx.flags['no-projections']) {
        try {
          projections = await engine.catchUp((p) => progress.update(p.position, p.head, `projections ${p.phase}`, 'events'));
        } catch (err) {
          progress.stop();
          if (ctx.flags['json']) ctx.stdout.write(JSON.stringify({ import: imported.import, projections: null }, null, 2) + '\n');
          else ctx.stdout.write(`${formatSummary(imported.import)}\n  the delivery is in the log; bringing the views up to date failed:\n`);
          throw err;
        }
      }
      const result = { import: imported.import, projections };
      progress.stop();
      if (ctx.flags['json']) ctx.stdout.write(JSON.stringify(result, null, 2) + '\n');
      else {
        ctx.stdout.write(formatSummary(result.import) + '\n');
        if (result.projections) ctx.stdout.write(`  views up to date at ${describeViewsRun(result.projections)}\n`);
      }
      return 0;
    } catch (err) {
      progress.stop();
      if (err instanceof ImportError || err instanceof CsvHeaderError) throw new CommandError(err.message);
      throw lockedAsCommandError(err);
    } finally {
      await engine.close();
    }
  },
};
