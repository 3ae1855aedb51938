/**
 * The fold-based oracle: reports computed by folding learners again, over an
 * in-memory population or a replay of the log. Tests and the calibration
 * check use it; nothing that serves a request does.
 */
export { oracleReport, oracleCell, oracleCompare, type OracleDeps } from './report.js';
export { computeRows, computeTable, unitsOf, weightGroupsNeeded, type ComputeInput } from './compute.js';
export { WeightShares, lineageOf, dimensionValue, UNKNOWN } from './dimensions.js';
export { countTableOf, type GroupedUnit } from './aggregate.js';
export { replayAsKnownOn, type Replay, type ReplaySource } from './replay.js';
