import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { parseVoLevel, type Span } from '@leerroutes/domain';
import { groupBy, readCsv } from './helpers.js';

/** One learner as read back from the CSVs: what the shape tests compute on. */
export interface ReadLearner {
  readonly id: string;
  readonly pupilWeight: string;
  readonly parental: string;
  /** Residence at the first learners.csv row. */
  readonly area: string;
  /** Every learners.csv row's residence, by valid_from. */
  readonly residence: readonly { validFrom: string; area: string }[];
  readonly birthMonth: string;
  readonly finalAdvice: string;
  readonly testScore: number | null;
  /** Latest advice after any revision (the monitor rule set's reference advice). */
  readonly latestAdvice: string;
  readonly revised: string | null;
  readonly rows: readonly { year: number; sector: string; institution: string; level: string; grade: number }[];
  readonly diplomas: readonly { year: number; level: string; awardedOn: string }[];
}

const spans = new Map<string, Span | null>();
/** Rank span of a VO level code (null for vso/unknown), through the domain parser. */
export function spanOf(code: string): Span | null {
  let s = spans.get(code);
  if (s === undefined) {
    const r = parseVoLevel(code);
    s = E.isRight(r) ? r.right.span : null;
    spans.set(code, s);
  }
  return s;
}

export function readPopulation(dir: string): ReadLearner[] {
  const learners = groupBy(readCsv(join(dir, 'learners.csv')).rows, (r) => r.values['learner_id']!);
  const advice = groupBy(readCsv(join(dir, 'advice.csv')).rows, (r) => r.values['learner_id']!);
  const enrol = groupBy(readCsv(join(dir, 'enrollments.csv')).rows, (r) => r.values['learner_id']!);
  const diplomas = groupBy(readCsv(join(dir, 'diplomas.csv')).rows, (r) => r.values['learner_id']!);
  return [...learners].map(([id, bg]) => {
    const first = bg[0]!.values;
    const adv = advice.get(id)!.map((r) => r.values);
    const final = adv.find((a) => a['kind'] === 'final')!;
    const revised = adv.find((a) => a['kind'] === 'revised');
    return {
      id, pupilWeight: first['pupil_weight']!, parental: first['parental_education']!, area: first['area']!, birthMonth: first['birth_month']!,
      residence: bg.map((r) => ({ validFrom: r.values['valid_from']!, area: r.values['area']! })).sort((a, b) => a.validFrom.localeCompare(b.validFrom)),
      finalAdvice: final['level']!, testScore: final['test_score'] === '' ? null : Number(final['test_score']),
      latestAdvice: (revised ?? final)['level']!, revised: revised ? revised['level']! : null,
      rows: (enrol.get(id) ?? []).map(({ values: v }) => ({
        year: Number(v['school_year']!.slice(0, 4)), sector: v['sector']!, institution: v['institution']!, level: v['level']!, grade: Number(v['grade']),
      })).sort((a, b) => a.year - b.year),
      diplomas: (diplomas.get(id) ?? []).map(({ values: v }) => ({ year: Number(v['school_year']!.slice(0, 4)), level: v['level']!, awardedOn: v['awarded_on']! })),
    };
  });
}

export const isWeighted = (l: ReadLearner): boolean => l.pupilWeight === '0.3' || l.pupilWeight === '1.2';

const VO_DIPLOMA = new Set(['vmbo-b', 'vmbo-k', 'vmbo-g', 'vmbo-t', 'havo', 'vwo']);

type Row = ReadLearner['rows'][number];

/**
 * VO steps as SPEC section 6 (streams) defines them: pairs of VO rows on
 * consecutive reference dates, leaving out steps after a VO diploma awarded in
 * the earlier school year (those are stacking).
 */
export function voSteps(l: ReadLearner): { a: Row; b: Row }[] {
  const out: { a: Row; b: Row }[] = [];
  for (let k = 1; k < l.rows.length; k++) {
    const a = l.rows[k - 1]!;
    const b = l.rows[k]!;
    if (a.sector !== 'vo' || b.sector !== 'vo' || b.year !== a.year + 1) continue;
    if (l.diplomas.some((d) => d.year === a.year && VO_DIPLOMA.has(d.level))) continue;
    out.push({ a, b });
  }
  return out;
}

/** The residence valid on a date (the engine takes background values on 1 August of the year that matters). */
export const areaOn = (l: ReadLearner, date: string): string | null => l.residence.filter((r) => r.validFrom <= date).at(-1)?.area ?? null;
