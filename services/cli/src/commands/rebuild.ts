import { existsSync } from 'node:fs';
import { openSqliteEventStore } from '@leerroutes/event-store/sqlite';
import { catchUp, openViewsDatabase, rebuild } from '@leerroutes/projection-runtime';
import { PROJECTIONS, projectionNamed } from '@leerroutes/projections';
import { CommandError, dbPath, intFlag, stringFlag, UsageError, viewsPath, type Command } from '../command.js';
import { DB_OPTION, PROGRESS_OPTIONS, VIEWS_OPTION } from '../options.js';
import { createProgress } from '../progress.js';

export const command: Command = {
  name: 'rebuild',
  summary: 'Replay projections from the start of the log into fresh views and swap them in (old views keep serving)',
  usage: 'Usage: pnpm pathways rebuild [options]',
  options: [
    { name: 'projection', value: 'NAME', description: `only this one (${PROJECTIONS.map((p) => p.name).join(', ')}); default: all` },
    { name: 'batch-size', value: 'N', description: 'events per transaction (default 5000)' },
    { name: 'json', description: 'print the summary as JSON' },
    ...PROGRESS_OPTIONS,
    DB_OPTION, VIEWS_OPTION,
  ],
  maxArgs: 0,
  async run(ctx) {
    const name = stringFlag(ctx, 'projection');
    const projection = name === undefined ? undefined : projectionNamed(name);
    if (name !== undefined && !projection) throw new UsageError(`unknown projection '${name}'; known: ${PROJECTIONS.map((p) => p.name).join(', ')}`);
    const projections = projection ? [projection] : PROJECTIONS;
    const batchSize = intFlag(ctx, 'batch-size');
    if (batchSize !== undefined && batchSize < 1) throw new UsageError('--batch-size must be at least 1');
    const path = dbPath(ctx);
    if (!existsSync(path)) throw new CommandError(`no event log at ${path} (import something first, or pass --db)`);

    const store = openSqliteEventStore({ path });
    const views = await openViewsDatabase(viewsPath(ctx));
    const progress = createProgress(ctx, 'events');
    try {
      const started = process.hrtime.bigint();
      const onProgress = (p: { phase: string; position: number; head: number }) => progress.update(p.position, p.head, p.phase);
      const run = await rebuild({ store, views, projections, ...(batchSize ? { batchSize } : {}), onProgress });
      // Events appended while the rebuild ran.
      const tail = await catchUp({ store, views, projections, ...(batchSize ? { batchSize } : {}), onProgress });
      progress.stop();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const events = run.events + tail.events;
      const perSecond = seconds > 0 ? Math.round(events / seconds) : events;
      const summary = { projections: projections.map((p) => p.name), events, seconds: Number(seconds.toFixed(3)), eventsPerSecond: perSecond, position: tail.head };
      if (ctx.flags['json']) ctx.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      else {
        ctx.stdout.write(
          `Rebuilt ${summary.projections.join(', ')} to position ${summary.position}: ${events} events in ${seconds.toFixed(1)} s (${perSecond.toLocaleString('en')} events/s)\n`,
        );
      }
      return 0;
    } finally {
      progress.stop();
      await views.close();
      await store.close();
    }
  },
};
