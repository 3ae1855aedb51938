/**
 * The views as generations of DuckDB files (generations.ts). A DuckDB file
 * open for writing cannot be read by another process at all, so writers
 * never touch what readers read:
 *
 * - Readers open the published generation read-only (any number of
 *   processes at once) and move to a newer one when CURRENT changes,
 *   closing the old one once the queries running on it are done.
 * - A writer session copies the published generation (or starts empty, for
 *   a rebuild), writes the copy, checkpoints and closes it, and publishes it.
 */
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Kysely } from 'kysely';
import { appenderBulkWriter } from './duckdb/appender.js';
import { ConnectionPool, DuckDbDialect, singleConnection, type DuckDbConnectionSource } from './duckdb/dialect.js';
import { existsSync } from 'node:fs';
import { copyGeneration, discardGeneration, ensureViewsDir, nextGeneration, publishGeneration, readCurrent, readCurrentIfReadable, sweepGenerations } from './generations.js';
import { DUCKDB_UNREADABLE, ViewsDamagedError } from './views-damage.js';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ViewsReader, ViewsStore, WriterSession, WriteSessionOptions } from './views-store.js';
import { acquireWriterLock } from './writer-lock.js';

/** DuckDB's memory for a writer session; beyond it, DuckDB writes to its file and temporary files (an appending writer needs little). */
const WRITER_MEMORY_LIMIT = '192MB';

/**
 * Compression methods a writer never lets DuckDB try. DuckDB analyses every
 * enabled method on each column segment it writes and keeps the smallest;
 * for the views' unique text (learner ids) that meant building an FSST symbol
 * table per segment, for files of the same size as with dictionary and plain
 * storage (45 MiB at 110k either way). The others have nothing to work on
 * here: zstd is for long strings, and the views hold no floating-point
 * columns (alp, alprd, chimp, patas). Measured at 110k, whole rebuilds in
 * interleaved runs: 23.8, 26.6, 30.8 and 24.8 s against 26.8, 27.8, 28.2,
 * 33.4 and 34.6 s, 3-6 s less user CPU, and the bench's 160 reports gave the
 * same rows at the same speed.
 */
const WRITER_SKIPPED_COMPRESSION: readonly string[] = ['fsst', 'zstd', 'chimp', 'patas', 'alp', 'alprd'];

/** DuckDB's threads while a rebuild appends (see writeSession). */
const REBUILD_APPEND_THREADS = 1;

export interface DuckDbViewsOptions {
  /** How often, at most, a reader looks whether a newer generation was published (ms; default 100). */
  readonly recheckMs?: number;
  /**
   * DuckDB's threads per query on the read side (default: one per core).
   * On a shared two-core machine one thread was faster only while other
   * processes kept both cores busy (load 4-5); at load 2-3 the 80-request
   * set's SQL p50 was 42/35 ms on two threads against 47/40 on one.
   */
  readonly readerThreads?: number;
}

/** One opened generation on the read side; closed when superseded and no query uses it. */
interface Opened {
  readonly name: string | null;
  readonly instance: DuckDBInstance;
  readonly pool: ConnectionPool;
  readonly db: Kysely<any>;
  uses: number;
  superseded: boolean;
}

async function openGeneration(dir: string, name: string | null, threads: number | undefined): Promise<Opened> {
  // Before the first publication readers see an empty database: every view table is simply absent.
  const settings: Record<string, string> = threads === undefined ? {} : { threads: String(threads) };
  const instance = await DuckDBInstance.create(name === null ? ':memory:' : join(dir, name), name === null ? settings : { ...settings, access_mode: 'READ_ONLY' });
  const pool = new ConnectionPool(instance);
  return { name, instance, pool, db: new Kysely<any>({ dialect: new DuckDbDialect({ connections: pool }) }), uses: 0, superseded: false };
}

/** CURRENT names a generation whose file is gone. */
const missingGeneration = (dir: string, name: string, cause?: unknown): ViewsDamagedError =>
  new ViewsDamagedError(dir, `CURRENT names ${name}, which is missing`, cause === undefined ? undefined : { cause });

/** Why the published generation could not be opened: damage (a missing or unreadable file) or something else, as it was. */
function damaged(dir: string, name: string | null, err: unknown): unknown {
  if (name === null) return err;
  if (!existsSync(join(dir, name))) return missingGeneration(dir, name, err);
  if (err instanceof Error && DUCKDB_UNREADABLE.test(err.message)) return new ViewsDamagedError(dir, `${name} is damaged (${err.message})`, { cause: err });
  return err;
}

function closeOpened(g: Opened): void {
  g.pool.close();
  g.instance.closeSync();
}

class PublishedReader implements ViewsReader, DuckDbConnectionSource {
  readonly db: Kysely<any>;
  private current: Opened | null = null;
  private checkedAt = 0;
  private switching: Promise<Opened> | null = null;
  private readonly owners = new Map<DuckDBConnection, Opened>();
  private closed = false;

  constructor(private readonly dir: string, private readonly recheckMs: number, private readonly threads: number | undefined) {
    this.db = new Kysely<any>({ dialect: new DuckDbDialect({ connections: this }) });
  }

  /** The generation to query now: CURRENT is read again once recheckMs have passed since the last look. */
  private async latest(): Promise<Opened> {
    if (this.closed) throw new Error(`the views reader on ${this.dir} is closed`);
    // While a newer generation is being opened, everyone waits for it rather than using the one it replaces.
    if (this.switching) return this.switching;
    if (this.current && Date.now() - this.checkedAt < this.recheckMs) return this.current;
    this.switching = this.refresh().finally(() => { this.switching = null; });
    return this.switching;
  }

  private async refresh(): Promise<Opened> {
    // A writer may publish again and sweep the generation just read from CURRENT before it is opened: look again.
    for (let attempt = 0; ; attempt++) {
      const name = readCurrent(this.dir);
      this.checkedAt = Date.now();
      if (this.current && this.current.name === name) return this.current;
      let next: Opened;
      try {
        next = await openGeneration(this.dir, name, this.threads);
      } catch (err) {
        if (attempt < 5 && readCurrent(this.dir) !== name) continue;
        throw damaged(this.dir, name, err);
      }
      const old = this.current;
      this.current = next;
      if (old) {
        old.superseded = true;
        if (old.uses === 0) closeOpened(old);
      }
      return next;
    }
  }

  private pin(g: Opened): void { g.uses++; }

  private unpin(g: Opened): void {
    g.uses--;
    if (g.superseded && g.uses === 0) closeOpened(g);
  }

  async acquire(): Promise<DuckDBConnection> {
    const g = await this.latest();
    this.pin(g);
    try {
      const connection = await g.pool.acquire();
      this.owners.set(connection, g);
      return connection;
    } catch (err) {
      this.unpin(g);
      throw err;
    }
  }

  release(connection: DuckDBConnection): void {
    const g = this.owners.get(connection);
    if (!g) return;
    this.owners.delete(connection);
    g.pool.release(connection);
    this.unpin(g);
  }

  async snapshot<T>(fn: (db: Kysely<any>) => Promise<T>): Promise<T> {
    const g = await this.latest();
    this.pin(g);
    try {
      return await fn(g.db);
    } finally {
      this.unpin(g);
    }
  }

  async published(): Promise<string | null> {
    return (await this.latest()).name;
  }

  /** This process just published: look at CURRENT on the next query rather than within recheckMs. */
  lookAgain(): void {
    this.checkedAt = 0;
  }

  close(): void {
    this.closed = true;
    const g = this.current;
    this.current = null;
    if (!g) return;
    g.superseded = true;
    if (g.uses === 0) closeOpened(g);
  }
}

/** Opens the views directory (created if missing); nothing is read or locked until used. */
export async function openDuckDbViews(dir: string, options: DuckDbViewsOptions = {}): Promise<ViewsStore> {
  ensureViewsDir(dir);
  const reader = new PublishedReader(dir, options.recheckMs ?? 100, options.readerThreads);
  const sessions = new Set<WriterSession>();

  async function writeSession(opts: WriteSessionOptions = {}): Promise<WriterSession> {
    const release = await acquireWriterLock(dir, opts.purpose ?? 'catch-up', opts);
    let name: string | null = null;
    let instance: DuckDBInstance | null = null;
    let connection: DuckDBConnection | null = null;
    const shut = () => {
      connection?.closeSync();
      instance?.closeSync();
      connection = null;
      instance = null;
    };
    try {
      // Numbered past anything a dead session left, before that is swept: a number is never used twice.
      name = nextGeneration(dir);
      // A full rebuild reads nothing of the published views, so damaged ones do not stop it: it is their remedy.
      const current = opts.from === 'empty' ? readCurrentIfReadable(dir) : readCurrent(dir);
      sweepGenerations(dir, current);
      const published = opts.from === 'empty' ? null : current;
      if (published && !existsSync(join(dir, published))) throw missingGeneration(dir, published);
      if (published) copyGeneration(dir, published, name);
      instance = await DuckDBInstance.create(join(dir, name));
      connection = await instance.connect();
      // A session's file is published only after a final CHECKPOINT, and thrown
      // away if the session dies, so checkpoints along the way buy nothing; at
      // DuckDB's default (16 MB of WAL) a rebuild spent more time in them
      // than in appending its rows. The bound keeps what waits in memory for
      // the final checkpoint in proportion.
      await connection.run("SET checkpoint_threshold = '256MB'");
      // DuckDB's buffer pool takes up to 80% of the machine by default; a writer
      // needs little of it (appends stream to the file) and the rebuild's own
      // fold shares the process. Measured at 110k: peak RSS 757 -> 664 MiB,
      // no slower; at national, with the rebuild's worker thread beside it,
      // 400 -> 192 MB took the rebuild from 1,157 to 941 MiB at the same speed.
      await connection.run(`SET memory_limit = '${WRITER_MEMORY_LIMIT}'`);
      await connection.run(`SET disabled_compression_methods = '${WRITER_SKIPPED_COMPRESSION.join(',')}'`);
      // A rebuild's appends on one DuckDB thread: the rebuild's own worker
      // thread folds on the other core, and DuckDB's second thread competed
      // with it (and with this thread, on DuckDB's locks) for little: at 110k,
      // in eight interleaved pairs of whole rebuilds, 1.1-2.5 s less CPU (1.7 s
      // on average, of about 27 s) at the same time or a little less. The final commit
      // compresses what is left of every table and took 0.4 s on two threads
      // against 0.9 s on one, so publish gives DuckDB both cores back first.
      if (opts.from === 'empty') await connection.run(`SET threads = ${REBUILD_APPEND_THREADS}`);
    } catch (err) {
      shut();
      if (name) discardGeneration(dir, name);
      release();
      throw err;
    }
    const generation = name;
    const db = new Kysely<any>({ dialect: new DuckDbDialect({ connections: singleConnection(connection) }) });
    const bulk = appenderBulkWriter(connection);
    let ended = false;
    // A full rebuild's batches share one DuckDB transaction, committed at
    // publish. Nothing reads this file before it is published, and a session
    // that fails is thrown away whole, so committing each batch bought
    // nothing; it cost a WAL record of every row, written again by the final
    // checkpoint. A session from the published views keeps a transaction per
    // batch: its published file is not what guards a partial batch there.
    const joined = opts.from === 'empty';
    let open = false;
    let failed: unknown = null;
    let queue: Promise<unknown> = Promise.resolve();
    const end = (): void => {
      ended = true;
      sessions.delete(session);
      release();
    };
    const session: WriterSession = {
      db,
      transaction(fn) {
        if (ended) return Promise.reject(new Error(`the writer session on ${generation} has ended`));
        if (!joined) return db.transaction().execute((trx) => fn({ db: trx, bulk }));
        const run = queue.then(async () => {
          // A batch that failed half-way is in the shared transaction: nothing after it may build on it.
          if (failed) throw new Error(`the rebuild on ${generation} failed earlier in this session`, { cause: failed });
          if (!open) { await connection!.run('BEGIN TRANSACTION'); open = true; }
          try {
            return await fn({ db, bulk });
          } catch (err) {
            failed = err;
            throw err;
          }
        });
        queue = run.catch(() => {});
        return run;
      },
      async publish() {
        if (ended) throw new Error(`the writer session on ${generation} has ended`);
        await queue;
        if (failed) throw new Error(`the rebuild on ${generation} failed: nothing to publish`, { cause: failed });
        try {
          if (opts.from === 'empty') await connection!.run('RESET threads');
          if (open) await connection!.run('COMMIT');
          open = false;
          // Everything into the file itself, so the published file needs no write-ahead log.
          await connection!.run('CHECKPOINT');
          shut();
          publishGeneration(dir, generation);
          reader.lookAgain();
        } catch (err) {
          shut();
          // Unless it got as far as CURRENT: then it is published, and only the clean-up failed.
          if (readCurrentIfReadable(dir) !== generation) discardGeneration(dir, generation);
          end();
          throw err;
        }
        end();
        return { generation };
      },
      async abandon() {
        if (ended) return;
        shut();
        discardGeneration(dir, generation);
        end();
      },
    };
    sessions.add(session);
    return session;
  }

  return {
    location: dir,
    reader,
    writeSession,
    async close() {
      for (const s of [...sessions]) await s.abandon();
      reader.close();
    },
  };
}
