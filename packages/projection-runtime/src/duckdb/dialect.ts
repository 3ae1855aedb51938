/**
 * Kysely over DuckDB through @duckdb/node-api ("Neo").
 *
 * Kysely's PostgreSQL query compiler and adapter are used as they are:
 * DuckDB's SQL follows PostgreSQL's where Kysely emits it (double-quoted
 * identifiers, `$n` parameters, RETURNING, ON CONFLICT ... DO UPDATE with
 * `excluded`, transactional DDL, named constraints); the dialect test runs
 * each of those. What differs is here: how connections are had, how results
 * become plain JS values, and the catalogue the introspector reads.
 *
 * Results are plain values: BIGINT and HUGEINT become numbers when they fit
 * in a double exactly (bigints otherwise), DATE becomes 'YYYY-MM-DD', DECIMAL
 * a number, LIST and ARRAY arrays, STRUCT objects. Parameters go the other
 * way: arrays become lists, Dates ISO strings, buffers blobs.
 */
import {
  blobValue,
  DuckDBConnection,
  DuckDBInstance,
  DuckDBTypeId,
  JSDuckDBValueConverter,
  listValue,
  ResultReturnType,
  type DuckDBDateValue,
  type DuckDBValue,
  type DuckDBValueConverter,
  type DuckDBResult,
} from '@duckdb/node-api';
import {
  CompiledQuery,
  DEFAULT_MIGRATION_LOCK_TABLE,
  DEFAULT_MIGRATION_TABLE,
  PostgresAdapter,
  PostgresQueryCompiler,
  sql,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type DatabaseMetadataOptions,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type SchemaMetadata,
  type TableMetadata,
} from 'kysely';
import duckdb from '@duckdb/node-bindings';
import { nextTurn, turnsEvery } from '@leerroutes/threads/next-turn';
import { columnReader } from './chunk-reader.js';
import type { ClosedTextAdapter } from '../column-types.js';

/** Where the driver gets a DuckDB connection for a query or a transaction, and gives it back. */
export interface DuckDbConnectionSource {
  acquire(): Promise<DuckDBConnection>;
  release(connection: DuckDBConnection): void;
}

/**
 * One connection, handed to one user at a time: a writer's queries, its
 * transactions and its appenders must all go through the same connection to
 * be in the same transaction.
 */
export function singleConnection(connection: DuckDBConnection): DuckDbConnectionSource {
  let busy = false;
  const waiting: (() => void)[] = [];
  return {
    async acquire() {
      if (busy) await new Promise<void>((resolve) => waiting.push(resolve));
      busy = true;
      return connection;
    },
    release() {
      busy = false;
      waiting.shift()?.();
    },
  };
}

/**
 * Connections on one instance for concurrent readers: DuckDB runs queries of
 * different connections in parallel, each on a consistent snapshot.
 */
export class ConnectionPool implements DuckDbConnectionSource {
  private readonly idle: DuckDBConnection[] = [];
  private closed = false;

  constructor(private readonly instance: DuckDBInstance, private readonly maxIdle = 4) {}

  async acquire(): Promise<DuckDBConnection> {
    if (this.closed) throw new Error('the views connection pool is closed');
    return this.idle.pop() ?? (await this.instance.connect());
  }

  release(connection: DuckDBConnection): void {
    if (this.closed || this.idle.length >= this.maxIdle) connection.closeSync();
    else this.idle.push(connection);
  }

  /** Disconnects the idle connections; the caller closes the instance once none is in use. */
  close(): void {
    this.closed = true;
    for (const c of this.idle.splice(0)) c.closeSync();
  }
}

export interface DuckDbDialectConfig {
  readonly connections: DuckDbConnectionSource;
}

/** Kysely's dialect for DuckDB; whoever made the connection source closes it (Kysely's destroy() does not). */
export class DuckDbDialect implements Dialect {
  constructor(private readonly config: DuckDbDialectConfig) {}
  createDriver(): Driver { return new DuckDbDriver(this.config.connections); }
  createQueryCompiler(): QueryCompiler { return new PostgresQueryCompiler(); }
  createAdapter(): DialectAdapter { return new DuckDbAdapter(); }
  createIntrospector(db: Kysely<any>): DatabaseIntrospector { return new DuckDbIntrospector(db); }
}

/** PostgreSQL's adapter without its advisory lock (pg_advisory_xact_lock), which DuckDB lacks; a DuckDB file has one writer anyway. */
class DuckDbAdapter extends PostgresAdapter implements ClosedTextAdapter {
  readonly closedTextAsEnum = true;
  override async acquireMigrationLock(): Promise<void> {}
  override async releaseMigrationLock(): Promise<void> {}
}

class DuckDbDriver implements Driver {
  private readonly open = new WeakMap<DatabaseConnection, DuckDBConnection>();
  constructor(private readonly connections: DuckDbConnectionSource) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const raw = await this.connections.acquire();
    const connection = new DuckDbKyselyConnection(raw);
    this.open.set(connection, raw);
    return connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('BEGIN TRANSACTION'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('COMMIT'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await connection.executeQuery(CompiledQuery.raw('ROLLBACK'));
    } catch (err) {
      // DuckDB ends a transaction itself on some failures (a full disk, an invalidated database): there is
      // nothing left to roll back, and an error here would take the place of the one that says what happened.
      if (err instanceof Error && /no transaction is active/i.test(err.message)) return;
      throw err;
    }
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const raw = this.open.get(connection);
    if (raw) this.connections.release(raw);
  }

  async destroy(): Promise<void> {}
}

class DuckDbKyselyConnection implements DatabaseConnection {
  constructor(private readonly connection: DuckDBConnection) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.connection.run(compiled.sql, toDuckDbParameters(compiled.parameters));
    return resultOf<R>(result, await rowsOf<R>(result));
  }

  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const result = await this.connection.stream(compiled.sql, toDuckDbParameters(compiled.parameters));
    if (result.returnType !== ResultReturnType.QUERY_RESULT) {
      yield resultOf<R>(result, []);
      return;
    }
    for await (const rows of result.yieldConvertedRowObjects(plainValues)) yield { rows: rows as R[] };
  }
}

/**
 * Row objects as Neo's convertRowObjects(plainValues) makes them, filled a
 * column at a time, from the vectors' memory where the type allows
 * (chunk-reader.ts): its visit and converter lookup per value cost as much
 * as the query itself for a report's count of some 25,000 rows.
 */
async function rowsOf<R>(result: DuckDBResult): Promise<R[]> {
  if (result.returnType !== ResultReturnType.QUERY_RESULT) return [];
  const names = result.deduplicatedColumnNames();
  const readers = result.columnTypes().map(columnReader);
  const rows: Record<string, unknown>[] = [];
  // A large answer (760,000 rows for the largest report national) is made into objects on the thread that serves:
  // other requests get a turn every 16 chunks (32,768 rows).
  const turns = turnsEvery(16);
  for (const chunk of await result.fetchAllChunks()) {
    if (turns.due()) await nextTurn();
    const first = rows.length;
    const count = chunk.rowCount;
    for (let i = 0; i < count; i++) rows.push({});
    for (let c = 0; c < names.length; c++) {
      const name = names[c]!;
      const read = readers[c];
      if (read) {
        const values = read(duckdb.data_chunk_get_vector(chunk.chunk, c), count);
        for (let i = 0; i < count; i++) rows[first + i]![name] = values[i];
        continue;
      }
      // The types chunk-reader.ts does not read (DATE, DECIMAL, HUGEINT, lists, structs): value by value.
      const vector = chunk.getColumnVector(c);
      const type = vector.type;
      for (let i = 0; i < count; i++) rows[first + i]![name] = plainValues(vector.getItem(i), type, plainValues);
    }
  }
  return rows as R[];
}

function resultOf<R>(result: DuckDBResult, rows: R[]): QueryResult<R> {
  if (result.returnType !== ResultReturnType.CHANGED_ROWS) return { rows };
  const changed = BigInt(result.rowsChanged);
  return { rows, numAffectedRows: changed, numChangedRows: changed };
}

/** A plain JS value from a query result. */
export type PlainValue = null | boolean | number | bigint | string | Uint8Array | Date | PlainValue[] | { [key: string]: PlainValue };

const wholeNumber = (value: DuckDBValue): number | bigint => {
  const n = value as bigint;
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
};

/** Neo's JS converter, but integers as numbers where exact and dates as ISO day strings; nested values come back here. */
export const plainValues: DuckDBValueConverter<PlainValue> = (value, type, self) => {
  if (value === null) return null;
  switch (type.typeId) {
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.BIGNUM:
      return wholeNumber(value);
    case DuckDBTypeId.DATE:
      return (value as DuckDBDateValue).toString();
    default:
      return (JSDuckDBValueConverter as unknown as DuckDBValueConverter<PlainValue>)(value, type, self);
  }
};

/** A JS parameter as a DuckDB value. */
export function toDuckDbValue(value: unknown): DuckDBValue {
  if (value === undefined || value === null) return null;
  switch (typeof value) {
    case 'boolean':
    case 'number':
    case 'bigint':
    case 'string':
      return value;
    default:
  }
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return blobValue(value);
  if (Array.isArray(value)) return listValue(value.map(toDuckDbValue));
  return JSON.stringify(value);
}

function toDuckDbParameters(parameters: readonly unknown[]): DuckDBValue[] | undefined {
  return parameters.length === 0 ? undefined : parameters.map(toDuckDbValue);
}

/** Tables, views and columns from DuckDB's own catalogue functions (Kysely's PostgreSQL introspector reads pg_catalog). */
class DuckDbIntrospector implements DatabaseIntrospector {
  constructor(private readonly db: Kysely<any>) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{ name: string }>`select distinct schema_name as name from duckdb_schemas() where not internal order by name`.execute(this.db);
    return rows.map((r) => ({ name: r.name }));
  }

  async getTables(options: DatabaseMetadataOptions = { withInternalKyselyTables: false }): Promise<TableMetadata[]> {
    const { rows } = await sql<{ schema: string; table: string; is_view: boolean; column: string; data_type: string; nullable: boolean; default_value: string | null; comment: string | null }>`
      select c.schema_name as schema, c.table_name as table, t.table_name is null as is_view,
             c.column_name as column, c.data_type, c.is_nullable as nullable, c.column_default as default_value, c.comment
      from duckdb_columns() c
      left join duckdb_tables() t on t.database_name = c.database_name and t.schema_name = c.schema_name and t.table_name = c.table_name
      where not c.internal and c.database_name = current_database()
      order by c.schema_name, c.table_name, c.column_index`.execute(this.db);
    const tables = new Map<string, TableMetadata & { columns: TableMetadata['columns'][number][] }>();
    for (const r of rows) {
      if (!options.withInternalKyselyTables && (r.table === DEFAULT_MIGRATION_TABLE || r.table === DEFAULT_MIGRATION_LOCK_TABLE)) continue;
      const key = `${r.schema}.${r.table}`;
      let table = tables.get(key);
      if (!table) tables.set(key, (table = { name: r.table, schema: r.schema, isView: r.is_view, columns: [] }));
      table.columns.push({
        name: r.column,
        dataType: r.data_type,
        isNullable: r.nullable,
        isAutoIncrementing: r.default_value?.startsWith('nextval(') ?? false,
        hasDefaultValue: r.default_value !== null,
        ...(r.comment ? { comment: r.comment } : {}),
      });
    }
    return [...tables.values()];
  }

  async getMetadata(options?: DatabaseMetadataOptions): Promise<DatabaseMetadata> {
    return { tables: await this.getTables(options) };
  }
}
