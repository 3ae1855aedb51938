import { resolve } from 'node:path';
import { PARAMETERS, type Parameters } from './parameters.js';

export interface GenerateOptions {
  /** Directory the CSV files and manifest.json are written to (created if missing). */
  readonly out: string;
  readonly learners: number;
  /** Intake years, `2012-2016` or `2014`: learners enter VO grade 1 in these school years' autumns. */
  readonly cohorts: string | { readonly first: number; readonly last: number };
  readonly seed: string | number;
  /** Start year of the last reference date written; default last intake year + 8. */
  readonly until?: number;
  /** Share of bad rows to add (0 = none). */
  readonly badRows?: number;
  /** Directory for a corrected re-delivery of the last reference dates. */
  readonly redelivery?: string;
  /** How many of the last reference dates the re-delivery covers (default 2). */
  readonly redeliveryDates?: number;
  /** Another set of rates; default PARAMETERS. */
  readonly parameters?: Parameters;
}

export interface ResolvedOptions {
  readonly out: string;
  readonly learners: number;
  readonly firstIntake: number;
  readonly lastIntake: number;
  readonly seed: string;
  readonly until: number;
  readonly badRows: number;
  readonly redelivery: string | null;
  readonly redeliveryDates: number;
  readonly parameters: Parameters;
}

/** Options that cannot describe a population; the message says which and why. */
export class InvalidOptionsError extends Error {}

export function parseCohorts(input: string): { first: number; last: number } {
  const m = /^\s*(\d{4})(?:\s*-\s*(\d{4}))?\s*$/.exec(input);
  if (!m) throw new InvalidOptionsError(`cohorts must be intake years like 2012-2016 or 2014, got '${input}'`);
  const first = Number(m[1]);
  const last = m[2] ? Number(m[2]) : first;
  if (last < first) throw new InvalidOptionsError(`cohorts ${input}: the last intake year is before the first`);
  return { first, last };
}

export function resolveOptions(o: GenerateOptions): ResolvedOptions {
  if (!o.out) throw new InvalidOptionsError('an output directory is required');
  if (!Number.isInteger(o.learners) || o.learners < 1) throw new InvalidOptionsError(`learners must be a whole number >= 1, got ${o.learners}`);
  const { first, last } = typeof o.cohorts === 'string' ? parseCohorts(o.cohorts) : o.cohorts;
  if (first < 1950 || last > 2100) throw new InvalidOptionsError(`cohorts ${first}-${last} are outside 1950-2100`);
  const until = o.until ?? last + 8;
  if (!Number.isInteger(until) || until < last || until > last + 40) {
    throw new InvalidOptionsError(`until must be a year from the last intake year (${last}) to ${last + 40}, got ${o.until}`);
  }
  const badRows = o.badRows ?? 0;
  if (!(badRows >= 0 && badRows <= 0.5)) throw new InvalidOptionsError(`bad-rows must be a fraction from 0 to 0.5, got ${o.badRows}`);
  const windowYears = until - (first - 1) + 1;
  const redeliveryDates = o.redeliveryDates ?? 2;
  if (!Number.isInteger(redeliveryDates) || redeliveryDates < 1 || redeliveryDates > windowYears) {
    throw new InvalidOptionsError(`redelivery-dates must be 1..${windowYears}, got ${o.redeliveryDates}`);
  }
  const out = resolve(o.out);
  const redelivery = o.redelivery ? resolve(o.redelivery) : null;
  if (redelivery === out) throw new InvalidOptionsError('the re-delivery needs its own directory, not the output directory');
  return {
    out, learners: o.learners, firstIntake: first, lastIntake: last, seed: String(o.seed), until, badRows, redelivery, redeliveryDates,
    parameters: o.parameters ?? PARAMETERS,
  };
}
