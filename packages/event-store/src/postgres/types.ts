import pg from 'pg';

/**
 * Type parsers for every pool of this project's PostgreSQL tables: INT8
 * (positions, ids, count(*)) as plain numbers. They stay far below 2^53, so
 * the numbers are exact, and counts are numbers on SQLite and DuckDB too.
 */
export const numberTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};
