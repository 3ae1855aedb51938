import { PROJECTIONS, projectionNamed } from '@leerroutes/projections';
import { CommandError, existingLog, intFlag, stringFlag, UsageError, type Command } from '../command.js';
import { engineFor, lockedAsCommandError, viewsLock } from '../engine.js';
import { DB_OPTION, NO_WAIT_OPTION, PROGRESS_OPTIONS, VIEWS_OPTION } from '../options.js';
import { createProgress } from '../progress.js';

export const command: Command = {
  name: 'rebuild',
  summary: 'Replay projections into a new generation of the views and publish it (readers keep the old one until then)',
  usage: [
    'Usage: pnpm pathways rebuild [options]',
    '',
    'Every projection is replayed into an empty generation; with --projection, that one is',
    'replayed on a copy of the published views and the others are brought up to date.',
  ].join('\n'),
  options: [
    { name: 'projection', value: 'NAME', description: `only this one (${PROJECTIONS.map((p) => p.name).join(', ')}); default: all` },
    { name: 'batch-size', value: 'N', description: 'events per transaction (default 5000)' },
    { name: 'json', description: 'print the summary as JSON' },
    ...PROGRESS_OPTIONS,
    DB_OPTION, VIEWS_OPTION, NO_WAIT_OPTION,
  ],
  maxArgs: 0,
  async run(ctx) {
    const name = stringFlag(ctx, 'projection');
    const projection = name === undefined ? undefined : projectionNamed(name);
    if (name !== undefined && !projection) throw new UsageError(`unknown projection '${name}'; known: ${PROJECTIONS.map((p) => p.name).join(', ')}`);
    const batchSize = intFlag(ctx, 'batch-size');
    if (batchSize !== undefined && batchSize < 1) throw new UsageError('--batch-size must be at least 1');
    const path = existingLog(ctx);

    const engine = await engineFor(ctx, viewsLock(ctx));
    const progress = createProgress(ctx, 'events');
    try {
      const started = process.hrtime.bigint();
      const run = await engine.rebuild({
        ...(projection ? { only: [projection.name] } : {}),
        ...(batchSize ? { batchSize } : {}),
        onProgress: (p) => progress.update(p.position, p.head, p.phase),
      }).catch((err: unknown) => { throw lockedAsCommandError(err); });
      progress.stop();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const perSecond = seconds > 0 ? Math.round(run.events / seconds) : run.events;
      const summary = { projections: run.rebuilt, events: run.events, seconds: Number(seconds.toFixed(3)), eventsPerSecond: perSecond, position: run.head, generation: run.published, ...(run.spans ? { spans: run.spans } : {}) };
      if (ctx.flags['json']) ctx.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      else {
        ctx.stdout.write(
          `Rebuilt ${summary.projections.join(', ')} to position ${summary.position}: ${run.events} events in ${seconds.toFixed(1)} s (${perSecond.toLocaleString('en')} events/s); published ${run.published}\n`,
        );
      }
      return 0;
    } finally {
      progress.stop();
      await engine.close();
    }
  },
};
