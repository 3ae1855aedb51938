import type { InsertQueryBuilder, InsertResult, Kysely } from 'kysely';

/**
 * Multi-row INSERTs in chunks: one statement per few hundred rows is what
 * makes bulk writes through Kysely fast, and stays under SQLite's limit on
 * bound parameters. `finish` adds an ON CONFLICT clause or the like.
 */
export async function insertChunked<R extends object>(
  db: Kysely<any>,
  table: string,
  rows: readonly R[],
  finish?: (q: InsertQueryBuilder<any, string, InsertResult>) => { execute(): Promise<unknown> },
  chunk = 500,
): Promise<void> {
  for (let i = 0; i < rows.length; i += chunk) {
    const q = db.insertInto(table).values(rows.slice(i, i + chunk) as R[]);
    await (finish ? finish(q) : q).execute();
  }
}
