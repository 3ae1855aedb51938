import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { gradeRange, parseEnrolmentLevel, parseVoLevel, type Sector } from '@leerroutes/domain';
import { HEADERS, adviceLine, diplomaLine, enrolmentLine } from './csv.js';
import type { World } from './life.js';
import { STREAMS, rngFor, type Rng } from './random.js';
import type { AdviceRecord, DiplomaRecord, EnrolmentRecord, LearnerRecord } from './records.js';
import { CsvSink } from './sink.js';
import { finalGrade, spanCode } from './spans.js';

export interface EnrolmentChange { learner_id: string; reference_date: string; field: 'level' | 'institution'; from: string; to: string }
export interface EnrolmentKey { learner_id: string; reference_date: string }
export interface AdviceCorrection { learner_id: string; school_year: string; kind: string; issued_on: string; from: string; to: string }
export interface DiplomaCorrection { learner_id: string; school_year: string; institution: string; awarded_on: string; field: 'level' | 'programme'; from: string; to: string }

export interface RedeliveryManifest {
  readonly referenceDates: readonly string[];
  readonly files: Readonly<Record<string, { rows: number }>>;
  readonly enrollments: { readonly changed: readonly EnrolmentChange[]; readonly removed: readonly EnrolmentKey[]; readonly added: readonly EnrolmentKey[] };
  readonly advice: { readonly corrected: readonly AdviceCorrection[] };
  readonly diplomas: { readonly corrected: readonly DiplomaCorrection[] };
}

/**
 * A corrected re-delivery: the complete count of the last reference dates
 * (so rows left out are learners missing from that count), plus advice and
 * diploma rows that correct earlier ones under the same natural key. Drawn
 * from its own stream: the original files do not change when it is asked for.
 */
export class Redelivery {
  private readonly enrollments: CsvSink;
  private readonly adviceSink: CsvSink;
  private readonly diplomaSink: CsvSink;
  private readonly codes: Readonly<Record<string, readonly string[]>>;
  private readonly changed: EnrolmentChange[] = [];
  private readonly removed: EnrolmentKey[] = [];
  private readonly added: EnrolmentKey[] = [];
  private readonly adviceFixes: AdviceCorrection[] = [];
  private readonly diplomaFixes: DiplomaCorrection[] = [];

  constructor(dir: string, private readonly world: World, private readonly fromYear: number) {
    this.enrollments = new CsvSink(join(dir, 'enrollments.csv'), HEADERS.enrollments);
    this.adviceSink = new CsvSink(join(dir, 'advice.csv'), HEADERS.advice);
    this.diplomaSink = new CsvSink(join(dir, 'diplomas.csv'), HEADERS.diplomas);
    const codes: Record<string, string[]> = { po: [], vo: [], mbo: [], hbo: [], wo: [] };
    for (const i of world.inst.all) codes[i.kind]!.push(i.code);
    this.codes = codes;
  }

  add(rec: LearnerRecord): void {
    const rng = rngFor(this.world.seed, rec.index, STREAMS.redelivery);
    const r = this.world.params.redelivery;
    const byYear = new Map<number, EnrolmentRecord>();
    for (const e of rec.enrolments) byYear.set(e.year, e);
    for (let y = this.fromYear; y <= this.world.until; y++) {
      const e = byYear.get(y);
      const key = { learner_id: rec.id, reference_date: `${y}-10-01` };
      if (e) {
        if (rng.chance(r.removed)) this.removed.push(key);
        else this.enrollments.push(enrolmentLine(rec.id, rng.chance(r.changed) ? this.change(rng, rec.id, e) : e));
        continue;
      }
      const before = byYear.get(y - 1);
      if (before && before.sector !== 'po' && rng.chance(r.added)) {
        // A learner the first count missed: still in the programme of the year before.
        const { max } = range(before.sector, before.level);
        this.enrollments.push(enrolmentLine(rec.id, { ...before, year: y, grade: Math.min(max, before.grade + 1) }));
        this.added.push(key);
      }
    }
    const final = rec.advice.find((a) => a.kind === 'final');
    if (final && rng.chance(r.adviceCorrected)) this.correctAdvice(rng, rec.id, final);
    for (const d of rec.diplomas) if (rng.chance(r.diplomaCorrected)) this.correctDiploma(rng, rec.id, d);
  }

  private change(rng: Rng, id: string, e: EnrolmentRecord): EnrolmentRecord {
    const reference_date = `${e.year}-10-01`;
    if (e.sector === 'vo' && rng.chance(0.5)) {
      const level = parseVoLevel(e.level);
      if (E.isRight(level) && level.right.span) {
        const r = level.right.span.low;
        const options = [r - 1, r + 1].filter((x) => x >= 1 && x <= 5 && e.grade <= finalGrade(x) && spanCode(x, x) !== e.level);
        if (options.length > 0) {
          const target = rng.pick(options);
          const code = spanCode(target, target);
          this.changed.push({ learner_id: id, reference_date, field: 'level', from: e.level, to: code });
          return { ...e, level: code };
        }
      }
    }
    const pool = this.codes[e.sector]!.filter((c) => c !== e.institution);
    const institution = rng.pick(pool);
    this.changed.push({ learner_id: id, reference_date, field: 'institution', from: e.institution, to: institution });
    return { ...e, institution, branch: e.sector === 'vo' ? institution + e.branch.slice(-2) : e.branch };
  }

  private correctAdvice(rng: Rng, id: string, a: AdviceRecord): void {
    const span = parseVoLevel(a.level);
    if (E.isLeft(span) || !span.right.span) return;
    const { low, high } = span.right.span;
    // A combined advice corrected to one of its levels; a single one widened by a half step.
    const r = rng.chance(0.5) ? low : high;
    const to = low !== high ? spanCode(r, r) : low === 0 ? spanCode(1, 1) : low === 5 ? spanCode(4, 5) : spanCode(low, low + 1);
    this.adviceSink.push(adviceLine(id, { ...a, level: to }));
    this.adviceFixes.push({ learner_id: id, school_year: `${a.year}-${a.year + 1}`, kind: a.kind, issued_on: a.issuedOn, from: a.level, to });
  }

  private correctDiploma(rng: Rng, id: string, d: DiplomaRecord): void {
    const swap: Readonly<Record<string, string>> = { 'vmbo-t': 'vmbo-g', 'vmbo-g': 'vmbo-t' };
    const key = { learner_id: id, school_year: `${d.year}-${d.year + 1}`, institution: d.institution, awarded_on: d.awardedOn };
    if (swap[d.level] && rng.chance(0.5)) {
      this.diplomaSink.push(diplomaLine(id, { ...d, level: swap[d.level]! }));
      this.diplomaFixes.push({ ...key, field: 'level', from: d.level, to: swap[d.level]! });
      return;
    }
    const to = /^\d+$/.test(d.programme) ? String(Number(d.programme) + 1) : `${d.programme}-gecorrigeerd`;
    this.diplomaSink.push(diplomaLine(id, { ...d, programme: to }));
    this.diplomaFixes.push({ ...key, field: 'programme', from: d.programme, to });
  }

  get full(): boolean {
    return this.enrollments.full || this.adviceSink.full || this.diplomaSink.full;
  }

  async flush(): Promise<void> {
    await Promise.all([this.enrollments.flush(), this.adviceSink.flush(), this.diplomaSink.flush()]);
  }

  async close(): Promise<RedeliveryManifest> {
    await Promise.all([this.enrollments.close(), this.adviceSink.close(), this.diplomaSink.close()]);
    const referenceDates: string[] = [];
    for (let y = this.fromYear; y <= this.world.until; y++) referenceDates.push(`${y}-10-01`);
    return {
      referenceDates,
      files: { 'enrollments.csv': { rows: this.enrollments.rows }, 'advice.csv': { rows: this.adviceSink.rows }, 'diplomas.csv': { rows: this.diplomaSink.rows } },
      enrollments: { changed: this.changed, removed: this.removed, added: this.added },
      advice: { corrected: this.adviceFixes },
      diplomas: { corrected: this.diplomaFixes },
    };
  }
}

function range(sector: Sector, level: string): { min: number; max: number } {
  const parsed = parseEnrolmentLevel(sector, level);
  if (E.isLeft(parsed)) throw new Error(`generator wrote an unparseable level '${level}'`);
  return gradeRange(sector, parsed.right);
}
