/**
 * A count table: what a report counts before anything is published. The
 * fold-based oracle (aggregate.ts, from counting units) and the statistics
 * projection's SQL both produce one; publish.ts turns it into rows
 * (categories, percentages, suppression) the same way for both.
 *
 * An instance is one family at one group, lineage, offset and school year.
 * Instances are as fine as the lineage makes them: every coarser table the
 * dashboard role can ask for (a breakdown dropped, `area:N` as `area:N-1`,
 * `vo_school` as `board`, `school_group` or `school_weight_group`) is the sum
 * of these instances, so one table serves the whole lattice suppression needs.
 */
export interface CountInstance {
  /**
   * The requested dimensions, then the indicator's fixed keys (`sector`,
   * `afdeling`, `diploma_level`, `vo_school` for school-profile).
   */
  readonly group: Readonly<Record<string, string>>;
  /**
   * Hidden keys from which coarser tables are derived, absent when the
   * learner has no such value:
   * - a requested `area:N`: `area:0` .. `area:N-1`, the learner's area chain
   *   at those depths (so a learner whose own area lies at depth d < N has
   *   `area:0` .. `area:d`, the last being the own area);
   * - a requested plain `area` (the own area, at its own depth d):
   *   `area:0` .. `area:d-1`, its ancestors;
   * - a requested `vo_school`: `board`, `school_group` and
   *   `school_weight_group` of that school, exactly as those dimensions
   *   would give them (`unknown`, `none` included: never absent).
   * A coarser table reads an absent area key as `unknown`.
   */
  readonly lineage: Readonly<Record<string, string>>;
  readonly offset: number | null;
  readonly schoolYear: string | null;
  readonly family: string;
  /** The units counted (learners, steps, revisions, attempts, diplomas). */
  readonly denominator: number;
  /** Category -> count; categories of a fixed list may be absent (zero), and so may any zero. */
  readonly counts: ReadonlyMap<string, number>;
  /** The ends of edge categories (`<from> -> <to>`); read from the category when absent. */
  readonly edges?: ReadonlyMap<string, { readonly from: string; readonly to: string }>;
}

/**
 * One request's counts. Instances with the same group, lineage, offset,
 * school year and family are added up. For school-profile the table holds
 * the yearly instances only: publish pools the years itself.
 */
export type CountTable = readonly CountInstance[];
