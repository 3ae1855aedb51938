/**
 * Every property test runs the same cases on every run unless it picks its own
 * seed: a red CI run is then a change, not a draw, and it can be replayed.
 * FC_SEED=<n> runs them all from another seed; FC_SEED=random draws one per
 * file (fast-check prints it with any counterexample) to explore.
 */
import fc from 'fast-check';

const seed = process.env.FC_SEED ?? '20261205';
if (seed !== 'random') fc.configureGlobal({ seed: Number(seed) });
