/**
 * PostgreSQL for tests, shared by every package whose tests need a server:
 *
 *   const pg = await postgresForTests();
 *   describeWithPostgres('my store on PostgreSQL', pg, (db) => {   // a fresh lr_<random> database for this file
 *     it('...', async () => { const store = await openPostgresEventStore({ connectionString: db.url() }); ... });
 *   });
 *
 * The server comes from PATHWAYS_TEST_PG (default
 * postgres://postgres@127.0.0.1:5432/postgres: a database to connect to for
 * CREATE/DROP DATABASE, by a role allowed to do that). Unreachable, the suite
 * is skipped with the reason, except under CI=true, where postgresForTests()
 * throws and fails the file: CI starts PostgreSQL, so a missing server there
 * is a broken CI, not a reason to go green without the tests.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { redactUrl as redact } from '../src/location.js';
import { afterAll, beforeAll, describe, it } from 'vitest';

export const TEST_PG_ENV = 'PATHWAYS_TEST_PG';
export const DEFAULT_TEST_PG = 'postgres://postgres@127.0.0.1:5432/postgres';

export type PostgresForTests =
  | { readonly available: true; readonly adminUrl: string }
  | { readonly available: false; readonly adminUrl: string; readonly reason: string };

/** Probes the server once. Call it at the top level of a test file (top-level await), before describe. */
export async function postgresForTests(): Promise<PostgresForTests> {
  const adminUrl = process.env[TEST_PG_ENV] || DEFAULT_TEST_PG;
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { available: true, adminUrl };
  } catch (err) {
    const reason = `PostgreSQL at ${redact(adminUrl)} (${TEST_PG_ENV}) is unreachable: ${(err as Error).message}`;
    if (process.env.CI === 'true') throw new Error(`${reason}; under CI=true that is a failure, not a skip`);
    return { available: false, adminUrl, reason };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface ThrowawayDatabase {
  readonly name: string;
  /** adminUrl with the database swapped for this one. */
  readonly url: string;
  /** Drops it, ending any connection still open to it. */
  drop(): Promise<void>;
}

async function onAdmin<T>(adminUrl: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface ThrowawayOptions {
  /**
   * An ICU locale for the database's default collation ('nl-NL'): text then
   * sorts and compares as in that language, not by code point, so a query
   * whose result depends on the server's collation shows it.
   */
  readonly icuLocale?: string;
}

export async function createThrowawayDatabase(adminUrl: string, options: ThrowawayOptions = {}): Promise<ThrowawayDatabase> {
  const name = `lr_${randomBytes(8).toString('hex')}`;
  // template0: template1's collation may not be changed on copy. The libc locale only matters for what ICU leaves to it.
  const collation = options.icuLocale === undefined ? '' : ` TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE '${options.icuLocale.replace(/'/g, "''")}' LOCALE 'C.UTF-8'`;
  await onAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}${collation}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    // FORCE: a test that failed before closing its store must not keep the database alive.
    drop: () => onAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/**
 * A throwaway database for the enclosing describe: created in beforeAll,
 * dropped in afterAll (which vitest runs when tests failed too). `url()` is
 * valid inside tests and hooks.
 */
export function useThrowawayDatabase(pgForTests: PostgresForTests, options: ThrowawayOptions = {}): TestDatabase {
  let db: ThrowawayDatabase | undefined;
  beforeAll(async () => {
    if (!pgForTests.available) throw new Error(pgForTests.reason);
    db = await createThrowawayDatabase(pgForTests.adminUrl, options);
  });
  afterAll(async () => {
    await db?.drop();
  });
  const current = (): ThrowawayDatabase => {
    if (db === undefined) throw new Error('no throwaway database: use it inside a test or hook');
    return db;
  };
  return { url: () => current().url, name: () => current().name };
}

export interface TestDatabase {
  url(): string;
  name(): string;
}

/**
 * A describe whose tests share a throwaway database; without a server, one
 * test skipped with the reason instead, which the run lists under "Skipped,
 * with the reason" (vitest.config.ts).
 */
export function describeWithPostgres(title: string, pgForTests: PostgresForTests, body: (db: TestDatabase) => void, options: ThrowawayOptions = {}): void {
  describe(title, () => {
    if (!pgForTests.available) {
      const { reason } = pgForTests;
      it('needs PostgreSQL', (ctx) => ctx.skip(reason));
      return;
    }
    body(useThrowawayDatabase(pgForTests, options));
  });
}

/** The URL with an application_name, so a test can find its own sessions in pg_stat_activity and pg_locks. */
export function withApplicationName(url: string, name: string): string {
  const u = new URL(url);
  u.searchParams.set('application_name', name);
  return u.toString();
}

/** One statement on a connection of its own (opened, used, closed): for a test looking at a database from outside the code under test. */
export async function queryOnce<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

/** A node of `EXPLAIN (FORMAT JSON)`'s plan. */
export interface PlanNode { 'Node Type': string; 'Relation Name'?: string; 'Parent Relationship'?: string; Plans?: PlanNode[] }

/**
 * Every scan of a table in a plan, as `<node type> on <relation>`, marked
 * `per key` when it is the inner side of a nested loop (run once per key
 * with the key as its condition) and `whole` otherwise.
 */
export function planScans(node: PlanNode, perKey = false, out: string[] = []): string[] {
  if (node['Relation Name'] !== undefined) out.push(`${node['Node Type']} on ${node['Relation Name']} ${perKey ? 'per key' : 'whole'}`);
  for (const child of node.Plans ?? []) {
    planScans(child, perKey || (node['Node Type'] === 'Nested Loop' && child['Parent Relationship'] === 'Inner'), out);
  }
  return out;
}

/** The scans of planScans' list that read a whole table: an index scan reads only what it finds, a heap scan is fine once per key, a sequential scan never. */
export const wholeTableScans = (scans: readonly string[]): string[] =>
  scans.filter((s) => s.startsWith('Seq Scan') || (s.startsWith('Bitmap Heap Scan') && s.endsWith('whole')));

/** The scans of one statement's plan with these parameters, on a connection of its own (EXPLAIN only: nothing runs). */
export async function scansOf(url: string, text: string, values: readonly unknown[]): Promise<string[]> {
  const rows = await queryOnce<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(url, `EXPLAIN (FORMAT JSON) ${text}`, [...values]);
  return planScans(rows[0]!['QUERY PLAN'][0].Plan);
}
