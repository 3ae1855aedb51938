import { CommandError, stringFlag, UsageError, type Command } from '../command.js';
import { engineFor, lockedAsCommandError, viewsLock } from '../engine.js';
import { DB_OPTION, NO_WAIT_OPTION, VIEWS_OPTION } from '../options.js';

export const command: Command = {
  name: 'erase',
  summary: 'Erase one learner from the log, the ledger and every view (privacy law), with an audit record',
  usage: `Usage: pnpm pathways erase <learner-id> --reason TEXT [--db PATH]

Removes the learner's events from the event log (not only from the views), the
learner's registration facts from the import ledger, and the learner from
every projection, then records the erasure in the audit stream without the
learner's id. Rejects files written by earlier imports and the delivered CSVs
themselves are outside the engine: erase the learner there too, or a
re-import brings the learner back.`,
  options: [
    { name: 'reason', value: 'TEXT', description: 'why (required; kept in the audit record)' },
    DB_OPTION, VIEWS_OPTION, NO_WAIT_OPTION,
  ],
  maxArgs: 1,
  async run(ctx) {
    const learnerId = ctx.args[0];
    if (!learnerId) throw new UsageError('which learner?');
    const reason = stringFlag(ctx, 'reason');
    if (!reason) throw new UsageError('--reason is required: the audit record says why');
    const engine = await engineFor(ctx, viewsLock(ctx));
    try {
      const receipt = await (async () => {
        await engine.catchUp();
        return engine.eraseLearner(learnerId, reason, `cli:${process.env['USER'] ?? 'unknown'}`);
      })().catch((err: unknown) => { throw lockedAsCommandError(err); });
      if (!receipt) throw new CommandError(`no learner ${learnerId} in ${engine.dbPath}`);
      ctx.stdout.write(`Erased: ${receipt.eventsRemoved} events and ${receipt.factsRemoved} registration facts; audit record ${receipt.erasureId}\n`);
      return 0;
    } finally {
      await engine.close();
    }
  },
};
