import { CommandError, existingLog, stringFlag, UsageError, type Command } from '../command.js';
import { DB_OPTION, VIEWS_OPTION } from '../options.js';
import { engineFor } from '../engine.js';

const PARTS = ['log', 'ledger', 'views'] as const;

export const command: Command = {
  name: 'dump',
  summary: 'Print the event log, the import ledger and the views as canonical text (to compare two states)',
  usage: `Usage: pnpm pathways dump [--what log,ledger,views] [--db PATH] [--views PATH]

Prints every event (all but its transaction time), the ledger's facts and
deliveries (without wall-clock times) and every view table, rows in key
order. Two stores holding the same state print the same text, so an
interrupted and resumed run can be compared with an uninterrupted one.
Contains learner data: for the local operator only.`,
  options: [{ name: 'what', value: 'PARTS', description: 'which of log, ledger, views (default: all three)' }, DB_OPTION, VIEWS_OPTION],
  maxArgs: 0,
  async run(ctx) {
    const asked = (stringFlag(ctx, 'what') ?? PARTS.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = asked.filter((p) => !(PARTS as readonly string[]).includes(p));
    if (unknown.length > 0) throw new UsageError(`--what takes ${PARTS.join(', ')}; not ${unknown.join(', ')}`);
    existingLog(ctx);
    const engine = await engineFor(ctx);
    try {
      // Line by line into ~1 MB writes, waiting when the output is behind: a 110k log's dump is larger than a string can be.
      let pending: string[] = [];
      let size = 0;
      const flush = async () => {
        if (pending.length === 0) return;
        const text = pending.join('\n') + '\n';
        pending = [];
        size = 0;
        if (ctx.stdout.write(text) === false) await new Promise<void>((resolve) => ctx.stdout.once('drain', () => resolve()));
      };
      await engine.dumpTo(asked as (typeof PARTS)[number][], async (line) => {
        pending.push(line);
        size += line.length;
        if (size >= 1 << 20) await flush();
      });
      await flush();
      return 0;
    } finally {
      await engine.close();
    }
  },
};
