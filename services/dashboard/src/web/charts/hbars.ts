/**
 * One 100% bar per group: the categories' shares side by side, so groups
 * compare at a glance. Only published shares are drawn. What is hidden is
 * drawn for what it is: the hidden cells of a published total together as one
 * hatched block to scale (total minus the shown cells), and each hidden cell
 * as a fixed-size chip after the bar ("<10" primary, "hidden" complementary),
 * never sized. A group whose total (or whose percentages) are not published
 * gets no bar at all: its counts as chips, not to scale.
 */
import { categoryLabel, groupText, groupTitle, withHelp } from '../labels.js';
import { cellKind, categoryOrder, groupLabel, groups, pct, sharesPublished, totalOf, type Row } from '../model.js';
import { categoryLegend, colour, el, inkOn, label, setHeight, suppressionLegend, svgRoot, textWidth, titled, CHIP_H, type MarkKind } from '../svg.js';
import { chipFor, markAttrs, placeChips } from './common.js';

export function groupBars(rows: readonly Row[], options: { title: string; minCell: number }): SVGSVGElement {
  const gs = groups(rows);
  const cats = categoryOrder(rows.map((r) => r.category));
  const W = 1000, m = { l: 220, t: 26 }, BW = 420, bh = 22, gap = 12;
  const x = (share: number) => m.l + (share / 100) * BW;
  const { svg, fills } = svgRoot(W, 100, options.title, `One bar per group (${gs.length}): the published share of each category. Hidden cells are marked, never sized.`);
  const present = new Set<MarkKind>();
  for (const t of [0, 25, 50, 75, 100]) {
    svg.append(el('line', { x1: x(t), x2: x(t), y1: m.t - 6, y2: m.t - 2, stroke: '#999' }), el('text', { x: x(t), y: m.t - 10, 'text-anchor': 'middle', fill: '#555', 'font-size': 10, class: 'label' }, `${t}%`));
  }
  let y = m.t;
  for (const { key, group } of gs) {
    const own = rows.filter((r) => groupLabel(r.group) === key);
    const who = groupTitle(group);
    svg.append(label(m.l - 10, y + bh / 2 + 4, groupText(group), m.l - 20, { 'text-anchor': 'end' }, who));
    const total = totalOf(own);
    const hidden = own.filter((r) => r.count === null);
    const row = el('g', { class: 'bar-row', 'data-group': key, 'data-total': total ?? '' });
    svg.append(row);
    let lines = 1;
    if (sharesPublished(own)) {
      let acc = 0, shownSum = 0;
      for (const cat of cats) {
        const r = own.find((o) => o.category === cat);
        if (!r || r.count === null || r.count <= 0) continue;
        // Geometry from count / total (exact); the text is the published percentage.
        const share = (r.count / total!) * 100;
        const w = x(acc + share) - x(acc);
        row.append(titled(el('rect', { x: x(acc), y, width: w, height: bh, fill: colour(cat), stroke: '#fff', 'stroke-width': 0.5, ...markAttrs(r, key) }),
          withHelp(`${who} · ${categoryLabel(cat)}: ${r.count} of ${total} (${pct(r.percent)})`, cat)));
        const text = `${r.percent}%`;
        if (w > textWidth(text, 10) + 4) row.append(el('text', { x: x(acc) + w / 2, y: y + bh / 2 + 4, 'text-anchor': 'middle', fill: inkOn(colour(cat)), 'font-size': 10, 'pointer-events': 'none' }, text));
        acc += share;
        shownSum += r.count;
      }
      if (hidden.length) {
        present.add('rest');
        const list = hidden.map((r) => `${categoryLabel(r.category)} ${cellKind(r) === 'primary' ? `<${options.minCell}` : 'hidden'}`).join(', ');
        row.append(titled(el('rect', { x: x(acc), y, width: Math.max(0, x(100) - x(acc)), height: bh, fill: fills.rest, stroke: '#777', 'stroke-width': 0.5, class: 'rest', 'data-group': key, 'data-hidden': hidden.length }),
          `${who}: ${hidden.length} hidden cells together, ${total! - shownSum} of ${total} learners (the total minus the shown cells): ${list}`));
        for (const r of hidden) present.add(cellKind(r) as MarkKind);
        lines = placeChips(row, fills, hidden.map((r) => chipFor(r, options.minCell, colour(r.category), withHelp(`${who} · ${categoryLabel(r.category)}`, r.category), markAttrs(r, key))), x(100) + 10, W - 8, y + (bh - CHIP_H) / 2);
      }
    } else {
      // No published shares: no bar. The shown counts and the hidden cells as chips, not to scale.
      present.add(total === null ? 'no-total' : 'count');
      const lead = total === null ? 'total hidden:' : `total ${total}, no %:`;
      row.append(el('text', { x: m.l, y: y + bh / 2 + 4, 'font-style': 'italic', fill: '#444', class: 'no-total' }, lead));
      const chips = cats.flatMap((cat) => {
        const r = own.find((o) => o.category === cat);
        if (!r || r.count === 0) return [];
        present.add(r.count === null ? (cellKind(r) as MarkKind) : 'count');
        return [chipFor(r, options.minCell, colour(cat), withHelp(`${who} · ${categoryLabel(cat)}${total === null ? ' (total hidden)' : ` (of ${total}; no percentage published)`}`, cat), markAttrs(r, key))];
      });
      lines = placeChips(row, fills, chips, m.l + textWidth(lead) + 10, W - 8, y + (bh - CHIP_H) / 2);
    }
    y += Math.max(bh, lines * (CHIP_H + 4)) + gap;
  }
  y += 6;
  y += categoryLegend(svg, cats, 12, y, W - 24, categoryLabel, (c) => withHelp(categoryLabel(c), c));
  y += suppressionLegend(svg, fills, present, 12, y + 4, W - 24, options.minCell);
  setHeight(svg, y + 8);
  return svg;
}
