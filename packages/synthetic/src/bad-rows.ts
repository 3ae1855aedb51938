import * as E from 'fp-ts/lib/Either.js';
import { gradeRange, looksLikeBsn, parseEnrolmentLevel, type Sector } from '@leerroutes/domain';
import { line, type FileName } from './csv.js';
import { STREAMS, rngFor, type Rng } from './random.js';
import type { CsvSink } from './sink.js';

/** The kinds of bad rows SPEC section 7 says an import must reject (named as the importer's reject codes). */
export const BAD_KINDS = ['unknown-level', 'grade-out-of-range', 'date-outside-school-year', 'duplicate-key', 'bsn-shaped-id'] as const;
export type BadKind = (typeof BAD_KINDS)[number];

export const KINDS_BY_FILE: Readonly<Partial<Record<FileName, readonly BadKind[]>>> = {
  enrollments: BAD_KINDS,
  advice: ['unknown-level', 'date-outside-school-year', 'bsn-shaped-id'],
  diplomas: ['unknown-level', 'date-outside-school-year', 'bsn-shaped-id'],
  learners: ['bsn-shaped-id'],
};

export interface InjectedRow {
  readonly kind: BadKind;
  readonly file: string;
  readonly line: number;
  readonly learner_id: string;
}

const UNKNOWN_LEVEL: Readonly<Record<string, readonly string[]>> = {
  vo: ['vmbo-x', 'lwoo', 'havo+', 'vwo-plus'],
  po: ['groep-8'],
  mbo: ['mbo-5', 'mbo-0'],
  hbo: ['hbo-x'],
  wo: ['wo-phd'],
  diploma: ['mbo-5', 'havo-plus', 'vmbo-x'],
};

/** Nine digits passing the eleven-test: what a leaked citizen service number looks like. */
export function bsnLike(rng: Rng): string {
  for (;;) {
    const d = [rng.int(1, 9)];
    for (let i = 1; i < 8; i++) d.push(rng.int(0, 9));
    const sum = d.reduce((s, x, i) => s + (9 - i) * x, 0);
    const last = sum % 11;
    if (last === 10) continue;
    const id = d.join('') + String(last);
    if (looksLikeBsn(id)) return id;
  }
}

/**
 * Adds bad rows next to good ones: with probability `fraction` per good row,
 * one bad row of a kind valid for that file. Bad rows never replace good ones,
 * so an import that rejects exactly them ends up with the clean data. Rows
 * whose fault is in their own values belong to ghost learners (`Q...` ids, no
 * other rows) so that they cannot collide with a real row's key; a
 * `duplicate-key` row repeats a real learner's key with different content and
 * comes right after the original (the later occurrence is the bad one).
 */
export class BadRowInjector {
  readonly injected: InjectedRow[] = [];
  private rng: Rng | null = null;
  private ghosts = 0;

  constructor(private readonly seed: readonly [number, number, number, number], private readonly fraction: number) {}

  forLearner(index: number): void {
    this.rng = rngFor(this.seed, index, STREAMS.badRows);
  }

  /** Called after each good row; may write one bad row, built from the good row's fields, to the same sink. */
  after(file: FileName, fields: () => string[], sink: CsvSink): void {
    const rng = this.rng!;
    if (!rng.chance(this.fraction)) return;
    const kinds = KINDS_BY_FILE[file];
    if (!kinds) return;
    const kind = rng.pick(kinds);
    const bad = this.mutate(rng, file, kind, fields());
    const at = sink.push(line(bad));
    this.injected.push({ kind, file: `${file}.csv`, line: at, learner_id: bad[0]! });
  }

  private ghost(): string {
    return 'Q' + String(++this.ghosts).padStart(7, '0');
  }

  private mutate(rng: Rng, file: FileName, kind: BadKind, f: string[]): string[] {
    const year = Number(f[1]!.slice(0, 4));
    if (kind === 'bsn-shaped-id') {
      f[0] = bsnLike(rng);
      return f;
    }
    if (kind === 'duplicate-key') {
      // Same (learner_id, reference_date), a different but valid grade.
      const { min, max } = range(f);
      const g = Number(f[7]);
      f[7] = String(g > min ? g - 1 : Math.min(max, g + 1));
      return f;
    }
    f[0] = this.ghost();
    if (kind === 'date-outside-school-year') {
      // The date belongs to the next school year while school_year stays.
      if (file === 'enrollments') f[2] = `${year + 1}-10-01`;
      else f[2] = `${year + 1}-08-${String(rng.int(10, 28))}`;
      return f;
    }
    if (kind === 'unknown-level') {
      if (file === 'enrollments') f[6] = rng.pick(UNKNOWN_LEVEL[f[3]!]!);
      else if (file === 'advice') f[5] = rng.pick(UNKNOWN_LEVEL['vo']!);
      else f[4] = rng.pick(UNKNOWN_LEVEL['diploma']!);
      return f;
    }
    // grade-out-of-range (enrollments only)
    const { min, max } = range(f);
    f[7] = String(rng.chance(0.8) ? max + rng.int(1, 3) : min - 1);
    return f;
  }
}

function range(f: readonly string[]): { min: number; max: number } {
  const sector = f[3] as Sector;
  const level = parseEnrolmentLevel(sector, f[6]!);
  if (E.isLeft(level)) throw new Error(`generator wrote an unparseable level '${f[6]}'`);
  return gradeRange(sector, level.right);
}
