/** A rate over the years with one line per group; a suppressed year breaks the line and is marked on the axis. */
import { groupShort, groups, type Row } from '../model.js';
import { colour, el, linear, niceMax, svgRoot, ticks } from '../svg.js';

export function rateLines(rows: readonly Row[], options: { title: string; category: string; minCell: number; xLabel: (offset: number) => string }): SVGSVGElement {
  const gs = groups(rows);
  const offsets = [...new Set(rows.map((r) => r.offset ?? 0))].sort((a, b) => a - b);
  const W = 360, H = 250, m = { l: 40, r: 12, t: 14, b: 44 + Math.ceil(gs.length / 2) * 15 };
  const max = Math.max(5, ...rows.map((r) => r.percent ?? 0));
  const top = niceMax(max * 1.05, 4);
  const { svg, hatch } = svgRoot(W, H + Math.ceil(gs.length / 2) * 15, options.title, `Percentage ${options.category} per school year, one line per group (${gs.length}). Crossed markers: suppressed.`);
  const x = linear(offsets[0] ?? 0, offsets.at(-1) ?? 1, m.l + 16, W - m.r - 16);
  const y = linear(0, top, H - 44, m.t);
  for (const t of ticks(top, 4)) svg.append(el('line', { x1: m.l, x2: W - m.r, y1: y(t), y2: y(t), stroke: '#e3e3e3' }), el('text', { x: m.l - 5, y: y(t) + 4, 'text-anchor': 'end', fill: '#444', 'font-size': 11 }, `${t}%`));
  for (const o of offsets) svg.append(el('text', { x: x(o), y: H - 28, 'text-anchor': 'middle', fill: '#222', 'font-size': 9 }, options.xLabel(o)));
  const palette = gs.length > 1;
  gs.forEach(({ key, group }, gi) => {
    const c = palette ? colour(`group:${key}`) : colour(options.category);
    const own = rows.filter((r) => JSON.stringify(r.group) === JSON.stringify(group));
    let d = '';
    let pen = false;
    for (const o of offsets) {
      const r = own.find((p) => (p.offset ?? 0) === o);
      if (!r) { pen = false; continue; }
      if (r.percent === null) {
        pen = false;
        const mark = el('g', { class: 'mark suppressed', 'data-group': key, 'data-offset': o, 'data-category': options.category, 'data-suppressed': 'true' });
        mark.append(el('rect', { x: x(o) - 5, y: H - 50, width: 10, height: 10, fill: hatch, stroke: c }), el('title', {}, `${key} · ${options.xLabel(o)}: suppressed (under ${options.minCell})`));
        svg.append(mark);
        continue;
      }
      d += `${pen ? 'L' : 'M'}${x(o).toFixed(1)},${y(r.percent).toFixed(1)}`;
      pen = true;
      const dot = el('circle', { cx: x(o), cy: y(r.percent), r: 3.5, fill: c, class: 'mark', 'data-group': key, 'data-offset': o, 'data-category': options.category,
        'data-count': r.count ?? '', 'data-percent': r.percent, 'data-suppressed': 'false' });
      dot.append(el('title', {}, `${key} · ${options.xLabel(o)}: ${r.percent}% (${r.count} of ${r.denominator})`));
      svg.append(dot);
    }
    svg.insertBefore(el('path', { d, fill: 'none', stroke: c, 'stroke-width': 2 }), svg.querySelector('circle, g.mark'));
    const lx = m.l + (gi % 2) * ((W - m.l) / 2), ly = H - 8 + Math.floor(gi / 2) * 15;
    svg.append(el('line', { x1: lx, x2: lx + 14, y1: ly - 4, y2: ly - 4, stroke: c, 'stroke-width': 3 }), el('text', { x: lx + 18, y: ly, 'font-size': 11, fill: '#222' }, groupShort(group)));
  });
  return svg;
}
