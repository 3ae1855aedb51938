import { sql, type Kysely } from 'kysely';

/**
 * The tables of the views `db` reads, on either store. Not kysely's
 * introspection: on PostgreSQL that lists the tables of every schema, the
 * other generations' and the meta schema's too.
 */
export async function listViewTables(db: Kysely<any>): Promise<Set<string>> {
  const { rows } = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(db);
  return new Set(rows.map((r) => r.name));
}
