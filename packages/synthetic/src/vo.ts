import { ageOnReferenceDate } from './background.js';
import { cap, type EarlyPlan, type Life, type State, type VoState } from './career.js';
import { offers, voSchoolFor, type VoSchool } from './institutions.js';
import { award, destination, leave } from './post-vo.js';
import { PRO, VWO, diplomaFor, finalGrade, type RankSpan } from './spans.js';

/**
 * Secondary school: placement in a (combined) brugklas, the early years that
 * settle on the year-3 level, the upper years, the exam and what follows it.
 */

const single = (r: number): RankSpan => ({ low: r, high: r });
const contains = (s: RankSpan, r: number) => s.low <= r && r <= s.high;

/** The grade-1 class for a reference advice: often a combined class, sometimes below or above the advice. */
function firstClass(life: Life, advice: RankSpan): { c1: RankSpan; below: boolean } {
  const { rng, p } = life;
  const pl = p.placement;
  if (advice.low === advice.high) {
    const r = advice.low;
    if (r === PRO) return { c1: advice, below: false };
    if (r > 1 && rng.chance(cap(pl.belowAdvice * life.mult.placedBelow))) return { c1: single(r - 1), below: true };
    if (r < VWO && rng.chance(pl.aboveAdvice)) return { c1: single(r + 1), below: false };
    if (rng.chance(pl.combinedClass)) {
      if (r >= 3 && rng.chance(pl.broadClass)) return { c1: { low: 3, high: 5 }, below: false };
      const up = r === 1 || (r < VWO && rng.chance(0.5));
      return { c1: up ? { low: r, high: r + 1 } : { low: r - 1, high: r }, below: false };
    }
    return { c1: advice, below: false };
  }
  const u = rng.float();
  if (u < pl.sameCombined) return { c1: advice, below: false };
  if (u < pl.sameCombined + pl.lowerOfCombined) return { c1: single(advice.low), below: false };
  return { c1: single(advice.high), below: false };
}

/**
 * The year-3 rank relative to the reference advice: strictly below it
 * (afstroom), strictly above (opstroom), or within it. Background and area
 * shift the chances (SPEC section 8).
 */
function yearThreeRank(life: Life, advice: RankSpan, placedBelow: boolean): number {
  const { rng, p } = life;
  const y3 = p.year3;
  const pDown = advice.low === PRO ? 0 : cap(y3.down * life.mult.down * life.bg.district.afstroomFactor * (placedBelow ? y3.downIfPlacedBelow : 1));
  const pUp = advice.high === VWO ? 0 : cap(y3.up * life.mult.up);
  const u = rng.float();
  if (u < pDown) return Math.max(PRO, advice.low - (advice.low >= 2 && rng.chance(y3.twoRanksDown) ? 2 : 1));
  if (u < pDown + pUp) return advice.high + 1;
  if (advice.low === advice.high) return advice.low;
  return rng.chance(y3.upperOfCombined) ? advice.high : advice.low;
}

export function placeInVo(life: Life, advice: RankSpan, vso: boolean): VoState {
  const { rng, p } = life;
  if (vso) {
    const school = voSchoolFor(life.inst, life.municipality, PRO, PRO, rng)!;
    return { kind: 'vo', low: PRO, high: PRO, grade: 1, school, vso: true };
  }
  const { c1, below } = firstClass(life, advice);
  const p3 = yearThreeRank(life, advice, below);
  let c2: RankSpan;
  if (c1.low === p3 && c1.high === p3) c2 = c1;
  else if (contains(c1, p3)) c2 = rng.chance(p.placement.combinedIntoGrade2) ? c1 : single(p3);
  else c2 = rng.chance(p.year3.moveAtGrade2) ? single(p3) : c1;
  life.plan = { c1, c2, p3 } satisfies EarlyPlan;
  const school = voSchoolFor(life.inst, life.municipality, c1.low, c1.high, rng)!;
  return { kind: 'vo', low: c1.low, high: c1.high, grade: 1, school, vso: false };
}

/** Keep the school if it offers the new level and nothing prompts a switch; else find another. */
function schoolFor(life: Life, s: VoState, low: number, high: number): VoSchool {
  const { rng, p } = life;
  const changed = low !== s.low || high !== s.high;
  const must = !offers(s.school, low, high);
  const wants = life.movedThisYear ? rng.chance(p.vo.switchAfterMove) : rng.chance(changed ? p.vo.switchWithLevelChange : p.vo.switchSchool);
  if (!must && !wants) return s.school;
  return voSchoolFor(life.inst, life.municipality, low, high, rng, s.school) ?? s.school;
}

export function stepVo(life: Life, s: VoState, y: number): State {
  const { rng, p } = life;
  const v = p.vo;
  if (s.vso || s.low === PRO) {
    if (s.grade >= life.proLastGrade) return destination(life, rng.choose(p.afterVoWithoutDiploma.pro));
    if (s.vso) return { ...s, grade: s.grade + 1 };
  }
  const rank = s.low;
  // Before the exam-year branch: learners also walk out in their final year, without sitting the exam.
  if (ageOnReferenceDate(life.bg, y) >= v.dropoutFromAge && rng.chance(cap(v.dropout * life.mult.dropout))) return leave();
  if (rank !== PRO && s.low === s.high && s.grade >= finalGrade(rank)) return examYear(life, s, y);

  if (rng.chance(cap(v.repeat[s.grade]! * life.mult.repeat))) {
    return { ...s, school: schoolFor(life, s, s.low, s.high) };
  }
  let next: RankSpan = s;
  let grade = s.grade + 1;
  const plan = life.plan;
  if (plan && s.grade < 3) {
    next = grade === 2 ? plan.c2 : single(plan.p3);
  } else {
    const u = rng.float();
    // After stacking, moving down would only repeat a diploma already held.
    const down = life.highestVoRank >= 0 ? 0 : cap(v.upperDown[rank]! * life.mult.down);
    const up = cap(v.upperUp[rank]! * life.mult.up);
    if (u < down) next = single(rank - 1);
    else if (u < down + up) next = single(rank + 1);
  }
  if (next.low === next.high && next.low !== PRO) grade = Math.min(grade, finalGrade(next.low));
  return { kind: 'vo', low: next.low, high: next.high, grade, school: schoolFor(life, s, next.low, next.high), vso: false };
}

/** Stacking tables scaled by a background multiplier, built once per (table, multiplier). */
const STACKING = new Map<object, Map<number, Record<string, number>>>();
function stackingWeighted(table: Readonly<Record<string, number>>, m: number): Record<string, number> {
  let byM = STACKING.get(table);
  if (!byM) STACKING.set(table, (byM = new Map()));
  let w = byM.get(m);
  if (!w) {
    w = { ...table };
    for (const k of ['havo', 'vwo']) if (w[k] !== undefined) w[k] *= m;
    byM.set(m, w);
  }
  return w;
}

/** The final year: a diploma (then mbo, stacking or higher education), a redo, or leaving VO without one. */
function examYear(life: Life, s: VoState, y: number): State {
  const { rng, p } = life;
  const rank = s.low;
  if (rng.chance(1 - (1 - p.vo.pass[rank]!) * life.mult.diplomaFail)) {
    const level = diplomaFor(rank, life.gemengd);
    const profiles = rank >= 4 ? p.vo.profiles[rank === 4 ? 'havo' : 'vwo'] : p.vo.profiles.vmbo;
    award(life, y, s.school, level, rng.pick(profiles));
    if (rank > life.highestVoRank) {
      life.highestVoRank = rank;
      life.highestVo = level;
    }
    const table = p.afterVoDiploma[level === 'vmbo-g' ? 'vmbo-t' : (level as keyof typeof p.afterVoDiploma)];
    const choice = rng.choose(life.mult.stacking === 1 ? table : stackingWeighted(table, life.mult.stacking));
    if (choice === 'havo' || choice === 'vwo') {
      // Stacking: back into VO one level up, in the upper years.
      const r = choice === 'havo' ? 4 : 5;
      const school = offers(s.school, r, r) ? s.school : (voSchoolFor(life.inst, life.municipality, r, r, rng) ?? s.school);
      return { kind: 'vo', low: r, high: r, grade: r === 4 ? 4 : 5, school, vso: false };
    }
    return destination(life, choice);
  }
  if (rng.chance(p.vo.redoFinalYear)) return s;
  return destination(life, rng.choose(p.afterVoWithoutDiploma[rank >= 4 ? 'havo-vwo' : 'vmbo']));
}
