import type { Rng } from './random.js';

const pad = (n: number): string => (n < 10 ? '0' + n : String(n));

export const isoDate = (y: number, m: number, d: number): string => `${y}-${pad(m)}-${pad(d)}`;

/** A random day within a month; days 1-28 keep every month valid. */
export const dayIn = (rng: Rng, y: number, m: number): string => isoDate(y, m, rng.int(1, 28));

/** Diplomas are awarded in June or early July, inside the school year starting in `startYear`. */
export function diplomaDate(rng: Rng, startYear: number): string {
  return rng.chance(0.7) ? isoDate(startYear + 1, 6, rng.int(15, 30)) : isoDate(startYear + 1, 7, rng.int(1, 15));
}
