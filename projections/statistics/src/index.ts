export { statistics, STATISTICS } from './projection.js';
export { STATISTICS_TABLES, LEARNER_TABLE_OF, columnNames, type StatisticsTable, type Column } from './schema.js';
export { factsOf, membersOf, learnerRowsOf, versionedLearnerRows, statesOf, stepsOf, diplomasOf, attemptsOf, revisionsOf, areasOf, versionedMembers, cut, dayOf, yearOf, UNKNOWN, type Core, type CohortType, type LearnerFacts, type MemberRow, type LearnerRow, type StateRow, type StepRow, type DiplomaRow, type AttemptRow, type RevisionRow, type AreaRow, type Versioned } from './facts.js';
export { knownFacts, LEARNER_TABLES, type Known, type KnownFacts } from './knowledge.js';
