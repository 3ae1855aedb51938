import { CommandError, UsageError, existingLog, intFlag, type Command } from '../command.js';
import { DB_OPTION, VIEWS_OPTION } from '../options.js';
import { engineFor, reportViewsFailure } from '../engine.js';
import { describeViewsRun } from '../views-run.js';

export const command: Command = {
  name: 'project',
  summary: 'A projection worker: keep the views current (a catch-up session whenever the log moves) until stopped',
  usage: `Usage: pnpm pathways project [--db PATH] [--views DIR] [--poll MS]

The projection work of \`serve\`, in a process of its own, so that servers
started with --no-project only read. Run two or more on one log and views:
they take turns through the views' writer lock, so nothing is applied twice,
and when one is killed in the middle of a session its unpublished generation
is swept away and another worker applies the same events again. A session
that fails (a full disk, a lost connection) is said on stderr and tried again
after 1 s, 2 s, 4 s ... up to 30 s. Stop it with Ctrl-C (SIGINT) or SIGTERM.`,
  options: [
    { name: 'poll', value: 'MS', description: 'how often the head of the log is looked at (default 250)' },
    DB_OPTION, VIEWS_OPTION,
  ],
  maxArgs: 0,
  async run(ctx) {
    existingLog(ctx);
    const poll = intFlag(ctx, 'poll');
    if (poll !== undefined && poll < 10) throw new UsageError('--poll is at least 10 ms');
    // Waiting for the writer lock is this worker's normal state when another one is writing: say so once per wait.
    const engine = await engineFor(ctx, { onWait: (m) => ctx.stderr.write(`${m}\n`) });
    const subscriber = engine.startSubscriber({
      ...(poll !== undefined ? { pollIntervalMs: poll } : {}),
      onPublished: (s) => ctx.stdout.write(`published ${describeViewsRun(s)}\n`),
      onError: reportViewsFailure(ctx, engine),
    });
    // Stopped by a signal, also while the first catch-up is still being tried.
    const stopped = new Promise<void>((resolve) => {
      const stop = () => { process.off('SIGINT', stop); process.off('SIGTERM', stop); resolve(); };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    try {
      const first = await Promise.race([subscriber.caughtUp().then(() => true), stopped.then(() => false)]);
      if (first) {
        ctx.stdout.write(`caught up at position ${await engine.checkpoint()}; watching the log\n`);
        await stopped;
      }
    } finally {
      ctx.stdout.write('stopping\n');
      await engine.close();
    }
    return 0;
  },
};
