/**
 * School profile: per school, one category's percentage over all years
 * together (the pooled row) as a dot, and the spread of its published yearly
 * percentages (min to max) as a line through it, with the number of years and
 * their standard deviation beside it. A school whose pooled percentage is not
 * published gets a fixed-size chip instead of a dot.
 */
import { categoryLabel, groupText, groupTitle, withHelp } from '../labels.js';
import { cellKind, groupLabel, pct, type Row } from '../model.js';
import { chip, chipWidth, el, label, niceMax, setHeight, seriesColour, suppressionLegend, svgRoot, ticks, titled, CHIP_H, type MarkKind } from '../svg.js';
import { chipFor, markAttrs } from './common.js';

export function profileDots(rows: readonly Row[], options: { title: string; minCell: number; category: string }): SVGSVGElement {
  const W = 1000, m = { l: 300, r: 250, t: 30 }, rowH = 22;
  const max = Math.max(5, ...rows.flatMap((r) => [r.percent ?? 0, r.spread?.max ?? 0]));
  const top = niceMax(max, 5);
  const x = (p: number) => m.l + (p / top) * (W - m.l - m.r);
  const { svg, fills } = svgRoot(W, 100, options.title, `${rows.length} schools: ${categoryLabel(options.category)} over all years together (dot) and the range of the published yearly percentages (line).`);
  const present = new Set<MarkKind>();
  const H = m.t + rows.length * rowH;
  for (const t of ticks(top, 5)) svg.append(el('line', { x1: x(t), x2: x(t), y1: m.t - 6, y2: H, stroke: '#eee' }), el('text', { x: x(t), y: m.t - 10, 'text-anchor': 'middle', fill: '#555', 'font-size': 10, class: 'label' }, `${t}%`));
  svg.append(el('text', { x: W - m.r + 16, y: m.t - 10, fill: '#555', 'font-size': 10 }, 'yearly percentages: years, range, sd'));
  const c = seriesColour(0);
  rows.forEach((r, i) => {
    const y = m.t + i * rowH + rowH / 2;
    const key = groupLabel(r.group);
    const who = groupTitle(r.group);
    if (i % 2 === 0) svg.append(el('rect', { x: 8, y: y - rowH / 2, width: W - 16, height: rowH, fill: '#f7f7f9' }));
    svg.append(label(m.l - 10, y + 4, groupText(r.group), m.l - 20, { 'text-anchor': 'end', 'font-size': 11 }, who));
    const s = r.spread;
    const spreadText = s && s.years > 0 && s.min !== null && s.max !== null
      ? `${s.years} ${s.years === 1 ? 'year' : 'years'}, ${s.min}–${s.max}%${s.sd !== null ? `, sd ${s.sd}` : ''}` : 'no yearly % published';
    svg.append(el('text', { x: W - m.r + 16, y: y + 4, 'font-size': 11, fill: '#333', class: 'spread-text', 'data-group': key }, spreadText));
    if (s && s.years >= 2 && s.min !== null && s.max !== null) {
      const g = el('g', { class: 'spread', 'data-group': key, 'data-min': s.min, 'data-max': s.max, 'data-years': s.years, 'data-sd': s.sd ?? '' });
      g.append(el('line', { x1: x(s.min), x2: x(s.max), y1: y, y2: y, stroke: c, 'stroke-width': 2, 'stroke-opacity': 0.5 }),
        el('line', { x1: x(s.min), x2: x(s.min), y1: y - 4, y2: y + 4, stroke: c }), el('line', { x1: x(s.max), x2: x(s.max), y1: y - 4, y2: y + 4, stroke: c }));
      svg.append(titled(g, `${who}: yearly ${categoryLabel(options.category)} from ${s.min}% to ${s.max}% over ${s.years} published years`));
    }
    if (r.percent !== null) {
      svg.append(titled(el('circle', { cx: x(r.percent), cy: y, r: 4.5, fill: c, stroke: '#fff', 'stroke-width': 1, ...markAttrs(r, key) }),
        withHelp(`${who} · ${categoryLabel(options.category)}: ${pct(r.percent)} (${r.count} of ${r.denominator}, all years together)`, options.category)));
      return;
    }
    const spec = chipFor(r, options.minCell, c, withHelp(`${who} · ${categoryLabel(options.category)}${r.count !== null ? ` (of ${r.denominator ?? 'a hidden total'}: no percentage published)` : ''}`, options.category), markAttrs(r, key));
    present.add(r.count === null ? (cellKind(r) as MarkKind) : 'count');
    if (r.denominator === null) present.add('no-total');
    svg.append(chip(fills, spec.kind, m.l + 2, y - CHIP_H / 2, { text: spec.text, stripe: spec.stripe, title: spec.title, width: chipWidth(spec.text), attrs: spec.attrs }));
  });
  let y = H + 10;
  svg.append(el('circle', { cx: 20, cy: y + 6, r: 4.5, fill: c }), el('text', { x: 30, y: y + 10, 'font-size': 11 }, 'all years together'),
    el('line', { x1: 160, x2: 200, y1: y + 6, y2: y + 6, stroke: c, 'stroke-width': 2, 'stroke-opacity': 0.5 }), el('text', { x: 206, y: y + 10, 'font-size': 11 }, 'lowest to highest published yearly percentage'));
  y += 22;
  y += suppressionLegend(svg, fills, present, 12, y, W - 24, options.minCell);
  setHeight(svg, y + 8);
  return svg;
}
