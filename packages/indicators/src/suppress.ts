/**
 * Small-cell suppression (SPEC 9) over cells bound by linear relations a
 * reader knows (publish.ts builds them: a family adds up to its
 * denominator, groups to the table without that breakdown, and so on). A
 * hidden cell could be recomputed from any relation in which it is the only
 * hidden member, so such a relation gets a second hidden member.
 *
 * Only the free cells (those of the table being settled) change; the cells
 * of coarser tables, settled before, are taken as they are. A free cell that
 * a relation with only settled, shown cells besides it pins to a known value
 * is never picked: hiding it would protect nothing.
 */

export interface Cell {
  readonly count: number;
  /** Never published (the complement of a binary category): hiding it is free. */
  readonly virtual: boolean;
  readonly isDenominator: boolean;
  /** Within one table, cells of a higher stratum are picked before those of a lower one (flows edges before nodes). */
  readonly stratum: number;
  /** Position in its table's canonical order: the last tie-break, so a pattern depends on the table's content only. */
  readonly order: number;
  hidden: boolean;
  /** Hidden because the count itself is small (1 .. minCell-1). */
  primary: boolean;
}

/** A small count other than zero discloses learners; zero cells and complements of zero are shown. */
export const isSmall = (count: number, minCell: number): boolean => count > 0 && count < minCell;

export interface SuppressionOutcome {
  /** Relations still with exactly one hidden member: no free cell could protect it (0 when all is well). */
  readonly unresolved: number;
}

/**
 * Primary suppression of the free cells, then complementary suppression until
 * no relation has exactly one hidden member, or none can be helped. Mutates
 * `hidden` and `primary` on the free cells.
 */
export function suppress(free: readonly Cell[], relations: readonly (readonly Cell[])[], minCell: number): SuppressionOutcome {
  const isFree = new Set(free);
  for (const c of free) c.hidden = c.primary = isSmall(c.count, minCell);
  const pinned = new Set<Cell>();
  const relationsOf = new Map<Cell, number[]>();
  relations.forEach((rel, i) => {
    let freeMembers = 0;
    let settledHidden = false;
    let only: Cell | null = null;
    for (const c of rel) {
      if (isFree.has(c)) {
        freeMembers++;
        only = c;
        const list = relationsOf.get(c);
        if (list) list.push(i);
        else relationsOf.set(c, [i]);
      } else if (c.hidden) settledHidden = true;
    }
    // One free member among shown settled cells (or alone: a sum of nothing, zero) is known whatever this table shows.
    if (freeMembers === 1 && !settledHidden) pinned.add(only!);
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
    const eligible = (c: Cell) => !c.hidden && isFree.has(c) && !pinned.has(c);
    /**
     * Hiding a cell whose other relations could then not get a second hidden
     * member would only move the leak: such a cell is the last resort.
     */
    const deadEnd = (c: Cell) => (relationsOf.get(c) ?? []).some((j) => {
      if (j === i) return false;
      const other = relations[j]!;
      return !other.some((x) => x.hidden) && !other.some((x) => x !== c && eligible(x));
    });
    let pick: Cell | null = null;
    let pickDead = true;
    for (const c of rel) {
      if (!eligible(c)) continue;
      const dead = deadEnd(c);
      if (pick === null || (pickDead && !dead) || (dead === pickDead && before(c, pick))) {
        pick = c;
        pickDead = dead;
      }
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
  let unresolved = 0;
  for (const rel of relations) if (rel.length >= 2 && rel.filter((c) => c.hidden).length === 1) unresolved++;
  return { unresolved };
}

/**
 * The cell to hide next: a finer stratum first, then a virtual cell (free),
 * then the smallest non-zero count (a category before a denominator of the
 * same size); zero cells last, because a hidden zero next to a hidden small
 * cell is easily guessed.
 */
function before(a: Cell, b: Cell): boolean {
  if (a.stratum !== b.stratum) return a.stratum > b.stratum;
  if (a.virtual !== b.virtual) return a.virtual;
  const ka = a.count === 0 ? Number.MAX_SAFE_INTEGER : a.count * 2 + (a.isDenominator ? 1 : 0);
  const kb = b.count === 0 ? Number.MAX_SAFE_INTEGER : b.count * 2 + (b.isDenominator ? 1 : 0);
  return ka !== kb ? ka < kb : a.order < b.order;
}
