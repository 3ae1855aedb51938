import { sql, type Kysely } from 'kysely';
import type { Projection } from './projection.js';

/** JSON with integers too large for a double written out in full. */
const text = (row: Record<string, unknown>): string => JSON.stringify(Object.values(row), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

/**
 * A projection's tables as text, rows ordered by every column: two views
 * hold the same data exactly when their dumps are equal. Used to check that
 * a rebuild reproduces what incremental catch-ups built. Pass the reader's
 * db for the published views.
 */
export async function dumpViews(db: Kysely<any>, projections: readonly Projection[]): Promise<string> {
  const parts: string[] = [];
  // Not push(...lines): a spread of a large table's rows overflows the call stack.
  await writeViewsDump(db, projections, (line) => { parts.push(line); });
  return parts.join('\n') + '\n';
}

/**
 * The same text, handed out a line at a time (without its line break): a
 * large log's views do not fit in one string, so a command prints them as
 * they come.
 */
export async function writeViewsDump(db: Kysely<any>, projections: readonly Projection[], write: (line: string) => void | Promise<void>): Promise<void> {
  for (const projection of projections) {
    for (const table of [...projection.tables].sort()) {
      // Only the schema the db reads: on PostgreSQL other generations' tables of the same name are in information_schema too.
      const { rows: columns } = await sql<{ name: string }>`select column_name as name from information_schema.columns where table_name = ${table} and table_schema = current_schema() order by ordinal_position`.execute(db);
      // A projection that never ran has no tables yet: dumped as absent.
      if (columns.length === 0) { await write(`# ${table} (absent)`); continue; }
      const order = columns.map((c) => sql.ref(c.name));
      const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)} order by ${sql.join(order)}`.execute(db);
      await write(`# ${table} (${columns.map((c) => c.name).join(', ')})`);
      for (const row of rows) await write(text(row));
    }
  }
}
