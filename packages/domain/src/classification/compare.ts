import type { Span } from '../levels/levels.js';

export const STEP_CLASSES = ['opstroom', 'half-opstroom', 'gelijk', 'half-afstroom', 'afstroom'] as const;
export type StepClass = (typeof STEP_CLASSES)[number];
export type Classification = StepClass | 'not-comparable';

/**
 * Compare a from-span (or advice) F with a to-span (or position) T (SPEC section 5).
 * Overlapping but different spans are half steps, decided by the sum of bounds.
 */
export function compareSpans(from: Span, to: Span): StepClass {
  if (from.low === to.low && from.high === to.high) return 'gelijk';
  if (to.low > from.high) return 'opstroom';
  if (to.high < from.low) return 'afstroom';
  const t = to.low + to.high;
  const f = from.low + from.high;
  if (t > f) return 'half-opstroom';
  if (t < f) return 'half-afstroom';
  return 'gelijk';
}
