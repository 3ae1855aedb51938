import type { DiplomaLevel, Sector } from '../levels/education.js';
import type { LevelRef } from '../levels/levels.js';
import type { Source } from '../events/common.js';

/**
 * Validated registration rows, one learner's worth. The import keeps them by
 * natural key; transition events are derived from the whole set each time a
 * learner's facts change, so a correction re-derives instead of patching.
 */
export interface EnrolmentFact {
  readonly referenceDate: string;
  readonly schoolYear: string;
  readonly sector: Sector;
  readonly institution: string;
  readonly branch: string | null;
  readonly level: LevelRef;
  readonly grade: number | null;
  readonly programme: string | null;
  readonly track: 'bol' | 'bbl' | null;
  readonly source: Source;
}

export interface AdviceFact {
  readonly schoolYear: string;
  readonly issuedOn: string;
  readonly poSchool: string;
  readonly kind: 'provisional' | 'final' | 'revised';
  readonly level: LevelRef;
  readonly testScore: number | null;
  readonly source: Source;
}

export interface DiplomaFact {
  readonly schoolYear: string;
  readonly awardedOn: string;
  readonly institution: string;
  readonly level: DiplomaLevel;
  readonly programme: string | null;
  readonly source: Source;
}

export interface LearnerFact {
  readonly validFrom: string;
  readonly birthMonth: string;
  readonly gender: 'm' | 'f' | 'x' | 'unknown';
  readonly pupilWeight: 0 | 0.3 | 1.2 | null;
  readonly parentalEducation: 'low' | 'middle' | 'high' | 'unknown' | null;
  readonly migrationBackground: string | null;
  readonly area: string | null;
  readonly source: Source;
}

export interface LearnerFacts {
  readonly learnerId: string;
  readonly learner: readonly LearnerFact[];
  readonly advice: readonly AdviceFact[];
  readonly diplomas: readonly DiplomaFact[];
  readonly enrolments: readonly EnrolmentFact[];
}

export interface DerivationContext {
  /** Every reference date for which a complete count was delivered, ascending. */
  readonly coveredReferenceDates: readonly string[];
  /** Ancestors of an area, nearest first, from the delivered hierarchy. */
  readonly areaParents: (area: string) => readonly string[];
}
