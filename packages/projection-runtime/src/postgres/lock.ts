/**
 * One writer session at a time on a prefix's views. Across processes: a
 * session-level advisory lock, held by the session's own connection, so a
 * killed process (or a terminated backend) frees it with its connection;
 * the holder records who it is in the meta schema so a waiter can be told.
 * Within a store: sessions queue, as in the DuckDB store (writer-lock.ts).
 */
import { hostname } from 'node:os';
import type pg from 'pg';
import { ViewsLockedError, type LockOptions, type ViewsLockHolder } from '../views-store.js';
import { quote, WRITER_LOCK_CLASS, type Names } from './names.js';

const POLL_MS = 200;
/** How long a refused writer looks for the holder's row (it is written just after the lock is taken). */
const NAME_HOLDER_MS = 1000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const describe = (location: string, h: ViewsLockHolder): string =>
  `the views in ${location} are being written by ${h.purpose} (pid ${h.pid}${h.host !== hostname() ? ` on ${h.host}` : ''}, since ${h.since})`;

const UNKNOWN: ViewsLockHolder = { pid: 0, host: 'unknown', since: 'unknown', purpose: 'another session' };

/** Sessions of one store take turns; the running one is named to those that queue. */
export class InProcessLine {
  private tail: Promise<void> = Promise.resolve();
  private running: { purpose: string; since: string } | null = null;

  /** Waits for this store's earlier sessions; resolves with the end of this one's turn. */
  async take(location: string, purpose: string, options: LockOptions): Promise<() => void> {
    if (this.running) {
      const holder = { ...this.running, pid: process.pid, host: hostname() };
      if (options.ifLocked === 'fail') throw new ViewsLockedError(`${describe(location, holder)}; try again when it has finished`, holder);
      options.onWait?.(`${describe(location, holder)}; waiting for it to finish`);
    }
    const before = this.tail;
    let endTurn!: () => void;
    const turnEnded = new Promise<void>((resolve) => { endTurn = resolve; });
    this.tail = before.then(() => turnEnded);
    await before;
    this.running = { purpose, since: new Date().toISOString() };
    return () => {
      this.running = null;
      endTurn();
    };
  }
}

/** The holder as recorded, if the backend that recorded it still holds this prefix's lock (a killed holder's row stays behind, and backend pids are reused). */
async function holderOf(client: pg.Client, names: Names): Promise<ViewsLockHolder | null> {
  const { rows } = await client.query<ViewsLockHolder>(
    `SELECT w.pid, w.host, w.since, w.purpose FROM ${quote(names.meta)}.writer w
     WHERE w.id = 1 AND EXISTS (
       SELECT 1 FROM pg_locks l WHERE l.pid = w.backend_pid AND l.locktype = 'advisory' AND l.granted
         AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
         AND l.classid = $1 AND l.objid = (hashtext($2)::bigint & 4294967295)::oid AND l.objsubid = 2)`,
    [WRITER_LOCK_CLASS, names.prefix],
  );
  return rows[0] ?? null;
}

/**
 * Takes the writer lock on `client` (waiting, or refusing with
 * ViewsLockedError) and records the holder. The lock lasts as long as the
 * client's connection, or until releaseWriterLock.
 */
export async function acquireWriterLock(client: pg.Client, names: Names, location: string, purpose: string, options: LockOptions): Promise<void> {
  let told: string | null = null;
  for (;;) {
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [WRITER_LOCK_CLASS, names.prefix]);
    if (rows[0]!.ok) break;
    let holder = await holderOf(client, names);
    // Taken a moment ago and not yet recorded: look again briefly before answering without a name.
    for (let waited = 0; !holder && waited < NAME_HOLDER_MS; waited += 50) {
      await sleep(50);
      holder = await holderOf(client, names);
    }
    const h = holder ?? UNKNOWN;
    if (options.ifLocked === 'fail') throw new ViewsLockedError(`${describe(location, h)}; try again when it has finished`, h);
    // Told once per holder, not at every poll.
    const who = `${h.pid}@${h.host}@${h.since}`;
    if (told !== who) options.onWait?.(`${describe(location, h)}; waiting for it to finish`);
    told = who;
    await sleep(POLL_MS);
  }
  await client.query(
    `INSERT INTO ${quote(names.meta)}.writer (id, backend_pid, pid, host, since, purpose) VALUES (1, pg_backend_pid(), $1, $2, $3, $4)
     ON CONFLICT (id) DO UPDATE SET backend_pid = excluded.backend_pid, pid = excluded.pid, host = excluded.host, since = excluded.since, purpose = excluded.purpose`,
    [process.pid, hostname(), new Date().toISOString(), purpose],
  );
}

/** Forgets the holder row and frees the lock; the caller then ends the connection (which frees it anyway). */
export async function releaseWriterLock(client: pg.Client, names: Names): Promise<void> {
  await client.query(`DELETE FROM ${quote(names.meta)}.writer WHERE id = 1 AND backend_pid = pg_backend_pid()`);
  await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [WRITER_LOCK_CLASS, names.prefix]);
}
