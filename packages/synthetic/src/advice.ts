import { EINDTOETS_BANDS, compareSpans, levelForScore } from '@leerroutes/domain';
import type { Background } from './background.js';
import { dayIn, isoDate } from './dates.js';
import type { Parameters } from './parameters.js';
import type { Rng } from './random.js';
import type { AdviceRecord } from './records.js';
import { PRO, VWO, spanCode, type RankSpan } from './spans.js';

const SCORE_MIN = EINDTOETS_BANDS[0]!.min;
const SCORE_MAX = EINDTOETS_BANDS[EINDTOETS_BANDS.length - 1]!.max;

/** Score -> indicated span, from the domain's band table (computed once, not per learner). */
const SCORE_SPAN: readonly RankSpan[] = (() => {
  const out: RankSpan[] = [];
  for (let s = SCORE_MIN; s <= SCORE_MAX; s++) {
    const level = levelForScore(s);
    if (!level?.span) throw new Error(`EINDTOETS_BANDS has no ranked level for ${s}`);
    out[s - SCORE_MIN] = level.span;
  }
  return out;
})();

export const spanForScore = (score: number): RankSpan => SCORE_SPAN[score - SCORE_MIN]!;

export interface AdviceOutcome {
  readonly rows: readonly AdviceRecord[];
  /** The reference advice under the monitor rule set: the latest, after any revision. */
  readonly reference: RankSpan;
  readonly testScore: number | null;
}

const same = (a: RankSpan, b: RankSpan) => a.low === b.low && a.high === b.high;
const single = (r: number): RankSpan => ({ low: r, high: r });

/** A too-low advice: entirely below the indicated span, one rank off (sometimes two). */
function below(rng: Rng, p: Parameters, test: RankSpan): RankSpan {
  const hi = Math.max(PRO, test.low - (rng.chance(p.advice.twoRanksOff) ? 2 : 1));
  return hi >= 2 && rng.chance(p.advice.offAdviceCombined) ? { low: hi - 1, high: hi } : single(hi);
}

function above(rng: Rng, p: Parameters, test: RankSpan): RankSpan {
  const lo = Math.min(VWO, test.high + (rng.chance(p.advice.twoRanksOff) ? 2 : 1));
  return lo <= 4 && rng.chance(p.advice.offAdviceCombined) ? { low: lo, high: lo + 1 } : single(lo);
}

/** An advice in line with the test: the band itself or a neighbouring half step. */
function consistent(rng: Rng, p: Parameters, test: RankSpan): RankSpan {
  if (test.low === test.high) {
    if (!rng.chance(p.advice.combinedIfSingleBand)) return test;
    const r = test.low;
    const up = r === 1 || (r < VWO && rng.chance(0.5));
    return up ? { low: r, high: r + 1 } : { low: r - 1, high: r };
  }
  if (rng.chance(p.advice.keepCombinedBand)) return test;
  return rng.chance(0.5) ? single(test.low) : single(test.high);
}

/** A half step away from a span, for provisional advice that differs from the final one. */
function halfStep(rng: Rng, s: RankSpan): RankSpan {
  if (s.low !== s.high) return rng.chance(0.5) ? single(s.low) : single(s.high);
  if (s.low <= 1) return { low: 1, high: 2 };
  if (s.low === VWO) return { low: 4, high: 5 };
  return rng.chance(0.5) ? { low: s.low - 1, high: s.low } : { low: s.low, high: s.low + 1 };
}

/**
 * Groep 8 in the school year starting `year`: test score from ability, a
 * provisional advice in December/January, the final advice by March (carrying
 * the test score), and sometimes a revision after the results in May/June —
 * upward when the test indicates higher, very rarely downward.
 */
export function drawAdvice(rng: Rng, p: Parameters, bg: Background, ability: number, year: number, poSchool: string): AdviceOutcome {
  const a = p.advice;
  const score = Math.min(SCORE_MAX, Math.max(SCORE_MIN, Math.round(p.ability.testMean + p.ability.testSd * (ability + p.ability.testNoise * rng.normal()))));
  // Learners with a pro advice are usually exempt from the test.
  const exempt = ability < a.proAbilityBelow && rng.chance(a.proShare);
  const test = spanForScore(score);
  const key = bg.parental === '' ? 'unknown' : bg.parental;

  let final: RankSpan;
  if (exempt) final = single(PRO);
  else {
    const u = rng.float();
    if (u < a.tooLow[key]) final = below(rng, p, test);
    else if (u < a.tooLow[key] + a.tooHigh[key] && test.high < VWO) final = above(rng, p, test);
    else final = consistent(rng, p, test);
  }

  const rows: AdviceRecord[] = [];
  if (rng.chance(a.provisionalShare)) {
    const provisional = !exempt && rng.chance(a.provisionalDiffers) ? halfStep(rng, final) : final;
    const issuedOn = rng.chance(0.6) ? dayIn(rng, year, 12) : dayIn(rng, year + 1, 1);
    rows.push({ year, issuedOn, poSchool, kind: 'provisional', level: spanCode(provisional.low, provisional.high), testScore: null });
  }
  const finalOn = rng.chance(0.6) ? dayIn(rng, year + 1, 2) : isoDate(year + 1, 3, rng.int(1, 15));
  const testScore = exempt ? null : score;
  rows.push({ year, issuedOn: finalOn, poSchool, kind: 'final', level: spanCode(final.low, final.high), testScore });

  let reference = final;
  if (!exempt) {
    const c = compareSpans(final, test);
    const factor = bg.parental === 'low' ? a.revisionFactorLow : 1;
    let revised: RankSpan | null = null;
    if (c === 'opstroom' && rng.chance(a.revisionIfTestHigher * factor)) {
      revised = rng.chance(a.revisedToTestLevel) || final.high === VWO || final.high === PRO ? test : { low: final.high, high: final.high + 1 };
      if (same(revised, final)) revised = test;
    } else if (c === 'half-opstroom' && rng.chance(a.revisionIfTestHalfHigher * factor)) {
      revised = test;
    } else if (final.low > PRO + 1 && rng.chance(a.revisionDownward)) {
      revised = single(final.low - 1);
    }
    if (revised) {
      const revisedOn = rng.chance(0.5) ? isoDate(year + 1, 5, rng.int(15, 31)) : dayIn(rng, year + 1, 6);
      rows.push({ year, issuedOn: revisedOn, poSchool, kind: 'revised', level: spanCode(revised.low, revised.high), testScore: null });
      reference = revised;
    }
  }
  return { rows, reference, testScore };
}
