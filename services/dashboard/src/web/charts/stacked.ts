/**
 * Stacked columns of learners (or diplomas) per school year, one block per
 * category. Drawn in counts rather than shares: when a column's total is
 * hidden the shown counts are still true, only their shares are not. Under a
 * published total the hidden cells together are one hatched block, to scale
 * (total minus the shown cells); a hidden total is said above the column, and
 * nothing is drawn for its unknown rest. Each hidden cell is a fixed-size chip
 * in the strip under the axis: "<10" (primary) or "hidden" (complementary).
 */
import { categoryLabel, withHelp } from '../labels.js';
import { cellKind, categoryOrder, pct, totalOf, type Row } from '../model.js';
import { categoryLegend, chip, chipWidth, colour, el, inkOn, label, linear, niceMax, setHeight, suppressionLegend, svgRoot, textWidth, ticks, titled, CHIP_H, type MarkKind } from '../svg.js';
import { chipFor, markAttrs } from './common.js';

export interface Column { readonly key: string; readonly label: string; readonly rows: readonly Row[] }

export function stackedColumns(columns: readonly Column[], options: { title: string; minCell: number; group: string; who: string; unit: string }): SVGSVGElement {
  const all = columns.flatMap((c) => c.rows);
  const cats = categoryOrder(all.map((r) => r.category));
  const W = 880, m = { l: 56, r: 16, t: 28 }, plotH = 250;
  const { svg, fills } = svgRoot(W, 100, options.title, `Stacked columns: ${options.unit} in each category per school year, ${columns.length} years, ${cats.length} categories. Hidden cells are marked, never sized.`);
  const present = new Set<MarkKind>();
  const info = columns.map((c) => {
    const total = totalOf(c.rows);
    const shown = c.rows.reduce((s, r) => s + (r.count ?? 0), 0);
    return { ...c, total, shown, hidden: c.rows.filter((r) => r.count === null) };
  });
  const top = niceMax(Math.max(10, ...info.map((c) => c.total ?? c.shown)));
  const bottom = m.t + plotH;
  const y = linear(0, top, bottom, m.t);
  const band = (W - m.l - m.r) / Math.max(1, columns.length);
  const w = Math.min(band * 0.7, 70);
  for (const t of ticks(top, 5)) {
    svg.append(el('line', { x1: m.l, x2: W - m.r, y1: y(t), y2: y(t), stroke: '#e3e3e3' }), el('text', { x: m.l - 6, y: y(t) + 4, 'text-anchor': 'end', fill: '#444', 'font-size': 11, class: 'label' }, String(t)));
  }
  svg.append(el('text', { x: 8, y: 14, fill: '#555', 'font-size': 11 }, options.unit));
  // x labels: rotated when they do not fit their band.
  const rotate = columns.some((c) => textWidth(c.label, 10) > band - 6);
  const labelH = rotate ? Math.max(...columns.map((c) => textWidth(c.label, 10))) * 0.6 + 16 : 18;
  const stripTop = bottom + labelH + 20;
  const maxHidden = Math.max(0, ...info.map((c) => c.hidden.length));
  if (maxHidden) svg.append(el('text', { x: m.l, y: stripTop - 6, fill: '#444', 'font-size': 11 }, 'Hidden cells per year (markers, not to scale):'));
  info.forEach(({ key, label: xl, rows, total, shown, hidden }, i) => {
    const cx = m.l + i * band + band / 2, x = cx - w / 2;
    const col = el('g', { class: 'column', 'data-column': key, 'data-total': total ?? '' });
    svg.append(col);
    let acc = 0;
    for (const cat of cats) {
      const r = rows.find((c) => c.category === cat);
      if (!r || r.count === null || r.count <= 0) continue;
      const hgt = y(acc) - y(acc + r.count);
      col.append(titled(el('rect', { x, width: w, y: y(acc + r.count), height: hgt, fill: colour(cat), stroke: '#fff', 'stroke-width': 0.5, ...markAttrs(r, options.group) }),
        withHelp(`${options.who} · ${xl} · ${categoryLabel(cat)}: ${r.count}${total !== null ? ` of ${total}` : ' (total hidden)'}${r.percent !== null ? ` (${pct(r.percent)})` : ''}`, cat)));
      if (hgt >= 13 && w >= textWidth(String(r.count), 10) + 4) col.append(el('text', { x: cx, y: y(acc + r.count / 2) + 4, 'text-anchor': 'middle', 'font-size': 10, fill: inkOn(colour(cat)), 'pointer-events': 'none' }, String(r.count)));
      acc += r.count;
    }
    if (hidden.length && total !== null) {
      present.add('rest');
      col.append(titled(el('rect', { x, width: w, y: y(total), height: Math.max(0, y(acc) - y(total)), fill: fills.rest, stroke: '#777', 'stroke-width': 0.5, class: 'rest', 'data-column': key, 'data-hidden': hidden.length }),
        `${options.who} · ${xl}: ${hidden.length} hidden cells together, ${total - shown} of ${total} (the total minus the shown cells)`));
    }
    if (total === null) {
      present.add('no-total');
      const words = band - 4 >= textWidth('total hidden', 10) ? ['total hidden'] : ['total', 'hidden'];
      words.forEach((t, j) => col.append(el('text', { x: cx, y: y(shown) - 6 - (words.length - 1 - j) * 11, 'text-anchor': 'middle', 'font-size': 10, 'font-style': 'italic', fill: '#444', class: 'label no-total' }, t)));
    }
    const xlabel = label(cx, bottom + 16, xl, rotate ? 200 : band - 4, { 'text-anchor': rotate ? 'end' : 'middle', 'font-size': 10 });
    if (rotate) xlabel.setAttribute('transform', `rotate(-35 ${cx} ${bottom + 16})`);
    col.append(xlabel);
    hidden.forEach((r, j) => {
      const spec = chipFor(r, options.minCell, colour(r.category), withHelp(`${options.who} · ${xl} · ${categoryLabel(r.category)}`, r.category), markAttrs(r, options.group));
      present.add(cellKind(r) as MarkKind);
      const cw = Math.min(band - 4, Math.max(w, chipWidth(spec.text)));
      col.append(chip(fills, spec.kind, cx - cw / 2, stripTop + j * (CHIP_H + 3), { text: spec.text, stripe: spec.stripe, title: spec.title, width: cw, attrs: spec.attrs }));
    });
  });
  let yy = maxHidden ? stripTop + maxHidden * (CHIP_H + 3) + 10 : bottom + labelH + 8;
  yy += categoryLegend(svg, cats, 12, yy, W - 24, categoryLabel, (c) => withHelp(categoryLabel(c), c));
  yy += suppressionLegend(svg, fills, present, 12, yy + 4, W - 24, options.minCell);
  setHeight(svg, yy + 8);
  return svg;
}
