/**
 * The statistics SQL runs on DuckDB and on PostgreSQL as it stands; what the
 * two engines would answer differently is settled here, once.
 *
 * Text order: DuckDB compares text by code point; PostgreSQL by the
 * database's collation, which a deployment picks (en_US, nl_NL, ICU...) and
 * which puts 'pilot' before 'Vergelijking' where code points do the
 * opposite. Wherever the order of text decides an answer (the first of a
 * school's groups, a tie between schools, the order of rows handed out),
 * the comparison is in code-point order on both: `"C"` is a collation both
 * engines know, and it is also the order JavaScript's sort gives.
 */
import { sql, type RawBuilder } from 'kysely';

export const inCodeOrder = (text: RawBuilder<unknown>): RawBuilder<unknown> => sql`${text} collate "C"`;
