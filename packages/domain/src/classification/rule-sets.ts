import type { LevelRef, Span } from '../levels/levels.js';
import { lowerOf } from '../levels/levels.js';
import { compareSpans, type Classification } from './compare.js';

/**
 * A rule set is named, versioned data (SPEC section 5): monitors differ in which
 * advice counts and whether combined levels keep their span.
 */
export interface RuleSet {
  readonly name: string;
  readonly version: number;
  readonly description: string;
  /** `first-final`: the first final advice, before any revision. `latest`: the latest advice after revision. */
  readonly referenceAdvice: 'first-final' | 'latest';
  /** `lower`: a combined advice or class collapses to its lower level. `span`: kept as a span (half steps exist). */
  readonly combined: 'lower' | 'span';
  /** Year-3 position: the level on the first reference date in leerjaar 3. */
  readonly yearThreePosition: 'first-reference-date-in-grade-3';
}

export const MONITOR: RuleSet = {
  name: 'monitor',
  version: 1,
  description: 'Regional education monitors: latest advice after revision, combined levels kept as spans',
  referenceAdvice: 'latest',
  combined: 'span',
  yearThreePosition: 'first-reference-date-in-grade-3',
};

export const INSPECTIE: RuleSet = {
  name: 'inspectie',
  version: 1,
  description: "The inspectorate's result indicators: first final advice before revision, combined levels collapsed to the lower level",
  referenceAdvice: 'first-final',
  combined: 'lower',
  yearThreePosition: 'first-reference-date-in-grade-3',
};

export const RULE_SETS: Readonly<Record<string, RuleSet>> = { monitor: MONITOR, inspectie: INSPECTIE };
export const DEFAULT_RULE_SET = MONITOR;

export function ruleSetNamed(name: string): RuleSet | undefined {
  return Object.prototype.hasOwnProperty.call(RULE_SETS, name) ? RULE_SETS[name] : undefined;
}

/** The span a rule set compares with: combined levels collapse under `lower`. */
export const effectiveSpan = (rules: RuleSet, span: Span): Span => (rules.combined === 'lower' ? lowerOf(span) : span);

/** Classify a move from one level to another under a rule set. Unranked levels are never guessed. */
export function classify(rules: RuleSet, from: LevelRef, to: LevelRef): Classification {
  if (from.span === null || to.span === null) return 'not-comparable';
  return compareSpans(effectiveSpan(rules, from.span), effectiveSpan(rules, to.span));
}
