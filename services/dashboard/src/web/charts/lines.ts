/**
 * A rate over the years with one line per group. A year whose rate is not
 * published breaks the line; it is marked in the strip under the axis, away
 * from the value scale, as a fixed-size chip: "<10" (primary), "hidden"
 * (complementary) or the shown count when only its total is hidden.
 */
import { categoryLabel, groupText, groupTitle, withHelp } from '../labels.js';
import { cellKind, groupLabel, groups, type Row } from '../model.js';
import { categoryLegend, chip, chipWidth, colour, el, label, linear, niceMax, seriesColour, setHeight, suppressionLegend, svgRoot, textWidth, ticks, titled, CHIP_H, type MarkKind } from '../svg.js';
import { chipFor, markAttrs } from './common.js';

export function rateLines(rows: readonly Row[], options: { title: string; category: string; minCell: number; xLabel: (offset: number) => string }): SVGSVGElement {
  const gs = groups(rows);
  const offsets = [...new Set(rows.map((r) => r.offset ?? 0))].sort((a, b) => a - b);
  const W = 380, m = { l: 42, r: 14, t: 14 }, bottom = 190;
  const max = Math.max(5, ...rows.map((r) => r.percent ?? 0));
  const top = niceMax(max * 1.05, 4);
  const { svg, fills } = svgRoot(W, 100, options.title, `Percentage ${categoryLabel(options.category)} per school year, one line per group (${gs.length}). Years without a published rate are marked under the axis.`);
  const present = new Set<MarkKind>();
  const x = linear(offsets[0] ?? 0, offsets.at(-1) ?? 1, m.l + 18, W - m.r - 18);
  const band = offsets.length > 1 ? (x(offsets[1]!) - x(offsets[0]!)) : W - m.l - m.r;
  const y = linear(0, top, bottom, m.t);
  for (const t of ticks(top, 4)) svg.append(el('line', { x1: m.l, x2: W - m.r, y1: y(t), y2: y(t), stroke: '#e3e3e3' }), el('text', { x: m.l - 5, y: y(t) + 4, 'text-anchor': 'end', fill: '#444', 'font-size': 11, class: 'label' }, `${t}%`));
  // Every k-th year label when they would not fit side by side.
  const every = Math.max(1, Math.ceil((Math.max(...offsets.map((o) => textWidth(options.xLabel(o), 10))) + 6) / band));
  offsets.forEach((o, i) => { if (i % every === 0) svg.append(label(x(o), bottom + 16, options.xLabel(o), band * every - 4, { 'text-anchor': 'middle', 'font-size': 10 })); });
  const colourOf = (i: number) => gs.length > 1 ? seriesColour(i) : colour(options.category);
  const stripTop = bottom + 46;
  const strip = new Map<number, number>();
  gs.forEach(({ key, group }, gi) => {
    const c = colourOf(gi);
    const own = rows.filter((r) => groupLabel(r.group) === key);
    const who = gs.length > 1 ? groupTitle(group) : categoryLabel(options.category);
    let d = '';
    let pen = false;
    const dots: SVGElement[] = [];
    for (const o of offsets) {
      const r = own.find((p) => (p.offset ?? 0) === o);
      if (!r) { pen = false; continue; }
      if (r.percent === null) {
        pen = false;
        const spec = chipFor(r, options.minCell, c, withHelp(`${who} · ${options.xLabel(o)} · ${categoryLabel(options.category)}${r.count !== null ? ` (of ${r.denominator ?? 'a hidden total'}: no rate published)` : ''}`, options.category), markAttrs(r, key));
        present.add(r.count === null ? (cellKind(r) as MarkKind) : 'count');
        if (r.count !== null && r.denominator === null) present.add('no-total');
        const j = strip.get(o) ?? 0;
        strip.set(o, j + 1);
        const cw = Math.min(band - 2, Math.max(28, chipWidth(spec.text)));
        svg.append(chip(fills, spec.kind, x(o) - cw / 2, stripTop + j * (CHIP_H + 3), { text: spec.text, stripe: spec.stripe, title: spec.title, width: cw, attrs: spec.attrs }));
        continue;
      }
      d += `${pen ? 'L' : 'M'}${x(o).toFixed(1)},${y(r.percent).toFixed(1)}`;
      pen = true;
      dots.push(titled(el('circle', { cx: x(o), cy: y(r.percent), r: 3.5, fill: c, stroke: '#fff', 'stroke-width': 1, ...markAttrs(r, key) }),
        withHelp(`${who} · ${options.xLabel(o)}: ${r.percent}% (${r.count} of ${r.denominator})`, options.category)));
    }
    svg.append(el('path', { d, fill: 'none', stroke: c, 'stroke-width': 2, class: 'series', 'data-group': key }), ...dots);
  });
  const rows_ = Math.max(0, ...strip.values());
  if (rows_) svg.append(el('text', { x: m.l, y: stripTop - 6, 'font-size': 10, fill: '#444' }, 'No rate published (markers, not to scale):'));
  let yy = rows_ ? stripTop + rows_ * (CHIP_H + 3) + 8 : bottom + 30;
  if (gs.length > 1) {
    const keys = gs.map((g) => g.key);
    yy += categoryLegend(svg, keys, 12, yy, W - 24, (k) => groupText(gs[keys.indexOf(k)]!.group), (k) => groupTitle(gs[keys.indexOf(k)]!.group), (k) => colourOf(keys.indexOf(k)));
  }
  yy += suppressionLegend(svg, fills, present, 12, yy + 4, W - 24, options.minCell);
  setHeight(svg, yy + 8);
  return svg;
}
