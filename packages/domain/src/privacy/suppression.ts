/** Smallest cell a published statistic may show; configurable but never below 5. */
export const DEFAULT_MIN_CELL = 10;
export const ABSOLUTE_MIN_CELL = 5;

export const effectiveMinCell = (requested?: number): number =>
  Math.max(ABSOLUTE_MIN_CELL, requested ?? DEFAULT_MIN_CELL);
