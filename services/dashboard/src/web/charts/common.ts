/** What every chart's marks carry, so that a reader (and the browser tests) can check each mark against the API row it draws. */
import { cellKind, type Row } from '../model.js';
import { chip, chipText, chipWidth, CHIP_H, hiddenWhy, type ChipKind, type Fills } from '../svg.js';

/** The data attributes of a mark drawing one report row; `class` says whether and why it is hidden. */
export function markAttrs(r: Row, group: string, extra: Record<string, string | number | null> = {}): Record<string, string | number | null> {
  const kind = cellKind(r);
  return {
    class: kind === 'shown' ? 'mark' : `mark suppressed ${kind}`,
    'data-group': group, 'data-family': r.family, 'data-category': r.category,
    'data-offset': r.offset, 'data-year': r.schoolYear,
    'data-count': r.count ?? '', 'data-denominator': r.denominator ?? '', 'data-percent': r.percent ?? '',
    'data-suppressed': String(r.count === null), 'data-suppression': r.suppression ?? '',
    ...extra,
  };
}

/** One chip to place: a hidden cell, or a shown count where no share may be drawn. */
export interface ChipSpec { readonly kind: ChipKind; readonly text: string; readonly stripe: string; readonly title: string; readonly attrs: Record<string, string | number | null> }

/** The chip of one row: hidden cells read "<10" or "hidden", shown ones their count. */
export function chipFor(r: Row, minCell: number, stripe: string, title: string, attrs: Record<string, string | number | null>): ChipSpec {
  const kind = cellKind(r);
  if (kind === 'shown') return { kind: 'count', text: String(r.count), stripe, title: `${title}: ${r.count}`, attrs };
  return { kind, text: chipText(kind, minCell), stripe, title: `${title}: ${chipText(kind, minCell)}, ${hiddenWhy(kind, minCell)}`, attrs };
}

/** Lay chips out left to right from x0, wrapping before xMax; returns the number of lines used. */
export function placeChips(parent: SVGElement, fills: Fills, chips: readonly ChipSpec[], x0: number, xMax: number, y: number, gap = 4): number {
  let x = x0, line = 0;
  for (const c of chips) {
    const w = chipWidth(c.text);
    if (x + w > xMax && x > x0) { x = x0; line++; }
    parent.append(chip(fills, c.kind, x, y + line * (CHIP_H + 4), { text: c.text, stripe: c.stripe, title: c.title, width: w, attrs: c.attrs }));
    x += w + gap;
  }
  return chips.length ? line + 1 : 0;
}
