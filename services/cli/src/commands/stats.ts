import { openEventStore } from '@leerroutes/event-store/open';
import { redactUrl } from '@leerroutes/engine/paths';
import { CommandError, existingLog, type Command } from '../command.js';
import { DB_OPTION } from '../options.js';
import { migrationProgress } from '../migration-progress.js';

export const command: Command = {
  name: 'stats',
  summary: 'Counts per event type, learners, and the last position of the event log',
  usage: 'Usage: pnpm pathways stats [options]',
  options: [{ name: 'json', description: 'print the counts as JSON' }, DB_OPTION],
  maxArgs: 0,
  async run(ctx) {
    const location = existingLog(ctx);
    const path = redactUrl(location);
    const migration = migrationProgress(ctx);
    const store = await openEventStore(location, { onMigrate: migration.onMigrate }).finally(() => migration.done());
    try {
      const s = await store.stats();
      const learners = s.streamsByCategory['learner'] ?? 0;
      const out = { path, events: s.events, streams: s.streams, learners, lastPosition: s.lastPosition, byType: s.byType };
      if (ctx.flags['json']) ctx.stdout.write(JSON.stringify(out, null, 2) + '\n');
      else {
        const lines = [`Event log ${path}`, `  events         ${s.events}`, `  streams        ${s.streams}`];
        lines.push(`  learners       ${learners}`);
        lines.push(`  last position  ${s.lastPosition}`, '  per event type:');
        for (const [type, n] of Object.entries(s.byType).sort()) lines.push(`    ${type.padEnd(22)} ${n}`);
        ctx.stdout.write(lines.join('\n') + '\n');
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};
