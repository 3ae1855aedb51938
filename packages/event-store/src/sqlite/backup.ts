import { closeSync, existsSync, fsyncSync, linkSync, openSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { holderRunning } from './lock.js';

/** A copy of a log file as made and checked. */
export interface LogCopy {
  readonly path: string;
  readonly events: number;
  readonly lastPosition: number;
  readonly bytes: number;
  /** Half-made copies of backups to the same name that were stopped (killed, say), removed first. */
  readonly leftoversRemoved: number;
}

const taken = (to: string): string => `${to} exists: a copy is never written over (name another file)`;

/** The copy would overwrite a file, or its folder is missing: nothing was written. */
export class CopyRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CopyRefusedError';
  }
}

/**
 * A consistent copy of a log file, with everything else the file holds (the
 * import ledger), taken while imports and erasures go on in other processes.
 * VACUUM INTO reads one snapshot of the file, the part still in its
 * write-ahead log included, where copying the file can miss that part or
 * catch a page half-written; SQLite's stepwise backup would start over each
 * time a writer commits, which an import does every few hundred
 * milliseconds. The copy is made beside its destination, synced, checked
 * (SQLite's quick_check, and its events counted), and only then given its
 * name, without ever replacing a file of that name: a copy that exists is
 * either whole and checked, or not there.
 */
export function copySqliteLog(source: string, to: string): LogCopy {
  if (existsSync(to)) throw new CopyRefusedError(taken(to));
  if (!existsSync(dirname(to))) throw new CopyRefusedError(`the folder ${dirname(to)} does not exist`);
  const leftoversRemoved = removeLeftovers(to);
  const partial = `${to}.partial-${process.pid}`;
  try {
    const db = new Database(source, { fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      const isLog = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get() !== undefined;
      if (!isLog) throw new CopyRefusedError(`${source} holds no event log`);
      try {
        db.prepare('VACUUM INTO ?').run(partial);
      } catch (err) {
        // The destination, not the log: a folder this process may not write in (a full disk is told as such by the caller).
        const code = (err as { code?: unknown }).code;
        if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' || code === 'SQLITE_PERM') {
          throw new CopyRefusedError(`cannot write the copy in ${dirname(to)}: ${(err as Error).message}`);
        }
        throw err;
      }
    } finally {
      db.close();
    }
    // VACUUM INTO leaves the file to the system's cache: synced before it is named, so a crash cannot leave a named copy half on disk.
    const fd = openSync(partial, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const copy = new Database(partial, { readonly: true, fileMustExist: true });
    let counted: { events: number; last: number };
    try {
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`the copy in ${partial} failed SQLite's quick_check: ${String(check)}`);
      counted = copy.prepare('SELECT COUNT(*) AS events, COALESCE(MAX(position), 0) AS last FROM events').get() as { events: number; last: number };
    } finally {
      copy.close();
    }
    // A link fails where a file of that name appeared meanwhile; a rename would replace it.
    try {
      linkSync(partial, to);
    } catch (err) {
      // Another copy (a second backup started at once) took the name while this one was made.
      if ((err as { code?: unknown }).code === 'EEXIST') throw new CopyRefusedError(taken(to));
      throw err;
    }
    unlinkSync(partial);
    syncFolder(dirname(to));
    return { path: to, events: counted.events, lastPosition: counted.last, bytes: statSync(to).size, leftoversRemoved };
  } finally {
    if (existsSync(partial)) unlinkSync(partial);
  }
}

/**
 * A backup killed while it copied leaves its partial file (as large as the
 * log) behind, named by its process: removed once that process is gone.
 */
function removeLeftovers(to: string): number {
  const prefix = `${basename(to)}.partial-`;
  let removed = 0;
  for (const name of readdirSync(dirname(to))) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    // Named by pid only, as the lock's holder is: a process of this machine.
    if (!Number.isInteger(pid) || pid <= 0 || holderRunning({ pid, host: hostname(), started: null })) continue;
    unlinkSync(join(dirname(to), name));
    removed++;
  }
  return removed;
}

function syncFolder(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
