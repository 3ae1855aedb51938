import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { columnQuery, joinable, joinColumn, type ColumnValue } from '../src/postgres/text-columns.js';
import { describeWithPostgres, postgresForTests } from '../test-support/postgres.js';

const pgForTests = await postgresForTests();

/** Strings rich in what could be mistaken: the two separators and the ledger's, empty strings, quotes, braces, backslashes, "NULL". */
const tricky = fc.oneof(
  fc.string(),
  fc.constantFrom('', '\x1f', '\x1e', '\x1d', 'a\x1eb', '\x1d\x1d', 'a\x1fb', 'NULL', '"', '{}', '\\', ',', ' '),
  fc.string({ unit: fc.constantFrom('a', '\x1f', '\x1e', '\x1d', '"', ',', '\\') }),
);
const textColumn = fc.array(fc.option(tricky, { nil: null }), { maxLength: 8 });

describeWithPostgres('columns sent as joined text (text-columns.ts)', pgForTests, (db) => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: db.url() });
    await client.connect();
  });
  afterAll(async () => client?.end());

  // The statement in both forms, as the store and the ledger write theirs.
  const texts = (type: string): [string, string] => [
    `SELECT x FROM unnest($1::${type}[]) WITH ORDINALITY AS u(x, i) ORDER BY i`,
    `SELECT x FROM unnest(string_to_array($1, E'\\x1e', E'\\x1d')::${type}[]) WITH ORDINALITY AS u(x, i) ORDER BY i`,
  ];
  const roundTrip = async (type: string, values: readonly ColumnValue[]): Promise<unknown[]> =>
    (await client.query<{ x: unknown }>(...columnQuery(texts(type), [values]))).rows.map((r) => r.x);

  it('gives every text column back as sent, joined when it can be and as an array when it cannot', async () => {
    let joined = 0;
    let arrays = 0;
    await fc.assert(fc.asyncProperty(textColumn, async (values) => {
      // PostgreSQL text holds no NUL, whichever way it travels.
      const sent = values.map((v) => (v === null ? null : v.replaceAll('\0', '')));
      if (joinable(sent)) joined++;
      else arrays++;
      expect(await roundTrip('text', sent)).toEqual(sent);
    }), { numRuns: 300 });
    // Both ways were taken, so both were checked.
    expect(joined).toBeGreaterThan(20);
    expect(arrays).toBeGreaterThan(20);
  });

  it('gives numbers and nulls back as sent', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: null }), { maxLength: 8 }), async (values) => {
      expect(joinable(values)).toBe(true);
      expect(await roundTrip('int', values)).toEqual(values);
    }), { numRuns: 100 });
  });
});

it('says which columns cannot be joined: a separator inside a value, or one empty string alone; the ledger\'s own separator is no trouble', () => {
  expect(joinable(['a', 'b', null, ''])).toBe(true);
  expect(joinable([])).toBe(true);
  expect(joinable([''])).toBe(false);
  expect(joinable(['a\x1fb'])).toBe(true);
  expect(joinable(['a\x1eb'])).toBe(false);
  expect(joinable(['\x1d'])).toBe(false);
  expect(joinColumn(['a', null, '', 3])).toBe('a\x1e\x1d\x1e\x1e3');
});
