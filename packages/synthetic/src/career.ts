import type { Background } from './background.js';
import type { Municipality } from './geography.js';
import type { Institution, Institutions, VoSchool } from './institutions.js';
import type { Parameters } from './parameters.js';
import type { Rng } from './random.js';
import type { DiplomaRecord, EnrolmentRecord } from './records.js';
import type { RankSpan } from './spans.js';

/**
 * A learner's place on one reference date. The life is folded year by year:
 * the state on date y is written as a row, then one step decides the state on
 * y+1 (and any diploma awarded in school year y).
 */
export interface VoState {
  readonly kind: 'vo';
  readonly low: number;
  readonly high: number;
  readonly grade: number;
  readonly school: VoSchool;
  readonly vso: boolean;
}
export interface MboState {
  readonly kind: 'mbo';
  readonly level: number;
  readonly grade: number;
  readonly inst: Institution;
  readonly track: 'bol' | 'bbl';
  readonly programme: string;
  /** Years beyond the nominal length already taken after failing. */
  readonly extra: number;
}
export interface HigherState {
  readonly kind: 'hbo' | 'wo';
  readonly level: 'hbo-ba' | 'hbo-ad' | 'wo-ba' | 'wo-ma';
  readonly grade: number;
  readonly inst: Institution;
  readonly programme: string;
  /** Nominal length of this programme (wo master: one or two years). */
  readonly years: number;
}
/** Not enrolled anywhere: an early leaver who may come back, or a gap year after havo/vwo. */
export interface OutState {
  readonly kind: 'out';
  readonly yearsOut: number;
  readonly gap: boolean;
}
export type State = VoState | MboState | HigherState | OutState | { readonly kind: 'gone' };

export const GONE: State = { kind: 'gone' };

/** How this learner's background shifts the base rates (PARAMETERS.weighted / highEducated). */
export interface Multipliers {
  readonly down: number;
  readonly up: number;
  readonly repeat: number;
  readonly placedBelow: number;
  readonly dropout: number;
  readonly diplomaFail: number;
  readonly stacking: number;
}

const NEUTRAL: Multipliers = { down: 1, up: 1, repeat: 1, placedBelow: 1, dropout: 1, diplomaFail: 1, stacking: 1 };
const HIGH = new WeakMap<Parameters, Multipliers>();

export function multipliersFor(p: Parameters, bg: Background): Multipliers {
  if (bg.weighted) return p.weighted;
  if (bg.parental !== 'high') return NEUTRAL;
  let m = HIGH.get(p);
  if (!m) HIGH.set(p, (m = { ...NEUTRAL, ...p.highEducated }));
  return m;
}

/** The year-1 class, the grade-2 level and the year-3 rank, drawn at placement. */
export interface EarlyPlan {
  readonly c1: RankSpan;
  readonly c2: RankSpan;
  readonly p3: number;
}

/** Everything one life needs; mutable only where the life itself changes (residence, qualifications). */
export interface Life {
  readonly rng: Rng;
  readonly p: Parameters;
  readonly inst: Institutions;
  readonly bg: Background;
  readonly mult: Multipliers;
  municipality: Municipality;
  /** Set for the step in which the residence changed municipality. */
  movedThisYear: boolean;
  readonly gemengd: boolean;
  readonly gymnasium: boolean;
  readonly proLastGrade: number;
  plan: EarlyPlan | null;
  /** Holds a startkwalificatie (havo/vwo or mbo-2+ diploma). */
  sk: boolean;
  /** Highest VO diploma rank so far (-1: none) and its level code. */
  highestVoRank: number;
  highestVo: string | null;
  lastMboDiploma: number;
  readonly enrolments: EnrolmentRecord[];
  readonly diplomas: DiplomaRecord[];
}

export const cap = (p: number): number => (p > 0.95 ? 0.95 : p);
