import { formatLearner } from '@leerroutes/indicators';
import { CommandError, UsageError, refuseBsn, stringFlag, type Command } from '../command.js';
import { DB_OPTION } from '../options.js';
import { formatFlag, formatOptions, openForReading } from './report.js';

export const command: Command = {
  name: 'learner',
  summary: "One learner's events in valid-time order (corrections applied, retracted ones marked) and pathway with its classifications",
  usage: 'Usage: pnpm pathways learner <id> [options]\n\nLearner-level output: for privileged local use only.',
  options: [
    { name: 'as-known-on', value: 'DATE', description: 'only the events known on that date' },
    ...formatOptions(['table', 'json']),
    DB_OPTION,
  ],
  maxArgs: 1,
  async run(ctx) {
    const id = ctx.args[0];
    if (!id) throw new UsageError('name a learner id');
    refuseBsn(id);
    const format = formatFlag(ctx, ['table', 'json']) as 'table' | 'json';
    const asKnownOn = stringFlag(ctx, 'as-known-on');
    const engine = await openForReading(ctx);
    try {
      const e = await engine.learner(id, asKnownOn ? { asKnownOn } : {});
      if (!e) throw new CommandError(`no events for learner ${id}${asKnownOn ? ` known on ${asKnownOn}` : ''}`);
      ctx.stdout.write(formatLearner(e, format));
      return 0;
    } finally {
      await engine.close();
    }
  },
};
