import { openEngine, type Engine } from '@leerroutes/engine';
import { PostgresLockedError } from '@leerroutes/event-store/postgres';
import { LogLockedError } from '@leerroutes/event-store/sqlite';
import { ViewsLockedError, type LockOptions } from '@leerroutes/projection-runtime';
import { CommandError, dbPath, viewsPath, type CommandContext } from './command.js';

/**
 * How a command that writes the views meets another process writing them:
 * it waits, saying on stderr who holds them, or with --no-wait gives up at once.
 */
export const viewsLock = (ctx: CommandContext): LockOptions => ({
  ifLocked: ctx.flags['no-wait'] === true ? 'fail' : 'wait',
  onWait: (message) => ctx.stderr.write(`${message}\n`),
});

/** Open the engine on the paths the user gave (--db, --views or their environment variables). */
export const engineFor = (ctx: CommandContext, lock: LockOptions = { onWait: (m) => ctx.stderr.write(`${m}\n`) }): Promise<Engine> =>
  openEngine({ db: dbPath(ctx), views: viewsPath(ctx), viewsLock: lock });

/** Another process holding the log or the views is the user's to resolve: a message, not a stack trace. */
export const lockedAsCommandError = (err: unknown): unknown =>
  err instanceof ViewsLockedError || err instanceof LogLockedError || err instanceof PostgresLockedError ? new CommandError(err.message) : err;
