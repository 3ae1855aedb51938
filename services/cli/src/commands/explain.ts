import { formatLearner, parseCellSpec } from '@leerroutes/indicators';
import { CommandError, UsageError, refuseBsn, stringFlag, type Command } from '../command.js';
import { DB_OPTION, VIEWS_OPTION } from '../options.js';
import { REQUEST_OPTIONS, formatFlag, formatOptions, openForReading, requestFrom, withReportErrors } from './report.js';

export const command: Command = {
  name: 'explain',
  summary: 'Why a learner is classified as they are, or which learners are behind one cell of a report',
  usage: [
    'Usage: pnpm pathways explain --learner ID [--as-known-on DATE] [--format table|json]',
    '       pnpm pathways explain <indicator> --cohort 2011-2012 [--cohort-type ..] [--rules ..] [--by ..] [--as-known-on DATE]',
    "                             --cell 'category=afstroom[,offset=N][,school-year=Y][,group.<dim>=VALUE...]' [--format table|json]",
    '',
    'Learner-level output: for privileged local use only.',
  ].join('\n'),
  options: [
    { name: 'learner', value: 'ID', description: 'explain this learner: the events and rule behind each classification' },
    { name: 'cell', value: 'SPEC', description: 'the cell of the report whose learners to list' },
    ...REQUEST_OPTIONS,
    ...formatOptions(['table', 'json']),
    DB_OPTION, VIEWS_OPTION,
  ],
  maxArgs: 1,
  async run(ctx) {
    const learner = stringFlag(ctx, 'learner');
    if (learner !== undefined) refuseBsn(learner);
    const format = formatFlag(ctx, ['table', 'json']) as 'table' | 'json';
    if (learner !== undefined) {
      const asKnownOn = stringFlag(ctx, 'as-known-on');
      const engine = await openForReading(ctx);
      try {
        const e = await engine.learner(learner, asKnownOn ? { asKnownOn } : {});
        if (!e) throw new CommandError(`no events for learner ${learner}${asKnownOn ? ` known on ${asKnownOn}` : ''}`);
        ctx.stdout.write(formatLearner(e, format, { events: false }));
        return 0;
      } finally {
        await engine.close();
      }
    }
    const request = requestFrom(ctx, ctx.args[0]);
    const spec = stringFlag(ctx, 'cell');
    if (spec === undefined) throw new UsageError('name the cell with --cell, or a learner with --learner');
    const cell = parseCellSpec(spec);
    if (Array.isArray(cell)) throw new UsageError(cell.join('\n'));
    const engine = await openForReading(ctx);
    try {
      const { learnerIds } = await withReportErrors(() => engine.explainCell(request, cell));
      if (format === 'json') ctx.stdout.write(JSON.stringify({ request, cell, learnerIds }, null, 2) + '\n');
      else ctx.stdout.write(`${learnerIds.length} learner(s) in ${spec}:\n${learnerIds.map((id) => `  ${id}`).join('\n')}\n`);
      return 0;
    } finally {
      await engine.close();
    }
  },
};
