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
  // Number the cells, the free ones first, and the relations as runs of numbers (suppressIndexed).
  const index = new Map<Cell, number>();
  const cells: Cell[] = [];
  const number = (c: Cell): number => {
    let i = index.get(c);
    if (i === undefined) {
      i = cells.length;
      index.set(c, i);
      cells.push(c);
    }
    return i;
  };
  for (const c of free) number(c);
  const freeCount = cells.length;
  const start = new Int32Array(relations.length + 1);
  relations.forEach((rel, i) => { start[i + 1] = start[i]! + rel.length; });
  const members = new Int32Array(start[relations.length]!);
  let k = 0;
  for (const rel of relations) for (const c of rel) members[k++] = number(c);
  const column = (f: (c: Cell) => number) => Float64Array.from(cells, f);
  const { hidden, primary, unresolved } = suppressIndexed(cells.length, freeCount, {
    count: column((c) => c.count), stratum: column((c) => c.stratum), order: column((c) => c.order),
    virtual: Uint8Array.from(cells, (c) => (c.virtual ? 1 : 0)), isDenominator: Uint8Array.from(cells, (c) => (c.isDenominator ? 1 : 0)),
    hidden: Uint8Array.from(cells, (c) => (c.hidden ? 1 : 0)),
  }, start, members, minCell);
  for (let c = 0; c < freeCount; c++) {
    cells[c]!.hidden = hidden[c] === 1;
    cells[c]!.primary = primary[c] === 1;
  }
  return { unresolved };
}

/** Numbered cells as columns (1 for true): the free ones first, then settled ones, of which only `hidden` is read. */
export interface CellColumns {
  readonly count: ArrayLike<number>;
  readonly stratum: ArrayLike<number>;
  readonly order: ArrayLike<number>;
  readonly virtual: ArrayLike<number>;
  readonly isDenominator: ArrayLike<number>;
  readonly hidden: ArrayLike<number>;
}

/**
 * suppress() over numbered cells as columns: `0 .. freeCount` are the free
 * ones, relation i is `members[start[i] .. start[i + 1])`. Returns which
 * cells are hidden and primary (the free ones' new state, the settled ones'
 * as given), the count of unresolved relations and the number of hidden
 * members of each relation (a member listed twice counts twice, as it does
 * in the check).
 *
 * Each relation's hidden count and each free cell's relations are kept up
 * to date as cells are hidden, so a relation is checked in time
 * proportional to its size and a candidate's dead-end test in time
 * proportional to the number of its relations; the queue is first in,
 * first out, as the order of settling depends on it.
 */
export function suppressIndexed(
  n: number, freeCount: number, cells: CellColumns, start: Int32Array, members: Int32Array, minCell: number,
): { hidden: Uint8Array; primary: Uint8Array; unresolved: number; hiddenCount: Int32Array } {
  const relationCount = start.length - 1;
  const hidden = new Uint8Array(n);
  const primary = new Uint8Array(freeCount);
  // The tie-breaks of before(), read once per cell.
  const stratum = new Float64Array(freeCount);
  const virtual = new Uint8Array(freeCount);
  const size = new Float64Array(freeCount);
  const order = new Float64Array(freeCount);
  for (let c = 0; c < n; c++) {
    if (c < freeCount) {
      const count = cells.count[c]!;
      hidden[c] = primary[c] = isSmall(count, minCell) ? 1 : 0;
      stratum[c] = cells.stratum[c]!;
      virtual[c] = cells.virtual[c]!;
      size[c] = count === 0 ? Number.MAX_SAFE_INTEGER : count * 2 + cells.isDenominator[c]!;
      order[c] = cells.order[c]!;
    } else hidden[c] = cells.hidden[c]!;
  }

  // Each free cell's relations, in relation order, once per time it is listed (CSR: relationsOf[first[c] .. first[c + 1])).
  const first = new Int32Array(freeCount + 1);
  for (let k = 0; k < members.length; k++) {
    const c = members[k]!;
    if (c < freeCount) first[c + 1] = first[c + 1]! + 1;
  }
  for (let c = 0; c < freeCount; c++) first[c + 1] = first[c + 1]! + first[c]!;
  const relationsOf = new Int32Array(first[freeCount]!);
  const fill = first.slice(0, freeCount);
  const hiddenCount = new Int32Array(relationCount);
  const pinned = new Uint8Array(freeCount);
  for (let i = 0; i < relationCount; i++) {
    let freeMembers = 0;
    let settledHidden = false;
    let only = -1;
    let h = 0;
    for (let k = start[i]!; k < start[i + 1]!; k++) {
      const c = members[k]!;
      if (hidden[c]) h++;
      if (c < freeCount) {
        freeMembers++;
        only = c;
        relationsOf[fill[c]!] = i;
        fill[c] = fill[c]! + 1;
      } else if (hidden[c]) settledHidden = true;
    }
    hiddenCount[i] = h;
    // One free member among shown settled cells (or alone: a sum of nothing, zero) is known whatever this table shows.
    if (freeMembers === 1 && !settledHidden) pinned[only] = 1;
  }
  // While a relation has no hidden member, its members that could be picked are its free cells that are not pinned.
  const pickable = new Int32Array(relationCount);
  for (let i = 0; i < relationCount; i++) {
    let e = 0;
    for (let k = start[i]!; k < start[i + 1]!; k++) if (members[k]! < freeCount && !pinned[members[k]!]) e++;
    pickable[i] = e;
  }

  /**
   * Hiding a cell whose other relations could then not get a second hidden
   * member would only move the leak: such a cell is the last resort. A
   * relation with no hidden member whose only pickable members are this
   * cell (however often listed) is such a relation.
   */
  const deadEnd = (c: number, current: number): boolean => {
    const end = first[c + 1]!;
    for (let p = first[c]!; p < end;) {
      const j = relationsOf[p]!;
      let times = 0;
      while (p < end && relationsOf[p] === j) { times++; p++; }
      if (j !== current && hiddenCount[j] === 0 && pickable[j] === times) return true;
    }
    return false;
  };
  /**
   * The cell to hide next: a finer stratum first, then a virtual cell (free),
   * then the smallest non-zero count (a category before a denominator of the
   * same size); zero cells last, because a hidden zero next to a hidden small
   * cell is easily guessed. The table's canonical order breaks ties.
   */
  const precedes = (a: number, b: number): boolean => {
    if (stratum[a] !== stratum[b]) return stratum[a]! > stratum[b]!;
    if (virtual[a] !== virtual[b]) return virtual[a] === 1;
    return size[a] !== size[b] ? size[a]! < size[b]! : order[a]! < order[b]!;
  };

  // First in, first out; a relation is in the queue at most once, so a ring of relationCount places holds it.
  const queue = new Int32Array(Math.max(1, relationCount));
  const queued = new Uint8Array(relationCount);
  let head = 0;
  let length = relationCount;
  for (let i = 0; i < relationCount; i++) { queue[i] = i; queued[i] = 1; }
  while (length > 0) {
    const i = queue[head]!;
    head = head + 1 === queue.length ? 0 : head + 1;
    length--;
    queued[i] = 0;
    if (start[i + 1]! - start[i]! < 2 || hiddenCount[i] !== 1) continue;
    let pick = -1;
    let pickDead = true;
    for (let k = start[i]!; k < start[i + 1]!; k++) {
      const c = members[k]!;
      if (c >= freeCount || hidden[c] || pinned[c]) continue;
      const dead = deadEnd(c, i);
      if (pick < 0 || (pickDead && !dead) || (dead === pickDead && precedes(c, pick))) {
        pick = c;
        pickDead = dead;
      }
    }
    if (pick < 0) continue;
    hidden[pick] = 1;
    for (let p = first[pick]!; p < first[pick + 1]!; p++) {
      const j = relationsOf[p]!;
      hiddenCount[j] = hiddenCount[j]! + 1;
      if (!queued[j]) {
        queued[j] = 1;
        queue[(head + length) % queue.length] = j;
        length++;
      }
    }
  }
  let unresolved = 0;
  for (let i = 0; i < relationCount; i++) if (start[i + 1]! - start[i]! >= 2 && hiddenCount[i] === 1) unresolved++;
  return { hidden, primary, unresolved, hiddenCount };
}
