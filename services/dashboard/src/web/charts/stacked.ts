/**
 * Stacked columns of learners per school year, one block per category. Drawn
 * in learners rather than shares: when complementary suppression hides a
 * group's total, the shown counts are still true, only their share is not.
 * What suppression hides is one hatched block (the known remainder, or a
 * marker when the total is hidden too).
 */
import { categoryOrder, type Row } from '../model.js';
import { colour, el, linear, niceMax, svgRoot, ticks } from '../svg.js';

export function stackedColumns(rows: readonly Row[], options: { title: string; minCell: number; group: string; xLabel: (offset: number) => string }): SVGSVGElement {
  const offsets = [...new Set(rows.map((r) => r.offset ?? 0))].sort((a, b) => a - b);
  const cats = categoryOrder(rows.map((r) => r.category));
  const W = 760, H = Math.max(340, 30 + (cats.length + 1) * 16), m = { l: 52, r: 210, t: 12, b: 40 };
  const { svg, hatch } = svgRoot(W, H, options.title, `Stacked columns: learners in each category per school year, ${offsets.length} years, ${cats.length} categories. Hatched: cells under ${options.minCell}, suppressed.`);
  const columns = offsets.map((offset) => {
    const col = rows.filter((r) => (r.offset ?? 0) === offset);
    const shown = col.reduce((s, r) => s + (r.count ?? 0), 0);
    const total = col.find((r) => r.denominator !== null)?.denominator ?? null;
    const hidden = col.filter((r) => r.count === null).map((r) => r.category);
    return { offset, col, shown, total, hidden };
  });
  const top = niceMax(Math.max(10, ...columns.map((c) => (c.total ?? c.shown) * (c.total === null && c.hidden.length ? 1.06 : 1))));
  const y = linear(0, top, H - m.b, m.t);
  const band = (W - m.l - m.r) / Math.max(1, offsets.length);
  for (const t of ticks(top, 5)) {
    svg.append(el('line', { x1: m.l, x2: W - m.r, y1: y(t), y2: y(t), stroke: '#e3e3e3' }), el('text', { x: m.l - 6, y: y(t) + 4, 'text-anchor': 'end', fill: '#444' }, String(t)));
  }
  svg.append(el('text', { x: 12, y: m.t + 8, fill: '#555', 'font-size': 11 }, 'learners'));
  columns.forEach(({ offset, col, shown, total, hidden }, i) => {
    const x = m.l + i * band + band * 0.15, w = band * 0.7;
    let acc = 0;
    for (const cat of cats) {
      const r = col.find((c) => c.category === cat);
      if (!r || r.count === null || r.count <= 0) continue;
      const rect = el('rect', { x, width: w, y: y(acc + r.count), height: y(acc) - y(acc + r.count), fill: colour(cat), stroke: '#fff', 'stroke-width': 0.5,
        class: 'mark', 'data-group': options.group, 'data-offset': offset, 'data-category': cat, 'data-count': r.count, 'data-percent': r.percent ?? '', 'data-suppressed': 'false' });
      rect.append(el('title', {}, `${options.xLabel(offset)} · ${cat}: ${r.count}${r.denominator !== null ? ` of ${r.denominator}` : ''}${r.percent !== null ? ` (${r.percent}%)` : ''}`));
      svg.append(rect);
      acc += r.count;
    }
    if (hidden.length) {
      // With the total known, the hidden block is exactly the remainder; without it, only a marker.
      const rest = total !== null ? Math.max(0, total - shown) : top * 0.05;
      const rect = el('rect', { x, width: w, y: y(acc + rest), height: Math.max(3, y(acc) - y(acc + rest)), fill: hatch, stroke: '#555', 'stroke-width': 0.5,
        class: 'mark suppressed', 'data-group': options.group, 'data-offset': offset, 'data-suppressed': 'true', 'data-categories': hidden.join('|') });
      rect.append(el('title', {}, `${options.xLabel(offset)}: ${hidden.join(', ')} suppressed (each under ${options.minCell}${total === null ? '; the total is suppressed too' : ''})`));
      svg.append(rect);
      if (y(acc) - y(acc + rest) > 14) svg.append(el('text', { x: x + w / 2, y: (y(acc) + y(acc + rest)) / 2 + 4, 'text-anchor': 'middle', fill: '#222', 'font-weight': 600 }, `<${options.minCell}`));
    }
    svg.append(el('text', { x: x + w / 2, y: H - m.b + 16, 'text-anchor': 'middle', fill: '#222', 'font-size': 10 }, options.xLabel(offset)));
    if (total === null) svg.append(el('text', { x: x + w / 2, y: H - m.b + 30, 'text-anchor': 'middle', fill: '#777', 'font-size': 10 }, 'total hidden'));
  });
  legend(svg, cats, W - m.r + 12, m.t, hatch, options.minCell);
  return svg;
}

export function legend(svg: SVGSVGElement, cats: readonly string[], x: number, y: number, hatch: string, minCell: number): void {
  const g = el('g', { class: 'legend' });
  [...cats, `suppressed (<${minCell})`].forEach((cat, i) => {
    const isHatch = i === cats.length;
    g.append(el('rect', { x, y: y + i * 16, width: 11, height: 11, fill: isHatch ? hatch : colour(cat), stroke: '#555', 'stroke-width': 0.5 }),
      el('text', { x: x + 16, y: y + i * 16 + 10, fill: '#222', 'font-size': 11 }, cat));
  });
  svg.append(g);
}
