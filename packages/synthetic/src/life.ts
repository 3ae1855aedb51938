import { drawAdvice } from './advice.js';
import { drawBackground, type Background } from './background.js';
import { multipliersFor, type Life, type State } from './career.js';
import { isoDate } from './dates.js';
import { buildGeography, districtAt, type District, type Geography } from './geography.js';
import { buildInstitutions, type Institutions } from './institutions.js';
import { PARAMETERS, type Parameters } from './parameters.js';
import { STREAMS, hashSeed, rngFor } from './random.js';
import { learnerId, type EnrolmentRecord, type LearnerRecord, type LearnerRowRecord } from './records.js';
import { stepHigher, stepMbo, stepOut } from './post-vo.js';
import { spanCode } from './spans.js';
import { placeInVo, stepVo } from './vo.js';

/** What every life shares: the parameters, the country and the time window. */
export interface World {
  readonly params: Parameters;
  readonly seed: readonly [number, number, number, number];
  readonly geo: Geography;
  readonly inst: Institutions;
  readonly learners: number;
  readonly firstIntake: number;
  readonly lastIntake: number;
  /** Start year of the last school year whose reference date is written. */
  readonly until: number;
}

export interface WorldOptions {
  readonly seed: string;
  readonly learners: number;
  readonly firstIntake: number;
  readonly lastIntake: number;
  readonly until: number;
  readonly params?: Parameters;
}

export function buildWorld(o: WorldOptions): World {
  const params = o.params ?? PARAMETERS;
  const seed = hashSeed(o.seed);
  const geo = buildGeography(params);
  const cohorts = o.lastIntake - o.firstIntake + 1;
  const inst = buildInstitutions(geo, params, Math.ceil(o.learners / cohorts), rngFor(seed, 0, STREAMS.world));
  return { params, seed, geo, inst, learners: o.learners, firstIntake: o.firstIntake, lastIntake: o.lastIntake, until: o.until };
}

/** Intake year of learner `index`: the population is split evenly over the cohorts, in index order. */
export const intakeYearOf = (w: World, index: number): number =>
  w.firstIntake + Math.floor((index * (w.lastIntake - w.firstIntake + 1)) / w.learners);

const ALIAS: Readonly<Record<string, string>> = { 'vmbo-t': 'mavo', 'vmbo-t/havo': 'mavo/havo' };

function enrolmentRow(life: Life, s: State, year: number): EnrolmentRecord | null {
  switch (s.kind) {
    case 'vo': {
      let level: string;
      if (s.vso) level = 'vso';
      else if (s.low === 3 && s.high === 3 && s.grade >= 3 && life.gemengd) level = 'vmbo-g';
      else level = spanCode(s.low, s.high);
      if (s.school.aliases) level = level === 'vwo' ? (life.gymnasium ? 'gymnasium' : 'atheneum') : (ALIAS[level] ?? level);
      // Broad schools register their vmbo department as a separate branch.
      const branch = s.school.code + (s.school.type === 'brede' && s.high <= 3 ? '01' : '00');
      return { year, sector: 'vo', institution: s.school.code, branch, level, grade: s.grade, programme: '', track: '' };
    }
    case 'mbo':
      return { year, sector: 'mbo', institution: s.inst.code, branch: '', level: `mbo-${s.level}`, grade: s.grade, programme: s.programme, track: s.track };
    case 'hbo':
    case 'wo':
      return { year, sector: s.kind, institution: s.inst.code, branch: '', level: s.level, grade: s.grade, programme: s.programme, track: '' };
    default:
      return null;
  }
}

function step(life: Life, s: State, y: number): State {
  switch (s.kind) {
    case 'vo': return stepVo(life, s, y);
    case 'mbo': return stepMbo(life, s, y);
    case 'hbo':
    case 'wo': return stepHigher(life, s, y);
    case 'out': return stepOut(life, s);
    default: return s;
  }
}

function learnerRow(bg: Background, validFrom: string, district: District): LearnerRowRecord {
  return {
    birthMonth: `${bg.birthYear}-${bg.birthMonth < 10 ? '0' : ''}${bg.birthMonth}`, gender: bg.gender, validFrom,
    pupilWeight: bg.pupilWeight, parental: bg.parental, migration: bg.migration, area: district.code,
  };
}

/**
 * One learner's whole registration history: a pure function of the world and
 * the index, so any learner can be regenerated alone and in any order.
 */
export function simulateLearner(w: World, index: number): LearnerRecord {
  const p = w.params;
  const rng = rngFor(w.seed, index, STREAMS.life);
  const intake = intakeYearOf(w, index);
  const bg = drawBackground(rng, w.geo, p, intake);
  const ability = rng.normal() + p.ability.shift[bg.parental === '' ? 'middle' : bg.parental] + bg.district.abilityShift;
  const poSchool = rng.pick(w.inst.poByDistrict[bg.district.index]!);
  const advice = drawAdvice(rng, p, bg, ability, intake - 1, poSchool.code);

  const learners: LearnerRowRecord[] = [learnerRow(bg, isoDate(bg.birthYear, bg.birthMonth, 1), bg.district)];
  let moveYear = -1;
  let newDistrict: District = bg.district;
  if (rng.chance(p.background.residenceMove)) {
    moveYear = rng.int(intake, intake + 4);
    if (rng.chance(p.background.moveWithinMunicipality)) {
      const local = w.geo.districtsOf[bg.district.municipality.index]!;
      newDistrict = rng.pick(local);
    } else newDistrict = districtAt(w.geo, rng.float());
    if (newDistrict !== bg.district && moveYear < w.until) {
      learners.push(learnerRow(bg, isoDate(moveYear + 1, rng.int(1, 9), 1), newDistrict));
    } else moveYear = -1;
  }

  const life: Life = {
    rng, p, inst: w.inst, bg, mult: multipliersFor(p, bg), municipality: bg.district.municipality, movedThisYear: false,
    gemengd: rng.chance(p.placement.gemengdeLeerweg), gymnasium: rng.chance(p.placement.gymnasium), proLastGrade: rng.pick(p.vo.proLastGrade),
    plan: null, sk: false, highestVoRank: -1, highestVo: null, lastMboDiploma: 0, enrolments: [], diplomas: [],
  };
  life.enrolments.push({ year: intake - 1, sector: 'po', institution: poSchool.code, branch: '', level: '', grade: 8, programme: '', track: '' });
  const ref = advice.reference;
  const vso = ref.high <= 1 && rng.chance(p.advice.vso);
  let state: State = placeInVo(life, ref, vso);
  for (let y = intake; y <= w.until; y++) {
    const row = enrolmentRow(life, state, y);
    if (row) life.enrolments.push(row);
    life.movedThisYear = y === moveYear && newDistrict.municipality !== life.municipality;
    if (y === moveYear) life.municipality = newDistrict.municipality;
    state = step(life, state, y);
    if (state.kind === 'gone') break;
  }
  return { id: learnerId(index), index, intakeYear: intake, learners, advice: advice.rows, enrolments: life.enrolments, diplomas: life.diplomas };
}
