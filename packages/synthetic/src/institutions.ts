import type { Geography, Municipality, Region } from './geography.js';
import type { Parameters } from './parameters.js';
import type { Rng } from './random.js';

export type InstitutionKind = 'po' | 'vo' | 'mbo' | 'hbo' | 'wo';

export interface Institution {
  readonly code: string;
  readonly name: string;
  readonly board: string;
  readonly municipality: Municipality;
  readonly kind: InstitutionKind;
}

/** VO school types by the rank range they offer; pro schools also take vso learners. */
export type VoType = 'pro' | 'vmbo' | 'havo-vwo' | 'brede';
const OFFER: Readonly<Record<VoType, readonly [number, number]>> = { pro: [0, 0], vmbo: [1, 3], 'havo-vwo': [4, 5], brede: [1, 5] };
const TYPE_WORD: Readonly<Record<VoType, string>> = { pro: 'Praktijkschool', vmbo: 'Vakcollege', 'havo-vwo': 'Lyceum', brede: 'College' };

export interface VoSchool extends Institution {
  readonly type: VoType;
  readonly low: number;
  readonly high: number;
  /** Registers with aliases (mavo, atheneum), as some schools do. */
  readonly aliases: boolean;
}

export interface Institutions {
  readonly all: readonly Institution[];
  readonly poByDistrict: readonly (readonly Institution[])[];
  /** VO schools per municipality index. */
  readonly voByMunicipality: readonly (readonly VoSchool[])[];
  readonly voByRegion: readonly (readonly VoSchool[])[];
  readonly mboByRegion: readonly (readonly Institution[])[];
  readonly hboByRegion: readonly (readonly Institution[])[];
  readonly woByRegion: readonly (readonly Institution[])[];
  readonly mbo: readonly Institution[];
  readonly hbo: readonly Institution[];
  readonly wo: readonly Institution[];
}

const BRIN_SPACE = 100 * 26 * 26;
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** BRIN-like code (two digits, two letters) for the k-th institution; a bijection, so codes never collide. */
export function brinCode(k: number): string {
  const i = (k * 4999 + 1373) % BRIN_SPACE;
  const digits = String(i % 100).padStart(2, '0');
  const l = Math.floor(i / 100);
  return digits + LETTERS[Math.floor(l / 26)]! + LETTERS[l % 26]!;
}

const PO_PREFIX = ['OBS', 'CBS', 'RKBS', 'Basisschool', 'Montessorischool', 'Daltonschool'];
const PO_NAMES = ['De Regenboog', 'De Linde', 'Het Kompas', 'De Wilgen', 'De Vlinder', 'Het Palet', 'De Klimop', 'De Horizon', 'De Sterrenwacht', 'Het Anker', 'De Fontein', 'De Zonnewijzer'];
const VO_NAMES = ['Erasmus', 'Spinoza', 'Comenius', 'Da Vinci', 'Vondel', 'Huygens', 'Calvijn', 'Thomas More', 'Rembrandt', 'Escher', 'Mondriaan', 'Marnix', 'Johan de Witt', 'Stedelijk', 'Christelijk', 'Montessori'];
const WO_CITIES: Readonly<Record<string, number>> = { GM0363: 2, GM0599: 1, GM0344: 1, GM0546: 1, GM0014: 1, GM0268: 1, GM0772: 1, GM0855: 1, GM0935: 1, GM0153: 1, GM0503: 1 };

/**
 * The schools and institutions of the synthetic country, sized to the
 * population (see PARAMETERS.institutions) and drawn from the world stream so
 * they depend only on the seed and the learners per cohort.
 */
export function buildInstitutions(geo: Geography, params: Parameters, learnersPerCohort: number, rng: Rng): Institutions {
  const p = params.institutions;
  const all: Institution[] = [];
  let boardSeq = 0;
  const nextBoard = () => `BG${String(10001 + boardSeq++)}`;
  const totalWeight = geo.districts.reduce((s, d) => s + d.weight, 0);

  // PO schools per district; boards group a municipality's schools.
  const poTotal = Math.min(p.maxPoSchools, Math.max(1, Math.round(learnersPerCohort / p.learnersPerPoSchool)));
  const poByDistrict: Institution[][] = geo.districts.map(() => []);
  for (const m of geo.municipalities) {
    let board = nextBoard();
    let inBoard = 0;
    for (const d of geo.districts) {
      if (d.municipality !== m) continue;
      const n = Math.max(1, Math.round((poTotal * d.weight) / totalWeight));
      for (let i = 0; i < n; i++) {
        if (inBoard === p.poSchoolsPerBoard) { board = nextBoard(); inBoard = 0; }
        inBoard++;
        const school: Institution = { code: brinCode(all.length), name: `${rng.pick(PO_PREFIX)} ${rng.pick(PO_NAMES)} (${d.name})`, board, municipality: m, kind: 'po' };
        all.push(school);
        poByDistrict[d.index]!.push(school);
      }
    }
  }

  // VO: every municipality has a broad school and a pro school; the rest by weight and type mix.
  const voTotal = Math.min(p.maxVoSchools, Math.max(2 * geo.municipalities.length, Math.round(learnersPerCohort / p.learnersPerVoSchool)));
  const muniWeight = geo.municipalities.reduce((s, m) => s + m.weight, 0);
  const voByMunicipality: VoSchool[][] = geo.municipalities.map(() => []);
  const voByRegion: VoSchool[][] = geo.regions.map(() => []);
  const typeKeys = Object.keys(p.voTypeMix) as VoType[];
  const typeWeights = typeKeys.map((k) => p.voTypeMix[k as keyof typeof p.voTypeMix]);
  for (const r of geo.regions) {
    let board = nextBoard();
    let inBoard = 0;
    for (const m of geo.municipalities) {
      if (m.region !== r) continue;
      const extra = Math.max(0, Math.round(((voTotal - 2 * geo.municipalities.length) * m.weight) / muniWeight));
      const types: VoType[] = ['brede', 'pro'];
      for (let i = 0; i < extra; i++) types.push(typeKeys[rng.weighted(typeWeights)]!);
      for (const type of types) {
        if (inBoard === p.voSchoolsPerBoard) { board = nextBoard(); inBoard = 0; }
        inBoard++;
        const [low, high] = OFFER[type];
        const school: VoSchool = {
          code: brinCode(all.length), name: `${rng.pick(VO_NAMES)} ${TYPE_WORD[type]} ${m.name}`, board, municipality: m, kind: 'vo',
          type, low, high, aliases: rng.chance(params.aliases.schoolShare),
        };
        all.push(school);
        voByMunicipality[m.index]!.push(school);
        voByRegion[r.index]!.push(school);
      }
    }
  }

  // Post-VO: a few mbo colleges and hogescholen per region, universities in university towns.
  const post = (kind: 'mbo' | 'hbo' | 'wo', m: Municipality, name: string): Institution => {
    const inst: Institution = { code: brinCode(all.length), name, board: nextBoard(), municipality: m, kind };
    all.push(inst);
    return inst;
  };
  const byRegion = (): Institution[][] => geo.regions.map(() => []);
  const mboByRegion = byRegion();
  const hboByRegion = byRegion();
  const woByRegion = byRegion();
  const regionMunis = (r: Region) => geo.municipalities.filter((m) => m.region === r);
  for (const r of geo.regions) {
    const ms = regionMunis(r);
    for (const m of ms.slice(0, 3)) mboByRegion[r.index]!.push(post('mbo', m, `ROC ${m.name}`));
    for (const m of ms.slice(0, 2)) hboByRegion[r.index]!.push(post('hbo', m, `Hogeschool ${m.name}`));
    for (const m of ms) {
      const n = WO_CITIES[m.code] ?? 0;
      for (let i = 0; i < n; i++) woByRegion[r.index]!.push(post('wo', m, i === 0 ? `Universiteit ${m.name}` : `Vrije Universiteit ${m.name}`));
    }
  }
  return {
    all, poByDistrict, voByMunicipality, voByRegion, mboByRegion, hboByRegion, woByRegion,
    mbo: mboByRegion.flat(), hbo: hboByRegion.flat(), wo: woByRegion.flat(),
  };
}

/** Schools offering a class span: a pro class only at pro schools, any other span where the range covers it. */
export const offers = (s: VoSchool, low: number, high: number): boolean => s.low <= low && high <= s.high;

/**
 * A VO school for a class span near the learner: same municipality first, then
 * the region. `avoid` is the current school on a switch.
 */
export function voSchoolFor(inst: Institutions, m: Municipality, low: number, high: number, rng: Rng, avoid?: VoSchool): VoSchool | undefined {
  for (const pool of [inst.voByMunicipality[m.index]!, inst.voByRegion[m.region.index]!]) {
    let count = 0;
    for (const s of pool) if (s !== avoid && offers(s, low, high)) count++;
    if (count === 0) continue;
    let k = rng.int(0, count - 1);
    for (const s of pool) if (s !== avoid && offers(s, low, high) && k-- === 0) return s;
  }
  return undefined;
}

/** A post-VO institution: mostly in the learner's region, sometimes anywhere. */
export function postVoInstitution(inst: Institutions, kind: 'mbo' | 'hbo' | 'wo', region: Region, rng: Rng, params: Parameters): Institution {
  const regional = (kind === 'mbo' ? inst.mboByRegion : kind === 'hbo' ? inst.hboByRegion : inst.woByRegion)[region.index]!;
  const national = kind === 'mbo' ? inst.mbo : kind === 'hbo' ? inst.hbo : inst.wo;
  if (regional.length > 0 && (kind === 'mbo' || rng.chance(params.institutions.higherEducationInRegion))) return rng.pick(regional);
  return rng.pick(national);
}
