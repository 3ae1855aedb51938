/**
 * One writer session at a time on a views directory. Across processes: a row
 * in `writer.lock` (a small SQLite file, so check-and-take is one
 * transaction) naming the holder's pid, host and process start time, taken
 * over once that process no longer runs, as the log's own lock does
 * (event-store/src/sqlite/lock.ts). Within a process: sessions queue, since
 * a lock keyed by pid cannot tell two of them apart.
 */
import { realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { holderRunning, processStartTime } from '@leerroutes/event-store/sqlite';
import { ViewsLockedError, type LockOptions, type ViewsLockHolder } from './views-store.js';

const LOCK_FILE = 'writer.lock';
const POLL_MS = 200;

type Row = ViewsLockHolder & { readonly started: string | null };

/** Per directory: the last session of this process in line, and what runs now. */
const inProcess = new Map<string, { tail: Promise<void>; running: { purpose: string; since: string } | null }>();

const describe = (dir: string, h: { pid: number; host: string; since: string; purpose: string }): string =>
  `the views in ${dir} are being written by ${h.purpose} (pid ${h.pid}${h.host !== hostname() ? ` on ${h.host}` : ''}, since ${h.since})`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for (or, with ifLocked 'fail', refuses) the lock; resolves with its release. */
export async function acquireWriterLock(dir: string, purpose: string, options: LockOptions = {}): Promise<() => void> {
  const key = realpathSync(dir);
  const line = inProcess.get(key) ?? { tail: Promise.resolve(), running: null };
  inProcess.set(key, line);
  const self = { pid: process.pid, host: hostname(), since: new Date().toISOString(), purpose };

  if (line.running) {
    const holder = { ...line.running, pid: process.pid, host: hostname() };
    if (options.ifLocked === 'fail') throw new ViewsLockedError(`${describe(dir, holder)}; try again when it has finished`, holder);
    options.onWait?.(`${describe(dir, holder)}; waiting for it to finish`);
  }
  const before = line.tail;
  let endTurn!: () => void;
  const turnEnded = new Promise<void>((resolve) => { endTurn = resolve; });
  line.tail = before.then(() => turnEnded);
  await before;
  line.running = { purpose, since: self.since };

  let db: Database.Database | null = null;
  try {
    db = new Database(join(dir, LOCK_FILE), { timeout: 10_000 });
    db.exec('CREATE TABLE IF NOT EXISTS writer (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, host TEXT NOT NULL, started TEXT, since TEXT NOT NULL, purpose TEXT NOT NULL)');
    const started = processStartTime(process.pid);
    const take = db.transaction((): Row | null => {
      const held = db!.prepare('SELECT pid, host, started, since, purpose FROM writer WHERE id = 1').get() as Row | undefined;
      if (held && holderRunning(held) && !(held.pid === self.pid && held.host === self.host && held.started === started)) return held;
      db!.prepare('INSERT INTO writer (id, pid, host, started, since, purpose) VALUES (1, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, host = excluded.host, started = excluded.started, since = excluded.since, purpose = excluded.purpose')
        .run(self.pid, self.host, started, self.since, purpose);
      return null;
    });
    let told: string | null = null;
    for (;;) {
      const holder = take.immediate();
      if (!holder) break;
      const { pid, host, since, purpose: theirs } = holder;
      if (options.ifLocked === 'fail') throw new ViewsLockedError(`${describe(dir, holder)}; try again when it has finished`, { pid, host, since, purpose: theirs });
      // Told once per holder, not at every poll.
      const who = `${pid}@${host}@${since}`;
      if (told !== who) options.onWait?.(`${describe(dir, holder)}; waiting for it to finish`);
      told = who;
      await sleep(POLL_MS);
    }
  } catch (err) {
    db?.close();
    line.running = null;
    endTurn();
    throw err;
  }

  let released = false;
  return () => {
    if (released) return;
    released = true;
    try {
      if (db!.open) db!.prepare('DELETE FROM writer WHERE id = 1 AND pid = ? AND host = ?').run(self.pid, self.host);
    } finally {
      db!.close();
      line.running = null;
      endTurn();
    }
  };
}
