/**
 * The read side: pooled connections whose search_path names the published
 * generation. Report SQL uses unqualified table names, so a connection is
 * pointed at the current generation each time it is checked out; the
 * pointer is cached in-process and read again once it is older than
 * recheckMs.
 */
import Cursor from 'pg-cursor';
import { CompiledQuery, Kysely, PostgresDialect, type DatabaseConnection, type Driver, type QueryResult, type TransactionSettings } from 'kysely';
import type pg from 'pg';
import type { ViewsReader } from '../views-store.js';
import { readPointer } from './meta.js';
import { quote, type Names } from './names.js';

/**
 * A query that ran into a generation dropped under it: its schema or table
 * is gone (42P01, 3F000), or the drop committed while the query waited for
 * its lock on the table (XX000 "could not open relation").
 */
const gone = (err: unknown): boolean => {
  const e = err as { code?: string; message?: string } | null;
  return e?.code === '42P01' || e?.code === '3F000' || (e?.code === 'XX000' && /could not open relation|cache lookup failed/i.test(e.message ?? ''));
};

/** A pooled connection that knows which search_path it was given and whether it is inside a transaction. */
class ReaderConnection implements DatabaseConnection {
  inTransaction = false;
  constructor(readonly inner: DatabaseConnection, private readonly reader: PublishedReader, public path: string) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    try {
      return await this.inner.executeQuery<R>(query);
    } catch (err) {
      // A publication elsewhere dropped the generation this connection was
      // pointed at: outside a transaction the query can simply go again on
      // the new one. Inside one, snapshot() retries the whole of it.
      if (this.inTransaction || !gone(err) || !(await this.reader.moved(this.path, this.inner))) throw err;
      await this.reader.point(this);
      return this.inner.executeQuery<R>(query);
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

class ReaderDriver implements Driver {
  private readonly paths = new WeakMap<DatabaseConnection, string>();
  constructor(private readonly inner: Driver, private readonly reader: PublishedReader) {}

  init(): Promise<void> { return this.inner.init(); }

  async acquireConnection(): Promise<DatabaseConnection> {
    const inner = await this.inner.acquireConnection();
    const connection = new ReaderConnection(inner, this.reader, this.paths.get(inner) ?? '');
    try {
      await this.reader.point(connection);
    } catch (err) {
      await this.inner.releaseConnection(inner);
      throw err;
    }
    this.paths.set(inner, connection.path);
    return connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const c = connection as ReaderConnection;
    await this.inner.beginTransaction(c.inner, settings);
    c.inTransaction = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as ReaderConnection;
    c.inTransaction = false;
    await this.inner.commitTransaction(c.inner);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as ReaderConnection;
    c.inTransaction = false;
    await this.inner.rollbackTransaction(c.inner);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const c = connection as ReaderConnection;
    this.paths.set(c.inner, c.path);
    await this.inner.releaseConnection(c.inner);
  }

  destroy(): Promise<void> { return this.inner.destroy(); }
}

async function readPointerOn(connection: DatabaseConnection, names: Names): Promise<string | null> {
  const { rows } = await connection.executeQuery<{ generation: string | null }>(CompiledQuery.raw(`select generation from ${quote(names.meta)}.current where id = 1`));
  return rows[0]?.generation ?? null;
}

class ReaderDialect extends PostgresDialect {
  constructor(pool: pg.Pool, private readonly reader: PublishedReader) {
    // A cursor lets a reader stream a large select (an export) in batches rather than hold all of it.
    super({ pool, cursor: Cursor });
  }

  override createDriver(): Driver {
    return new ReaderDriver(super.createDriver(), this.reader);
  }
}

export class PublishedReader implements ViewsReader {
  readonly db: Kysely<any>;
  private pointer: string | null = null;
  private checkedAt = -Infinity;
  private reading: Promise<string | null> | null = null;
  private closed = false;

  constructor(private readonly pool: pg.Pool, private readonly names: Names, private readonly recheckMs: number) {
    this.db = new Kysely<any>({ dialect: new ReaderDialect(pool, this) });
  }

  /**
   * The published generation, as read at most recheckMs ago. A caller that
   * holds a pooled connection passes it to read the pointer on: taking
   * another from the pool could wait forever once every connection is held
   * by a query waiting for the pointer.
   */
  async current(via?: DatabaseConnection): Promise<string | null> {
    if (this.closed) throw new Error(`the views reader on ${this.names.prefix} is closed`);
    if (Date.now() - this.checkedAt < this.recheckMs) return this.pointer;
    // Concurrent queries share one look at the pointer.
    this.reading ??= (via ? readPointerOn(via, this.names) : readPointer(this.pool, this.names))
      .then((name) => {
        this.pointer = name;
        this.checkedAt = Date.now();
        return name;
      })
      .finally(() => { this.reading = null; });
    return this.reading;
  }

  private pathOf(generation: string | null): string {
    return generation ?? this.names.unpublished;
  }

  /** Points a connection at the current generation, unless it already is. */
  async point(connection: ReaderConnection): Promise<void> {
    const path = this.pathOf(await this.current(connection.inner));
    if (connection.path === path) return;
    await connection.inner.executeQuery(CompiledQuery.raw(`set search_path to ${quote(path)}`));
    connection.path = path;
  }

  /** Whether the pointer no longer names `path` (read afresh). */
  async moved(path: string, via?: DatabaseConnection): Promise<boolean> {
    this.checkedAt = -Infinity;
    return this.pathOf(await this.current(via)) !== path;
  }

  async snapshot<T>(fn: (db: Kysely<any>) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const generation = await this.current();
      try {
        // Nothing published: no table to be consistent about, and a query on a
        // missing table (which the runtime expects and catches) would abort a
        // transaction for the queries after it.
        if (generation === null) return await this.db.connection().execute(fn);
        return await this.db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(fn);
      } catch (err) {
        // The generation was dropped by a publication between the look at the pointer and the queries: once more, on the new one.
        if (attempt > 0 || !gone(err) || !(await this.moved(this.pathOf(generation)))) throw err;
      }
    }
  }

  published(): Promise<string | null> {
    return this.current();
  }

  /** This process just published: look at the pointer on the next query rather than within recheckMs. */
  lookAgain(): void {
    this.checkedAt = -Infinity;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.destroy();
  }
}
