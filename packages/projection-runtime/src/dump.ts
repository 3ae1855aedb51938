import { sql, type Kysely } from 'kysely';
import type { Projection } from './projection.js';

/**
 * A projection's live tables as text, rows ordered by every column: two
 * views hold the same data exactly when their dumps are equal. Used to check
 * that a rebuild reproduces what incremental catch-ups built.
 */
export async function dumpViews(db: Kysely<any>, projections: readonly Projection[]): Promise<string> {
  const parts: string[] = [];
  for (const projection of projections) {
    for (const table of [...projection.tables].sort()) {
      const { rows: columns } = await sql<{ name: string }>`select name from pragma_table_info(${table}) order by cid`.execute(db);
      // A projection that never ran has no tables yet: dumped as absent.
      if (columns.length === 0) { parts.push(`# ${table} (absent)`); continue; }
      const order = columns.map((c) => sql.ref(c.name));
      const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)} order by ${sql.join(order)}`.execute(db);
      parts.push(`# ${table} (${columns.map((c) => c.name).join(', ')})`, ...rows.map((r) => JSON.stringify(Object.values(r))));
    }
  }
  return parts.join('\n') + '\n';
}
