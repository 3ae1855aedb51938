export { learnerPathway, learnerPathwayProjection, cohortRows, LEARNER_PATHWAY, LEARNER_COHORT, type Fold } from './projection.js';
export { createViewsPathwaySource } from './pathway-source.js';
