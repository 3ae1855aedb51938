/**
 * What every statistics query filters on: the rule set, and the two times.
 * "As known on D" keeps the rows whose interval of knowledge holds D; "as of
 * school year Y" keeps the member and classification versions that held in
 * Y and the yearly rows dated by Y. Both are plain filters on the rows, so a
 * past edition costs what a live query costs.
 */
import { sql, type RawBuilder, type Kysely } from 'kysely';

export interface Scope {
  readonly db: Kysely<any>;
  readonly rules: string;
  /** As known on this day (20170601); null: everything known now. */
  readonly knownOn: number | null;
  /** As of the school year starting in this year (2016 for 2016-2017); null: no cut. */
  readonly asOf: number | null;
}

/** A date as the statistics tables hold it: 2016-10-01 -> 20161001 (the projection writes it so). */
export const dayOf = (iso: string): number => Number(iso.slice(0, 4)) * 10_000 + Number(iso.slice(5, 7)) * 100 + Number(iso.slice(8, 10));

const col = (alias: string, column: string) => sql.ref(`${alias}.${column}`);

/** The row held on the scope's day of knowledge. */
export function known(alias: string, s: Pick<Scope, 'knownOn'>): RawBuilder<unknown> {
  if (s.knownOn === null) return sql`${col(alias, 'known_until')} is null`;
  return sql`(${col(alias, 'known_from')} <= ${sql.lit(s.knownOn)} and (${col(alias, 'known_until')} is null or ${col(alias, 'known_until')} > ${sql.lit(s.knownOn)}))`;
}

/** The version held in the scope's school year (member and classification rows). */
export function valid(alias: string, s: Pick<Scope, 'asOf'>): RawBuilder<unknown> {
  if (s.asOf === null) return sql`${col(alias, 'valid_until')} is null`;
  return sql`(${col(alias, 'valid_from')} <= ${sql.lit(s.asOf)} and (${col(alias, 'valid_until')} is null or ${col(alias, 'valid_until')} > ${sql.lit(s.asOf)}))`;
}

/** A yearly fact whose every part is dated by school year `year` (+ `later` years) is in the scope. */
export function dated(expr: RawBuilder<unknown>, s: Scope, later = 0): RawBuilder<unknown> {
  return s.asOf === null ? sql`true` : sql`${expr} + ${sql.lit(later)} <= ${sql.lit(s.asOf)}`;
}

/** A reference date known and dated in the scope: its school year and its day (20161001). */
export interface CoveredDate { readonly year: number; readonly day: number }

/** The covered reference dates of the scope: delivered as a complete count, known on D, up to Y. */
export async function coveredDates(s: Scope): Promise<CoveredDate[]> {
  const knownOn = s.knownOn === null ? sql`true` : sql`known_from <= ${sql.lit(s.knownOn)}`;
  const upTo = s.asOf === null ? sql`true` : sql`year <= ${sql.lit(s.asOf)}`;
  const { rows } = await sql<{ year: number; reference_date: number }>`select year, reference_date from stat_covered where ${knownOn} and ${upTo} order by reference_date`.execute(s.db);
  const byYear = new Map<number, number>();
  for (const r of rows) if (!byYear.has(Number(r.year))) byYear.set(Number(r.year), Number(r.reference_date));
  return [...byYear].map(([year, day]) => ({ year, day }));
}

/** `expr in (years)`; false for none. */
export function inYears(expr: RawBuilder<unknown>, years: readonly number[]): RawBuilder<unknown> {
  return years.length === 0 ? sql`false` : sql`${expr} in (${sql.join(years.map((y) => sql.lit(y)))})`;
}
