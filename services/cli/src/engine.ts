import { isDiskFull, isLogDamaged, isViewsDamaged, isViewsMismatch, openEngine, type Engine } from '@leerroutes/engine';
import { PostgresLockedError } from '@leerroutes/event-store/postgres/errors';
import { LogLockedError } from '@leerroutes/event-store/sqlite';
import { ViewsLockedError, type LockOptions } from '@leerroutes/projection-runtime';
import { CommandError, dbPath, viewsPath, type CommandContext } from './command.js';
import { migrationProgress } from './migration-progress.js';

/**
 * How a command that writes the views meets another process writing them:
 * it waits, saying on stderr who holds them, or with --no-wait gives up at once.
 */
export const viewsLock = (ctx: CommandContext): LockOptions => ({
  ifLocked: ctx.flags['no-wait'] === true ? 'fail' : 'wait',
  onWait: (message) => ctx.stderr.write(`${message}\n`),
});


/** Open the engine on the paths the user gave (--db, --views or their environment variables). */
export async function engineFor(ctx: CommandContext, lock: LockOptions = { onWait: (m) => ctx.stderr.write(`${m}\n`) }): Promise<Engine> {
  const migration = migrationProgress(ctx);
  try {
    return await openEngine({ db: dbPath(ctx), views: viewsPath(ctx), viewsLock: lock, onMigrate: migration.onMigrate });
  } finally {
    migration.done();
  }
}

/** Another process holding the log or the views is the user's to resolve: a message, not a stack trace. */
export const lockedAsCommandError = (err: unknown): unknown =>
  err instanceof ViewsLockedError || err instanceof LogLockedError || err instanceof PostgresLockedError ? new CommandError(err.message) : err;

/**
 * A failed catch-up session of `serve` or `project`, as the operator reads it:
 * what failed, when it is tried again, and what readers see meanwhile (views
 * published before, or none yet when the first session is the one failing).
 */
export function viewsFailure(err: unknown, retryInMs: number, published: boolean): string {
  const message = err instanceof Error ? err.message : String(err);
  const full = isDiskFull(err) ? ' The disk is full: free some space.' : isViewsDamaged(err) ? ' The log is not affected: run `pathways rebuild` to make the views again.'
    : isViewsMismatch(err) ? ' Run `pathways rebuild` to make the views from this log.'
    : isLogDamaged(err) ? " The event log reports damage: stop, keep the file, and restore the log from a copy (sqlite3 <log> 'PRAGMA integrity_check' shows what is damaged)." : '';
  const meanwhile = isViewsDamaged(err)
    ? 'readers are told the views cannot be read until they are rebuilt'
    : isViewsMismatch(err) ? 'readers are told the views do not match the log until they are rebuilt'
    : published ? 'the views published before stay readable' : 'no views are published yet, so readers wait for the first session that succeeds';
  return `keeping the views current failed: ${message}.${full} Trying again in ${Math.round(retryInMs / 100) / 10} s (${meanwhile}).`;
}

/** viewsFailure written to stderr once the engine has said whether any views are published. */
export function reportViewsFailure(ctx: CommandContext, engine: Pick<Engine, 'checkpoint'>): (err: unknown, retryInMs: number) => void {
  return (err, retryInMs) => {
    void engine.checkpoint().then((c) => c !== null, () => false)
      .then((published) => { ctx.stderr.write(`${viewsFailure(err, retryInMs, published)}\n`); });
  };
}
