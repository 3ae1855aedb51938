/** Stacked columns: per offset the share of each category; what suppression hides is one hatched block. */
import { categoryOrder, type Row } from '../model.js';
import { colour, el, linear, svgRoot, ticks } from '../svg.js';

export function stackedColumns(rows: readonly Row[], options: { title: string; minCell: number; xLabel: (offset: number) => string }): SVGSVGElement {
  const offsets = [...new Set(rows.map((r) => r.offset ?? 0))].sort((a, b) => a - b);
  const cats = categoryOrder(rows.map((r) => r.category));
  const W = 720, H = 340, m = { l: 48, r: 170, t: 12, b: 40 };
  const { svg, hatch } = svgRoot(W, H, options.title, `Stacked columns: share of each category per school year, ${offsets.length} years, ${cats.length} categories. Hatched: cells under ${options.minCell}, suppressed.`);
  const y = linear(0, 100, H - m.b, m.t);
  const band = (W - m.l - m.r) / Math.max(1, offsets.length);
  for (const t of ticks(100, 5)) {
    svg.append(el('line', { x1: m.l, x2: W - m.r, y1: y(t), y2: y(t), stroke: '#e3e3e3' }), el('text', { x: m.l - 6, y: y(t) + 4, 'text-anchor': 'end', fill: '#444' }, `${t}%`));
  }
  offsets.forEach((offset, i) => {
    const x = m.l + i * band + band * 0.15, w = band * 0.7;
    const col = rows.filter((r) => (r.offset ?? 0) === offset);
    let acc = 0;
    for (const cat of cats) {
      const r = col.find((c) => c.category === cat);
      if (!r || r.count === null || r.denominator === null || r.denominator === 0) continue;
      const share = (r.count / r.denominator) * 100;
      if (share <= 0) continue;
      const rect = el('rect', { x, width: w, y: y(acc + share), height: y(acc) - y(acc + share), fill: colour(cat), stroke: '#fff', 'stroke-width': 0.5,
        class: 'mark', 'data-offset': offset, 'data-category': cat, 'data-count': r.count, 'data-percent': r.percent ?? '', 'data-suppressed': 'false' });
      rect.append(el('title', {}, `${options.xLabel(offset)} · ${cat}: ${r.count} of ${r.denominator}${r.percent !== null ? ` (${r.percent}%)` : ''}`));
      svg.append(rect);
      acc += share;
    }
    const hidden = col.filter((c) => c.count === null).map((c) => c.category);
    if (hidden.length) {
      const rest = Math.max(0, 100 - acc);
      const rect = el('rect', { x, width: w, y: y(acc + rest), height: Math.max(2, y(acc) - y(acc + rest)), fill: hatch, stroke: '#555', 'stroke-width': 0.5,
        class: 'mark suppressed', 'data-offset': offset, 'data-suppressed': 'true', 'data-categories': hidden.join('|') });
      rect.append(el('title', {}, `${options.xLabel(offset)}: ${hidden.join(', ')} suppressed (under ${options.minCell})`));
      svg.append(rect);
      if (y(acc) - y(acc + rest) > 14) svg.append(el('text', { x: x + w / 2, y: (y(acc) + y(acc + rest)) / 2 + 4, 'text-anchor': 'middle', fill: '#222', 'font-weight': 600 }, `<${options.minCell}`));
    }
    svg.append(el('text', { x: x + w / 2, y: H - m.b + 16, 'text-anchor': 'middle', fill: '#222' }, options.xLabel(offset)));
  });
  legend(svg, cats, W - m.r + 12, m.t, hatch, options.minCell);
  return svg;
}

export function legend(svg: SVGSVGElement, cats: readonly string[], x: number, y: number, hatch: string, minCell: number): void {
  const g = el('g', { class: 'legend' });
  [...cats, `suppressed (<${minCell})`].forEach((cat, i) => {
    const isHatch = i === cats.length;
    g.append(el('rect', { x, y: y + i * 17, width: 12, height: 12, fill: isHatch ? hatch : colour(cat), stroke: '#555', 'stroke-width': 0.5 }),
      el('text', { x: x + 18, y: y + i * 17 + 10, fill: '#222' }, cat));
  });
  svg.append(g);
}
