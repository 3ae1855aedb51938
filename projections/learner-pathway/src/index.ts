export { learnerPathway, learnerPathwayProjection, cohortRows, LEARNER_PATHWAY, LEARNER_COHORT, LEARNER_REPORT, COVERED_DATE, type Fold } from './projection.js';
export { createViewsPathwaySource } from './pathway-source.js';
