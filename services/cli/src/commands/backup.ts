import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { copySqliteLog, CopyRefusedError } from '@leerroutes/event-store/sqlite';
import { isPostgresUrl, redactUrl } from '@leerroutes/engine/paths';
import { CommandError, existingLog, stringFlag, UsageError, type Command } from '../command.js';
import { DB_OPTION } from '../options.js';

/** A log large enough to take seconds to copy. */
const LARGE = 256 * 2 ** 20;

export const command: Command = {
  name: 'backup',
  summary: 'A consistent, checked copy of the event log and its ledger, made while imports run (to restore from)',
  usage: `Usage: pnpm pathways backup --to FILE [--db PATH] [--json]

Copies the event log file with its import ledger as one consistent state,
while imports, erasures and servers go on using it. The copy is checked
(SQLite's quick_check, its events counted) before it gets its name, and a
file that exists is never written over.

To restore: stop every process that uses the log; move the log and its
-wal and -shm files aside (a -wal left beside the copy would be applied to
it); copy the backup to the log's path; run 'pathways rebuild' (views made
after the backup are ahead of it, and every command says so until they are
rebuilt); then erase again every learner erased since the backup was taken
(the log keeps no erased learner's id: take them from your register of
erasure requests; the audit records in the log set aside say when and how
many).

The views need no copy: they are made from the log. API keys and the audit
log of learner-level reads are a file of their own beside the views
(<name>.api.sqlite): copy it too while no server runs.

A log in PostgreSQL is copied with PostgreSQL's own tools: pg_dump of its
database (the log, the ledger, the views and the keys in one dump).`,
  options: [{ name: 'to', value: 'FILE', description: 'where the copy goes (required; must not exist)' }, DB_OPTION, { name: 'json', description: 'print the result as JSON' }],
  maxArgs: 0,
  async run(ctx) {
    const to = stringFlag(ctx, 'to');
    if (to === undefined) throw new UsageError('backup needs --to FILE: where the copy goes');
    const log = existingLog(ctx);
    if (isPostgresUrl(log)) {
      throw new CommandError(`the log at ${redactUrl(log)} is in PostgreSQL: copy it with pg_dump of that database (pg_dump -Fc -d URL -f FILE; restore with pg_restore), which holds the log, the ledger, the views and the keys together`);
    }
    const started = performance.now();
    // SQLite says nothing while it copies: a large log gets a word first (the national log, 3.5 GB, took 25 s).
    const bytes = statSync(log).size;
    if (bytes > LARGE && !ctx.flags['json']) ctx.stderr.write(`Copying ${(bytes / 2 ** 30).toFixed(1)} GiB; SQLite reports no progress while it copies (about 8 s a GiB on a 2-core machine)...\n`);
    let copy;
    try {
      copy = copySqliteLog(log, resolve(to));
    } catch (err) {
      if (err instanceof CopyRefusedError) throw new CommandError(err.message);
      throw err;
    }
    const seconds = (performance.now() - started) / 1000;
    if (ctx.flags['json']) ctx.stdout.write(JSON.stringify({ log, ...copy, seconds }, null, 2) + '\n');
    else {
      const n = copy.leftoversRemoved;
      if (n > 0) ctx.stdout.write(`Removed ${n === 1 ? 'the half-made copy' : `${n} half-made copies`} of a backup to the same name that was stopped.\n`);
      ctx.stdout.write(`Copied the event log ${log} to ${copy.path} in ${seconds.toFixed(1)} s: ${copy.events} events up to position ${copy.lastPosition}, ${(copy.bytes / 2 ** 20).toFixed(1)} MiB, checked.\n`
        + `To restore it, see 'pathways help backup'.\n`);
    }
    return 0;
  },
};
