import { CommandError, existingLog, type Command } from '../command.js';
import { DB_OPTION, NO_WAIT_OPTION, PROGRESS_OPTIONS, VIEWS_OPTION } from '../options.js';
import { engineFor, lockedAsCommandError, viewsLock } from '../engine.js';
import { createProgress } from '../progress.js';
import { describeViewsRun } from '../views-run.js';

export const command: Command = {
  name: 'catch-up',
  summary: 'Bring every projection up to the head of the event log',
  usage: `Usage: pnpm pathways catch-up [--db PATH] [--views DIR] [--json] [--quiet] [--no-wait]

Applies the events appended since the views' checkpoints (after an import
with --no-projections, or when nothing was serving), in a new generation of
the views that readers move to when it is published. A projection whose
code changed version is rebuilt. Safe to interrupt and run again.`,
  options: [DB_OPTION, VIEWS_OPTION, { name: 'json', description: 'print the summary as JSON' }, ...PROGRESS_OPTIONS, NO_WAIT_OPTION],
  maxArgs: 0,
  async run(ctx) {
    existingLog(ctx);
    const engine = await engineFor(ctx, viewsLock(ctx));
    const progress = createProgress(ctx, 'events');
    try {
      const run = await engine.catchUp((p) => progress.update(p.position, p.head, `projections ${p.phase}`)).catch((err: unknown) => { throw lockedAsCommandError(err); });
      progress.stop();
      if (ctx.flags['json']) ctx.stdout.write(JSON.stringify(run, null, 2) + '\n');
      else ctx.stdout.write(`Views at ${describeViewsRun(run)}\n`);
      return 0;
    } finally {
      progress.stop();
      await engine.close();
    }
  },
};
