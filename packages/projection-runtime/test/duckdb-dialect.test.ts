import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Kysely, sql } from 'kysely';
import { ConnectionPool, DuckDbDialect, singleConnection } from '../src/duckdb/dialect.js';
import { sqlBulkWriter } from '../src/bulk.js';
import { appenderBulkWriter } from '../src/duckdb/appender.js';

let instance: DuckDBInstance;
let pool: ConnectionPool;
let db: Kysely<any>;

beforeEach(async () => {
  instance = await DuckDBInstance.create(':memory:');
  pool = new ConnectionPool(instance);
  db = new Kysely<any>({ dialect: new DuckDbDialect({ connections: pool }) });
  await db.schema.createTable('person')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('born', 'date')
    .addColumn('visits', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('person_by_name').on('person').column('name').execute();
});
afterEach(() => {
  pool.close();
  instance.closeSync();
});

describe('Kysely over DuckDB', () => {
  it('inserts with RETURNING, selects with parameters, and reads plain values', async () => {
    const inserted = await db.insertInto('person').values([{ id: 1, name: "O'Brien", born: '2001-02-03' }, { id: 2, name: 'Ada' }]).returning(['id', 'name']).execute();
    expect(inserted).toEqual([{ id: 1, name: "O'Brien" }, { id: 2, name: 'Ada' }]);
    const rows = await db.selectFrom('person').selectAll().where('name', 'in', ["O'Brien", 'Ada']).orderBy('id').limit(10).execute();
    // BIGINT as a number, DATE as its ISO day.
    expect(rows).toEqual([{ id: 1, name: "O'Brien", born: '2001-02-03', visits: 0 }, { id: 2, name: 'Ada', born: null, visits: 0 }]);
    const { n } = await db.selectFrom('person').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(n).toBe(2);
    // A DATE compared with a string parameter, as the views' reference dates are.
    expect(await db.selectFrom('person').select('id').where('born', '>=', '2001-01-01').execute()).toEqual([{ id: 1 }]);
  });

  it('updates and deletes report the rows they touched', async () => {
    await db.insertInto('person').values([{ id: 1, name: 'a' }, { id: 2, name: 'b' }, { id: 3, name: 'c' }]).execute();
    const updated = await db.updateTable('person').set((eb) => ({ visits: eb('visits', '+', 5) })).where('id', '<', 3).executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(2n);
    const deleted = await db.deleteFrom('person').where('id', '=', 3).executeTakeFirst();
    expect(deleted.numDeletedRows).toBe(1n);
    expect(await db.selectFrom('person').select(['id', 'visits']).orderBy('id').execute()).toEqual([{ id: 1, visits: 5 }, { id: 2, visits: 5 }]);
  });

  it('upserts with ON CONFLICT ... DO UPDATE and excluded', async () => {
    await db.insertInto('person').values({ id: 1, name: 'a', visits: 1 }).execute();
    await db.insertInto('person').values([{ id: 1, name: 'a2', visits: 4 }, { id: 2, name: 'b', visits: 7 }])
      .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), visits: sql`${sql.ref('person.visits')} + excluded.visits` })))
      .execute();
    await db.insertInto('person').values({ id: 2, name: 'ignored' }).onConflict((oc) => oc.column('id').doNothing()).execute();
    expect(await db.selectFrom('person').select(['id', 'name', 'visits']).orderBy('id').execute()).toEqual([{ id: 1, name: 'a2', visits: 5 }, { id: 2, name: 'b', visits: 7 }]);
  });

  it('rolls a failed transaction back, DDL included, and commits a good one', async () => {
    await expect(db.transaction().execute(async (trx) => {
      await trx.insertInto('person').values({ id: 1, name: 'a' }).execute();
      await trx.schema.createTable('scratch').addColumn('x', 'integer').execute();
      await trx.insertInto('person').values({ id: 1, name: 'duplicate key' }).execute();
    })).rejects.toThrow(/Duplicate key|constraint/i);
    expect(await db.selectFrom('person').selectAll().execute()).toEqual([]);
    expect((await db.introspection.getTables()).map((t) => t.name)).toEqual(['person']);
    await db.transaction().execute(async (trx) => { await trx.insertInto('person').values({ id: 9, name: 'kept' }).execute(); });
    expect(await db.selectFrom('person').select('name').execute()).toEqual([{ name: 'kept' }]);
  });

  it('a commit DuckDB refuses fails with its own error, not with the rollback that follows it', async () => {
    // DuckDB ends a transaction whose commit failed (as on a full disk); the rollback Kysely then sends finds
    // none. Two transactions inserting one key give such a commit without filling a disk.
    let inserted!: () => void;
    const firstInserted = new Promise<void>((resolve) => { inserted = resolve; });
    let proceed!: () => void;
    const secondMayCommit = new Promise<void>((resolve) => { proceed = resolve; });
    const second = db.transaction().execute(async (trx) => {
      await firstInserted;
      await trx.insertInto('person').values({ id: 7, name: 'second' }).execute();
      await secondMayCommit;
    });
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('person').values({ id: 7, name: 'first' }).execute();
      inserted();
      await new Promise((r) => setTimeout(r, 50));
    });
    proceed();
    await expect(second).rejects.toThrow(/Failed to commit: PRIMARY KEY or UNIQUE constraint/);
    expect(await db.selectFrom('person').select('name').execute()).toEqual([{ name: 'first' }]);
  });

  it('converts wide integers, decimals, lists and structs to plain values', async () => {
    const { rows } = await sql<Record<string, unknown>>`select 9007199254740993::bigint as big, 42::hugeint as huge, 1.25::decimal(10,2) as dec,
      [1, 2, 3] as list, {'a': date '2020-10-01'} as struct, ${['x', 'y']} as param_list`.execute(db);
    expect(rows).toEqual([{ big: 9007199254740993n, huge: 42, dec: 1.25, list: [1, 2, 3], struct: { a: '2020-10-01' }, param_list: ['x', 'y'] }]);
  });

  it('reads rows a column at a time as Neo converts them a value at a time, over several chunks and with nulls', async () => {
    const query = `select i, i::varchar || 'x' as s, case when i % 3 = 0 then null else i % 2 = 0 end as b, i * 0.5 as d,
      case when i % 5 = 0 then null else i::bigint * 1000000000000 end as big, 'a somewhat longer text ' || i as long_s,
      i::smallint as small, i::float as f, date '2020-01-01' + i::integer as day, [i, null] as list, i as i,
      case when i % 7 = 0 then null else i::integer - 2500 end as int32, (i % 256)::utinyint as u8, (i % 200 - 100)::tinyint as i8,
      i::usmallint as u16, (i * 100000)::uinteger as u32, i::double / 3 as dbl,
      case i % 5 when 0 then -9007199254740993 when 1 then 9007199254740991 when 2 then -i::bigint * 4294967296 when 3 then -9007199254740992 - (i % 3) + 1 else null end as wide,
      case i % 6 when 0 then '' when 1 then 'twelve bytes' when 2 then 'thirteen byte' when 3 then 'caf' || chr(233) || ' ' || i
        when 4 then repeat('k', 64 + i % 2) else null end as edge_s,
      repeat(chr((65 + i % 26)::integer), (1 + i % 12)::integer) as repeated_s
      from range(5000) t(i) order by i`;
    const { rows } = await sql.raw<Record<string, unknown>>(query).execute(db);
    const connection = await instance.connect();
    try {
      const { plainValues } = await import('../src/duckdb/dialect.js');
      const expected = await (await connection.run(query)).convertRowObjects(plainValues);
      expect(rows.length).toBe(5000);
      expect(rows).toEqual(expected);
      expect(rows.map((r) => Object.keys(r))).toEqual(expected.map((r) => Object.keys(r)));
    } finally {
      connection.closeSync();
    }
  });

  it('streams results', async () => {
    await db.insertInto('person').values(Array.from({ length: 3000 }, (_, i) => ({ id: i, name: `p${i}` }))).execute();
    let n = 0;
    for await (const row of db.selectFrom('person').select('id').orderBy('id').stream()) { expect(row.id).toBe(n); n++; }
    expect(n).toBe(3000);
  });

  it('introspects tables and columns', async () => {
    const [person] = await db.introspection.getTables();
    expect(person!.name).toBe('person');
    expect(person!.columns.map((c) => [c.name, c.dataType, c.isNullable, c.hasDefaultValue])).toEqual([
      ['id', 'INTEGER', false, false], ['name', 'VARCHAR', false, false], ['born', 'DATE', true, false], ['visits', 'BIGINT', false, true],
    ]);
  });
});

describe('bulk writers', () => {
  let connection: DuckDBConnection;
  let single: Kysely<any>;
  beforeEach(async () => {
    connection = await instance.connect();
    single = new Kysely<any>({ dialect: new DuckDbDialect({ connections: singleConnection(connection) }) });
  });
  afterEach(() => connection.closeSync());

  it('the appender writes typed rows in any column order, inside the transaction', async () => {
    const bulk = appenderBulkWriter(connection);
    await single.transaction().execute(async () => {
      await bulk.insert('person', ['name', 'id', 'visits', 'born'], [['a', 1, 3, '2012-10-01'], ['b', 2, 9007199254740993n, null]]);
    });
    expect(await db.selectFrom('person').selectAll().orderBy('id').execute()).toEqual([
      { id: 1, name: 'a', born: '2012-10-01', visits: 3 }, { id: 2, name: 'b', born: null, visits: 9007199254740993n },
    ]);
    // Rolled back with the transaction, and a duplicate key fails it.
    await expect(single.transaction().execute(async () => {
      await bulk.insert('person', ['id', 'name', 'born', 'visits'], [[3, 'c', null, 0]]);
      await bulk.insert('person', ['id', 'name', 'born', 'visits'], [[1, 'again', null, 0]]);
    })).rejects.toThrow(/Duplicate key/);
    expect(await db.selectFrom('person').select('id').orderBy('id').execute()).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('the appender refuses rows that do not name every column', async () => {
    await expect(appenderBulkWriter(connection).insert('person', ['id', 'name'], [[1, 'a']])).rejects.toThrow(/missing: born, visits/);
  });

  it('the SQL bulk writer gives the same rows through multi-row INSERTs', async () => {
    await sqlBulkWriter(db, 2).insert('person', ['name', 'id', 'visits', 'born'], [['a', 1, 3, '2012-10-01'], ['b', 2, 0, null], ['c', 3, 1, null]]);
    expect(await db.selectFrom('person').select(['id', 'name', 'born', 'visits']).orderBy('id').execute()).toEqual([
      { id: 1, name: 'a', born: '2012-10-01', visits: 3 }, { id: 2, name: 'b', born: null, visits: 0 }, { id: 3, name: 'c', born: null, visits: 1 },
    ]);
  });
});
