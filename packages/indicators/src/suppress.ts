/**
 * Small-cell suppression (SPEC 9). A table is a set of cells bound by linear
 * relations the reader knows: the categories of a family add up to the
 * denominator, a binary category and its (unpublished) complement add up to the
 * denominator, and the groups of one breakdown add up to the total another
 * report publishes. A hidden cell could be recomputed from any relation in
 * which it is the only unknown, so such a relation gets a second hidden member:
 * the smallest one (an unpublished complement first, which costs nothing).
 */

export interface Cell {
  readonly count: number;
  /** Never published (the complement of a binary category): hiding it is free. */
  readonly virtual: boolean;
  readonly isDenominator: boolean;
  hidden: boolean;
}

export function newCell(count: number, options: { virtual?: boolean; isDenominator?: boolean } = {}): Cell {
  return { count, virtual: options.virtual ?? false, isDenominator: options.isDenominator ?? false, hidden: false };
}

/** A small count other than zero discloses learners; zero cells and complements of zero are shown. */
export const isSmall = (count: number, minCell: number): boolean => count > 0 && count < minCell;

/**
 * Primary suppression of small cells, then complementary suppression until no
 * relation has exactly one hidden member. Mutates `hidden` on the cells.
 */
export function suppress(cells: readonly Cell[], relations: readonly (readonly Cell[])[], minCell: number): void {
  for (const c of cells) c.hidden = isSmall(c.count, minCell);
  const relationsOf = new Map<Cell, number[]>();
  relations.forEach((rel, i) => {
    for (const c of rel) {
      const list = relationsOf.get(c);
      if (list) list.push(i);
      else relationsOf.set(c, [i]);
    }
  });
  const queue: number[] = relations.map((_, i) => i);
  const queued = new Set(queue);
  while (queue.length) {
    const i = queue.shift()!;
    queued.delete(i);
    const rel = relations[i]!;
    if (rel.length < 2) continue;
    let hidden = 0;
    for (const c of rel) if (c.hidden) hidden++;
    if (hidden !== 1) continue;
    let pick: Cell | null = null;
    for (const c of rel) {
      if (c.hidden) continue;
      if (pick === null || rank(c) < rank(pick)) pick = c;
    }
    if (!pick) continue;
    pick.hidden = true;
    for (const j of relationsOf.get(pick) ?? []) {
      if (!queued.has(j)) {
        queued.add(j);
        queue.push(j);
      }
    }
  }
}

/**
 * Virtual cells first (free), then the smallest non-zero count (a category
 * before a denominator of the same size); zero cells last, because a hidden
 * zero next to a hidden small cell is easily guessed.
 */
const rank = (c: Cell): number => (c.virtual ? -1 : c.count === 0 ? Number.MAX_SAFE_INTEGER : c.count * 2 + (c.isDenominator ? 1 : 0));

/** Whether some hidden cell is the only unknown of a relation, i.e. could be recomputed (what suppression must prevent). */
export function recomputable(relations: readonly (readonly Cell[])[]): boolean {
  return relations.some((rel) => rel.length >= 2 && rel.filter((c) => c.hidden).length === 1);
}
