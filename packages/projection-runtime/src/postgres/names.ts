/**
 * Names on the PostgreSQL side. Schema names are spliced into SQL
 * (identifiers cannot be bound), so the prefix is checked once and every
 * name derived from it is safe to quote.
 */
import pg from 'pg';
import { numberTypes as storeTypes } from '@leerroutes/event-store/postgres';

export const DEFAULT_PREFIX = 'views';

/**
 * First half of the two-int advisory lock keys ('LV'; the event store uses
 * 'LR'); the second half is hashtext(prefix), so views under different
 * prefixes in one database do not wait for each other.
 */
export const WRITER_LOCK_CLASS = 0x4c56;
/** Creating the meta schema: a lock of its own, so opening a store never waits for a writer session. */
export const SETUP_LOCK_CLASS = 0x4c57;

export function checkPrefix(prefix: string): string {
  // Leaves room for '_g<number>' and '_meta' within PostgreSQL's 63 bytes.
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(prefix)) {
    throw new Error(`invalid views schema prefix ${JSON.stringify(prefix)}: use lower-case letters, digits and _ (at most 41), not starting with a digit`);
  }
  return prefix;
}

export const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export interface Names {
  readonly prefix: string;
  /** Where the pointer to the published generation and the lock holder live. */
  readonly meta: string;
  /** The schema of generation n. */
  generation(n: number): string;
  /** Matches the generation schemas of this prefix (a POSIX regex for pg_namespace). */
  readonly generationRegex: string;
  /**
   * search_path before anything is published: a schema that is never
   * created, so every view table reads as missing, as in an empty DuckDB.
   */
  readonly unpublished: string;
}

export function namesFor(prefix: string): Names {
  checkPrefix(prefix);
  return {
    prefix,
    meta: `${prefix}_meta`,
    generation: (n) => `${prefix}_g${n}`,
    generationRegex: `^${prefix}_g[0-9]+$`,
    unpublished: `${prefix}_unpublished`,
  };
}

/**
 * INT8 (count(*), sum of integers, bigint columns) as plain numbers, so SQL
 * counts are numbers on both backends (the views' counts and positions stay
 * far below 2^53); DATE as its ISO text, as a calendar day, which pg would
 * otherwise turn into a Date at local midnight.
 */
export const numberTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.DATE ? (text: string) => text : storeTypes.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};
