export * from './contract.js';
export { ReportRequestSchema, parseReportRequest, ReportError, COHORT_OPTIONAL, dimensionError } from './request.js';
export { runReport, explainCell, compareRuleSets, type ReportDeps, type CellRef, type RuleSetComparison } from './report.js';
export { explainLearner, describeEvent, type LearnerExplanation, type ExplainedEvent } from './explain.js';
export { formatReport, type ReportFormat } from './format.js';
export { computeRows, unitsOf, rowsOf, type ComputeInput } from './compute.js';
export { replayAsKnownOn, knownOn } from './replay.js';
export { INDICATOR_DEFS, type Unit, type FamilyDef, type IndicatorDef } from './units.js';
export { suppress, recomputable, isSmall, type Cell } from './suppress.js';
