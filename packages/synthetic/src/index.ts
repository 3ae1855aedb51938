/**
 * Synthetic registrations (SPEC section 8): a seeded population written as
 * the CSV files of SPEC section 7, for tests, benchmarks and demos.
 */
export { generatePopulation, type GenerateProgress, type GenerateSummary } from './generate.js';
export { InvalidOptionsError, parseCohorts, type GenerateOptions } from './options.js';
export { PARAMETERS, type Parameters } from './parameters.js';
export { BAD_KINDS, KINDS_BY_FILE, bsnLike, type BadKind, type InjectedRow } from './bad-rows.js';
export type { RedeliveryManifest } from './redelivery.js';
export { HEADERS } from './csv.js';
export { ZUID_DISTRICT } from './geography.js';
export { buildWorld, simulateLearner, type World } from './life.js';
export { spanForScore } from './advice.js';
export { learnerId, type LearnerRecord } from './records.js';
export {
  PUBLISHED_TARGETS, PublishedFigures, contextOfWorld, describeFigures, figureLearnerOf, measureDirectory, readGeneratedLearners, standardError,
  type FigureLearner, type PublishedFiguresResult,
} from './figures.js';
