import type Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * A named lock on the log, held by one process at a time (an import, an
 * erasure). It lives in the log's file; a holder killed with SIGKILL leaves
 * its row behind, which the next taker recognises as stale because that
 * process no longer runs (same host: the pid is gone or now belongs to a
 * process that started later).
 */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
  readonly command: string;
}

export class LogLockedError extends Error {
  constructor(readonly lock: string, readonly holder: LockHolder) {
    super(`another ${holder.command} is running on this log (pid ${holder.pid}${holder.host !== hostname() ? ` on ${holder.host}` : ''}, since ${holder.since})`);
    this.name = 'LogLockedError';
  }
}

/** Start time of a process in clock ticks since boot (Linux), so a reused pid is not mistaken for the holder. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/**
 * Whether the process that took a lock still runs. Shared with the views'
 * writer lock, which records its holder the same way.
 */
export function holderRunning(holder: { readonly pid: number; readonly host: string; readonly started: string | null }): boolean {
  if (holder.host !== hostname()) return true; // another machine: nothing to check it against
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const started = processStartTime(holder.pid);
  return holder.started === null || started === null || started === holder.started;
}

export function acquireLogLock(db: Database.Database, name: string, command: string): () => void {
  db.exec('CREATE TABLE IF NOT EXISTS log_lock (name TEXT PRIMARY KEY, pid INTEGER NOT NULL, host TEXT NOT NULL, started TEXT, since TEXT NOT NULL, command TEXT NOT NULL)');
  const me = { pid: process.pid, host: hostname(), started: processStartTime(process.pid), since: new Date().toISOString(), command };
  db.transaction(() => {
    const held = db.prepare('SELECT pid, host, started, since, command FROM log_lock WHERE name = ?').get(name) as (LockHolder & { started: string | null }) | undefined;
    if (held && !(held.pid === me.pid && held.host === me.host) && holderRunning(held)) throw new LogLockedError(name, held);
    db.prepare('INSERT INTO log_lock (name, pid, host, started, since, command) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET pid = excluded.pid, host = excluded.host, started = excluded.started, since = excluded.since, command = excluded.command')
      .run(name, me.pid, me.host, me.started, me.since, command);
  }).immediate();
  let released = false;
  return () => {
    if (released || !db.open) return;
    released = true;
    db.prepare('DELETE FROM log_lock WHERE name = ? AND pid = ? AND host = ?').run(name, me.pid, me.host);
  };
}
