import type { Kysely } from 'kysely';
import { isRowBlock, unpackRows } from './row-block.js';
import type { BulkWriter } from './views-store.js';

/**
 * The bulk path for a store without an appender: multi-row INSERTs in
 * chunks, in the transaction `db` belongs to.
 */
export function sqlBulkWriter(db: Kysely<any>, chunk = 500): BulkWriter {
  return {
    async insert(table, columns, given) {
      const rows = isRowBlock(given) ? unpackRows(given) : given;
      for (let i = 0; i < rows.length; i += chunk) {
        const values = rows.slice(i, i + chunk).map((row) => Object.fromEntries(columns.map((c, j) => [c, row[j] ?? null])));
        await db.insertInto(table).values(values).execute();
      }
    },
  };
}
