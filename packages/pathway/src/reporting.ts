import type { Pathway, ReportingPathway } from './types.js';

/** The reporting part of a pathway: the very same values, nothing recomputed. */
export function reportingPathwayOf(p: Pathway): ReportingPathway {
  return {
    learnerId: p.learnerId,
    registration: p.registration,
    background: p.background,
    advices: p.advices,
    timeline: p.timeline,
    diplomas: p.diplomas,
    testScore: p.testScore,
  };
}
