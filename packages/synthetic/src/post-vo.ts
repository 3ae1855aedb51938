import { GONE, cap, type HigherState, type Life, type MboState, type OutState, type State } from './career.js';
import { diplomaDate } from './dates.js';
import { postVoInstitution, type Institution } from './institutions.js';

/**
 * mbo, hbo and wo after VO, and the time out of education in between. Each
 * `step*` decides the state on the next reference date from the state on `y`.
 */

const programmeCode = (life: Life, first: number): string => String(first * 10000 + life.rng.int(1000, 9999));

export function award(life: Life, y: number, institution: Institution | { code: string }, level: string, programme: string): void {
  life.diplomas.push({ year: y, awardedOn: diplomaDate(life.rng, y), institution: institution.code, level, programme });
  if (level === 'havo' || level === 'vwo' || level === 'mbo-2' || level === 'mbo-3' || level === 'mbo-4') life.sk = true;
}

export function startMbo(life: Life, level: number, keep?: Institution): MboState {
  const rng = life.rng;
  const inst = keep && rng.chance(life.p.mbo.sameCollege) ? keep : postVoInstitution(life.inst, 'mbo', life.municipality.region, rng, life.p);
  const track = rng.chance(life.p.mbo.bbl[level]!) ? 'bbl' : 'bol';
  return { kind: 'mbo', level, grade: 1, inst, track, programme: programmeCode(life, 2), extra: 0 };
}

export function startHigher(life: Life, level: HigherState['level'], grade = 1, keep?: Institution): HigherState {
  const kind = level.startsWith('wo') ? 'wo' : 'hbo';
  const inst = keep ?? postVoInstitution(life.inst, kind, life.municipality.region, life.rng, life.p);
  const p = life.p;
  const years = level === 'hbo-ba' ? p.hbo.bachelorYears : level === 'hbo-ad' ? p.hbo.adYears : level === 'wo-ba' ? p.wo.bachelorYears : life.rng.chance(p.wo.masterOneYear) ? 1 : 2;
  return { kind, level, grade, inst, programme: programmeCode(life, kind === 'wo' ? 5 : level === 'hbo-ad' ? 8 : 3), years };
}

export const leave = (gap = false): OutState => ({ kind: 'out', yearsOut: 1, gap });

/** A destination key from the parameter tables: `mbo-n`, `hbo-ba`, `hbo-ad`, `wo-ba`, `wo-ma`, `leave`, `gap`. */
export function destination(life: Life, choice: string, keep?: Institution): State {
  if (choice.startsWith('mbo-')) return startMbo(life, Number(choice.slice(4)), keep?.kind === 'mbo' ? keep : undefined);
  if (choice === 'hbo-ba' || choice === 'hbo-ad' || choice === 'wo-ba' || choice === 'wo-ma') return startHigher(life, choice);
  if (choice === 'gap') return leave(true);
  if (choice === 'leave') return life.sk ? GONE : leave();
  throw new Error(`unknown destination '${choice}' in PARAMETERS`);
}

export function stepMbo(life: Life, s: MboState, y: number): State {
  const { rng, p } = life;
  const m = p.mbo;
  if (rng.chance(cap(m.dropout[s.level]! * life.mult.dropout))) return life.sk ? GONE : leave();
  if (s.grade < m.years[s.level]! && s.extra === 0) return { ...s, grade: s.grade + 1 };
  const passP = s.extra === 0 ? m.pass : m.passLater;
  if (rng.chance(1 - (1 - passP) * life.mult.diplomaFail)) {
    award(life, y, s.inst, `mbo-${s.level}`, s.programme);
    life.lastMboDiploma = Math.max(life.lastMboDiploma, s.level);
    return destination(life, rng.choose(m.afterDiploma[s.level]!), s.inst);
  }
  if (s.extra === 0 && rng.chance(m.extraYear)) return { ...s, grade: Math.min(4, s.grade + 1), extra: 1 };
  return life.sk ? GONE : leave();
}

export function stepHigher(life: Life, s: HigherState, y: number): State {
  const { rng, p } = life;
  if (s.level === 'hbo-ba' && s.grade === 1) {
    if (rng.chance(p.hbo.propedeuse)) {
      award(life, y, s.inst, 'hbo-p', s.programme);
      if (rng.chance(p.hbo.propedeuseToWo)) return startHigher(life, 'wo-ba');
      return { ...s, grade: 2 };
    }
    const c = rng.choose(p.hbo.noPropedeuse);
    if (c === 'restart') return startHigher(life, 'hbo-ba');
    if (c === 'repeat') return s;
    return destination(life, c);
  }
  if (s.level === 'wo-ba' && s.grade === 1 && rng.chance(p.wo.firstYearDropout)) {
    return rng.chance(p.wo.dropoutToHbo) ? startHigher(life, 'hbo-ba') : life.sk ? GONE : leave();
  }
  if (s.grade < s.years) return { ...s, grade: s.grade + 1 };
  const later = s.grade > s.years;
  const passP =
    s.level === 'hbo-ba' ? (later ? p.hbo.bachelorPassLater : p.hbo.bachelorPass)
    : s.level === 'hbo-ad' ? p.hbo.adPass
    : s.level === 'wo-ba' ? (later ? p.wo.bachelorPassLater : p.wo.bachelorPass)
    : p.wo.masterPass;
  if (rng.chance(passP)) {
    award(life, y, s.inst, s.level, s.programme);
    if (s.level === 'hbo-ba' && rng.chance(p.hbo.bachelorToWo)) return startHigher(life, 'wo-ma');
    if (s.level === 'hbo-ad' && rng.chance(p.hbo.adToBachelor)) return startHigher(life, 'hbo-ba', 3, s.inst);
    if (s.level === 'wo-ba' && rng.chance(p.wo.toMaster)) return startHigher(life, 'wo-ma', 1, s.inst);
    return GONE;
  }
  const dropout = s.kind === 'wo' ? p.wo.dropoutLater : p.hbo.dropoutLater;
  if (s.grade >= s.years + 2 || rng.chance(dropout)) return life.sk ? GONE : leave();
  return { ...s, grade: s.grade + 1 };
}

/** Out of education on y: a gap year usually ends in higher education; early leavers sometimes come back to mbo. */
export function stepOut(life: Life, s: OutState): State {
  const { rng, p } = life;
  if (s.gap) {
    if (!rng.chance(p.leaving.gapReturn)) return GONE;
    return startHigher(life, life.highestVo === 'vwo' && rng.chance(p.leaving.gapToWo) ? 'wo-ba' : 'hbo-ba');
  }
  if (life.sk) return GONE;
  const back = s.yearsOut === 1 ? p.leaving.reEntryAfter1 : s.yearsOut === 2 ? p.leaving.reEntryAfter2 : 0;
  if (rng.chance(back)) {
    const table = p.leaving.reEntryLevel;
    const key = life.lastMboDiploma === 1 ? 'mbo-1' : life.highestVo === 'vmbo-g' ? 'vmbo-t' : (life.highestVo ?? 'none');
    return startMbo(life, Number(rng.choose(table[key as keyof typeof table]).slice(4)));
  }
  return s.yearsOut >= 2 ? GONE : { ...s, yearsOut: s.yearsOut + 1 };
}
