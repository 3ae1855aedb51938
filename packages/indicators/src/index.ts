/**
 * Indicators: the request and report contract, the definitions (units.ts),
 * publishing with suppression, and the read path over the statistics
 * projection in SQL. The fold-based oracle the tests hold it to lives in
 * `@leerroutes/indicators/oracle`.
 */
export * from './contract.js';
export {
  ReportParamsSchema, ReportRequestSchema, parseReportRequest, RequestIssue, paramsOf, checkRequest, type ReportParams, ReportError, COHORT_OPTIONAL, dimensionError, breakdownError,
  PeriodParamsSchema, parsePeriodRequest, type PeriodParams, type PeriodRequest,
} from './request.js';
export { explainLearner, describeEvent, type LearnerExplanation, type ExplainedEvent } from './explain.js';
export { knownOn, toInput } from './log.js';
export { csvWriter, formatReport, unprotectedText, type ReportFormat } from './format.js';
export type { CountInstance, CountTable } from './table.js';
export { publish, publishChecked, relatedRequests, settleLattice, spreadOf, tableKey, type PublishContext, type Lattice, type SettledTable } from './publish.js';
export { inlinePublisher, publishGiven, type Publisher, type Published } from './publisher.js';
export { threadPublisher, defaultPublishThreads } from './publish-thread.js';
export { INDICATOR_DEFS, familyDef, type Unit, type FamilyDef, type IndicatorDef } from './units.js';
export { suppress, isSmall, type Cell, type SuppressionOutcome } from './suppress.js';
export { formatLearner, parseCellSpec } from './format-learner.js';
export {
  statisticsReport, statisticsCell, statisticsCompare, statisticsCohorts, countTable as statisticsCountTable, scopeOf, distributionOfTransitions,
  type StatisticsSource, type CellRef, type RuleSetComparison, type CohortList,
} from './sql/report.js';
export {
  personPeriodSelect, spellSelect, periodScope, PERSON_PERIOD_COLUMNS, SPELL_COLUMNS, type ExportColumn, type ExportColumnType,
} from './sql/person-period.js';
