/**
 * The learner's pathway: the pure fold of one learner's events (corrections
 * applied, valid-time order), the questions asked of it, and the read port the
 * projections implement. Pure: no I/O, no clock.
 */
export type {
  PathwayInputEvent, EventRef, TimelineRow, BackgroundRecord, AdviceRecord, DiplomaRecord, LeftRecord,
  ClassificationRecord, PathwaySummary, Pathway, ReportingPathway, AreaInfo, InstitutionInfo, SchoolGroupMembership, ReferenceData,
  PathwaySource, CohortType,
} from './types.js';
export { COHORT_TYPES } from './types.js';
export { foldPathway, foldRecords, type PathwayRecords } from './fold.js';
export { foldReferenceData, emptyReferenceData, areaChain, schoolGroupOn } from './reference-data.js';
export { createMemoryPathwaySource, coveredDatesOf } from './memory-source.js';
export { reportingPathwayOf } from './reporting.js';
export * from './derive.js';
export { oncePerKey } from './once-per-key.js';
export { advicePositionOf, outcomeOf, classifyPathway, type Classified } from './classify.js';
export type { DomainEvent } from '@leerroutes/domain';
